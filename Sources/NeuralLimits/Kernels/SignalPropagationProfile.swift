import Foundation

/// Token-kernel diagnostics against depth (`neural-limits signalprop`, the `signalprop` table
/// provider): the infinite-width theory from `Σ₀ = I` on `m` tokens and, optionally, the same
/// summaries of finite networks (`TokenCovariance`) after the same blocks.
public enum SignalPropagationProfile {
  /// The top-level blocks: the items of the outermost chain, nested chains flattened — the points
  /// where `FiniteNetwork.sample` reports (a residual or parallel block is one point).
  public static func blocks(_ graph: LayerGraph) -> [LayerGraph] {
    if case .serial(let items) = graph { return items.flatMap(blocks) }
    return [graph]
  }

  /// `TokenKernelSummary` of the NNGP after each of the first `count` top-level blocks (all by
  /// default), from `m` orthogonal tokens of unit variance (`Σ₀ = I`), at hidden width
  /// `hiddenWidth` for width-dependent layers. The tokens are `√d·[I_m | 0]` in `d` dimensions,
  /// `d = hiddenWidth` when given (the simulated networks' input width, so that a residual around
  /// the first block sees equal widths) and `m` otherwise, taken as an infinitely wide Gaussian
  /// stream with kernel `I` (so a residual around the first block needs no dense layer before it).
  public static func theory(_ network: any Layer, tokens m: Int, hiddenWidth: Int? = nil,
                            blocks count: Int? = nil) throws -> [TokenKernelSummary] {
    guard m >= 1 else { throw NeuralLimitsError.invalidArgument("--tokens must be at least 1, got \(m)") }
    let d = max(hiddenWidth ?? m, m)
    // The tokens (m × d) and the kernel state's m × m matrices (NNGP, its copy per block, variances).
    try MemoryBudget.require(8 * (Double(m) * Double(d) + 4 * Double(m) * Double(m)),
                             for: "\(m) tokens in \(d) dimensions and their kernels", hint: "lower the number of tokens (or the simulated width, which is the tokens' dimension)")
    var x = Matrix(rows: m, columns: d)
    for a in 0..<m { x[a, a] = Double(d).squareRoot() }
    let all = blocks(network.graph)
    // Each prefix evaluated from the input (the compiler tracks widths and Gaussianity through
    // the whole chain); O(L²) small evaluations, cheap for token kernels.
    return try (0..<min(count ?? all.count, all.count)).map { k in
      let state = try Serial(Array(all[0...k])).kernels(x, get: [.nngp], hiddenWidth: hiddenWidth, tokens: m,
                                                        stream: hiddenWidth == nil)
      return try TokenKernelSummary(state.nngp, tokens: m)
    }
  }

  /// The Monte Carlo side after one block: each summary quantity's mean over the networks and its
  /// standard error `s/√S`.
  public struct Simulated: Sendable {
    public let meanDiagonal: (mean: Double, error: Double)
    public let meanCorrelation: (mean: Double, error: Double)
    public let effectiveRank: (mean: Double, error: Double)
    /// The effective rank of the networks' mean kernel `mean_s V_s` — the estimate of the
    /// infinite-width kernel's. It differs from `effectiveRank`, the mean of each network's own,
    /// which fluctuations of order depth/width lower (the entropy is concave).
    public let effectiveRankOfMeanKernel: Double
  }

  /// `samples` networks of width `width` (inputs with `X₀X₀ᵀ/n = I` exactly, `TokenCovariance`),
  /// each network's `V = XXᵀ/n` summarised after each top-level block (`TokenKernelSummary`,
  /// every quantity per network, then averaged).
  public static func simulate(_ network: any Layer, tokens m: Int, width: Int, samples: Int, seed: UInt64,
                              progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> [Simulated] {
    // Every network's m × m kernel after every block is kept; each worker holds m × width activations per layer.
    let blockCount = Double(blocks(network.graph).count), layers = Double(network.graph.primitives.count)
    let workers = Double(ProcessInfo.processInfo.activeProcessorCount)
    try MemoryBudget.require(8 * (Double(samples) * blockCount * Double(m) * Double(m) + workers * layers * 4 * Double(m) * Double(width)),
                             for: "\(samples) networks of width \(width) on \(m) tokens, \(Int(blockCount)) blocks kept",
                             hint: "lower the tokens, the width or the samples")
    let ensemble = try TokenCovariance.simulate(network, initial: Matrix.identity(m), width: width, samples: samples, seed: seed,
                                                progress: progress)
    return try ensemble.blockKernels.map { kernels in
      let summaries = try kernels.map { try TokenKernelSummary($0, tokens: m) }
      return Simulated(meanDiagonal: SampleSummary.meanAndError(summaries.map(\.meanDiagonal)),
                       meanCorrelation: SampleSummary.meanAndError(summaries.map(\.meanCorrelation)),
                       effectiveRank: SampleSummary.meanAndError(summaries.map(\.effectiveRank)),
                       effectiveRankOfMeanKernel: try TokenKernelSummary.effectiveRank(
                         (1 / Double(kernels.count)) * kernels.dropFirst().reduce(kernels[0], +)))
    }
  }
}
