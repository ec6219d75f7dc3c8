/// `signalprop` rows: the token-kernel summaries of `neural-limits signalprop` after one top-level
/// block of an architecture (the last by default), from `Σ₀ = I` on `tokens` tokens — the
/// infinite-width theory and, with `simulate: true`, finite networks with standard errors — so a
/// table can sweep block types, depths or blocks.
public struct SignalPropQuantities: QuantityProvider {
  public static let command = "signalprop"
  public static let summary = "token-kernel mean diagonal, correlation and effective rank after a block: theory and finite networks ± se"
  public static let isRandom = true
  public static let parameters = [
    TableParameter("arch", .text, .required, "the architecture"),
    TableParameter("tokens", .value(.integer(1...4096)), .defaulted("8"), "tokens per sequence m"),
    TableParameter("block", .value(.integer(1...Int.max)), .optional, "the top-level block read (default: the last)"),
    TableParameter("causal", .value(.choice(["false", "true"])), .defaulted("false"), "causally mask every attention layer"),
    TableParameter("simulate", .value(.choice(["false", "true"])), .defaulted("false"), "also simulate finite networks"),
    TableParameter("width", .value(.integer(1...Int.max)), .defaulted("128"), "width n of the simulated networks"),
    TableParameter("samples", .value(.integer(2...Int.max)), .defaulted("32"), "number of simulated networks"),
  ]
  static let names = ["mean_diagonal", "mean_correlation", "effective_rank"]
  public static let quantities = names.map { QuantityDeclaration($0, .number, "the theory's \($0.replacingOccurrences(of: "_", with: " ")) (infinite width)") }
    + names.map { QuantityDeclaration("simulation.\($0)", .estimated, "the finite networks' mean \($0.replacingOccurrences(of: "_", with: " "))") }
    + [QuantityDeclaration("simulation.effective_rank_of_mean_kernel", .number, "the effective rank of the networks' mean kernel"),
       QuantityDeclaration("blocks", .number, "the number of top-level blocks of the architecture")]

  let network: any Layer
  let blockCount: Int
  let tokens: Int
  let simulation: (width: Int, samples: Int)?
  let quantities: [QuantityName]

  public init(_ row: RowParameters, quantities: [QuantityName]) throws {
    let parsed = try row.blame("arch") { try ArchitectureParser.parse(row.text("arch")) }
    let graph = row.flag("causal") ? parsed.graph.causallyMasked : parsed.graph
    let all = SignalPropagationProfile.blocks(graph)
    blockCount = all.count
    let block = row.optionalInteger("block") ?? all.count
    guard block <= all.count else { throw row.refuse("block", "the architecture has \(all.count) top-level blocks, not \(block)") }
    network = Serial(Array(all[0..<block]))
    tokens = row.integer("tokens")
    let simulate = row.flag("simulate")
    simulation = simulate ? (row.integer("width"), row.integer("samples")) : nil
    if simulate, row.integer("width") < tokens {
      throw row.refuse("width", "the networks' width must be at least the number of tokens (\(tokens))")
    }
    for q in quantities where q.base.hasPrefix("simulation.") && !simulate { throw row.refuse(q, "needs simulate: true") }
    try row.blame("arch") { [network, tokens, simulation] in
      _ = try KernelProgram(network.graph, inputWidth: max(simulation?.width ?? tokens, tokens), hiddenWidth: simulation?.width,
                            tokens: tokens)
      if let simulation {
        _ = try FiniteNetwork(network.graph, inputWidth: simulation.width, width: simulation.width,
                              readoutWidth: simulation.width, tokens: tokens)
      }
    }
    self.quantities = quantities
  }

  public var inputFingerprint: String { "" }

  public func compute(seed: UInt64, progress: (@Sendable (Int, Int) -> Void)?) throws -> [QuantityValue] {
    let theory = try SignalPropagationProfile.theory(network, tokens: tokens, hiddenWidth: simulation?.width).last!
    let simulated = try simulation.map {
      try SignalPropagationProfile.simulate(network, tokens: tokens, width: $0.width, samples: $0.samples, seed: seed,
                                            progress: progress).last!
    }
    return quantities.map { q in
      switch q.base {
      case "blocks": return .number(Double(blockCount))
      case "mean_diagonal": return .number(theory.meanDiagonal)
      case "mean_correlation": return .number(theory.meanCorrelation)
      case "effective_rank": return .number(theory.effectiveRank)
      case "simulation.effective_rank_of_mean_kernel": return .number(simulated!.effectiveRankOfMeanKernel)
      default:
        let e = [simulated!.meanDiagonal, simulated!.meanCorrelation, simulated!.effectiveRank][
          SignalPropQuantities.names.firstIndex(of: String(q.base.dropFirst("simulation.".count)))!]
        return .estimate(e.mean, standardError: e.error)
      }
    }
  }
}
