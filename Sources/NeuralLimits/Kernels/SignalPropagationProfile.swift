/// Token-kernel diagnostics against depth (`neural-limits signalprop`): the infinite-width theory
/// from `Σ₀ = I` on `m` tokens and, optionally, the mean correlation of finite networks
/// (`TokenCovariance`) after the same blocks.
public enum SignalPropagationProfile {
  /// The top-level blocks: the items of the outermost chain, nested chains flattened — the points
  /// where `FiniteNetwork.sample` reports (a residual or parallel block is one point).
  static func blocks(_ graph: LayerGraph) -> [LayerGraph] {
    if case .serial(let items) = graph { return items.flatMap(blocks) }
    return [graph]
  }

  /// `TokenKernelSummary` of the NNGP after each top-level block, from `m` orthogonal tokens of
  /// unit variance (`Σ₀ = I`), at hidden width `hiddenWidth` for width-dependent layers.
  public static func theory(_ network: any Layer, tokens m: Int, hiddenWidth: Int? = nil) throws -> [TokenKernelSummary] {
    guard m >= 1 else { throw NeuralLimitsError.invalidArgument("--tokens must be at least 1, got \(m)") }
    let x = Double(m).squareRoot() * Matrix.identity(m)
    let all = blocks(network.graph)
    // Each prefix evaluated from the input (the compiler tracks widths and Gaussianity through
    // the whole chain); O(L²) small evaluations, cheap for token kernels.
    return try all.indices.map { k in
      let state = try Serial(Array(all[0...k])).kernels(x, get: [.nngp], hiddenWidth: hiddenWidth, tokens: m)
      return try TokenKernelSummary(state.nngp, tokens: m)
    }
  }
}
