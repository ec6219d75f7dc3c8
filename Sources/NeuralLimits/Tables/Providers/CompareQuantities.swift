/// `compare` rows: the infinite-width kernels against finite networks sampled by Monte Carlo
/// (`neural-limits compare` at one width), per kernel its errors and verdict, and entries of
/// both sides.
public struct CompareQuantities: QuantityProvider {
  public static let command = "compare"
  public static let summary = "theory against finite-width Monte Carlo: errors, z-scores, verdicts, entries with standard errors"
  public static let isRandom = true
  public static let parameters = [
    TableParameter("arch", .text, .required, "the architecture"),
    TableInputs.parameter,
    TableParameter("width", .value(.integer(1...Int.max)), .defaulted("512"), "hidden width n of the sampled networks"),
    TableParameter("samples", .value(.integer(2...Int.max)), .defaulted("64"), "number of sampled networks"),
    TableParameter("readout", .value(.integer(1...Int.max)), .defaulted("1"), "outputs of a final dense layer (the NTK averages over them)"),
  ]
  public static let quantities = ["nngp", "ntk"].flatMap { k in
    [
      QuantityDeclaration("\(k).rel_error", .number, "relative Frobenius error ‖mean − theory‖/‖theory‖"),
      QuantityDeclaration("\(k).max_abs_z", .number, "largest |z| = |mean − theory|/stderr over the distinct entries"),
      QuantityDeclaration("\(k).threshold", .number, "the Bonferroni Student-t threshold for max|z|"),
      QuantityDeclaration("\(k).bias_scale", .number, "L/n, the finite-width bias allowance of an inconclusive verdict"),
      QuantityDeclaration("\(k).verdict", .text, "agree, inconclusive or disagree (neural-limits compare --help)"),
      QuantityDeclaration("\(k).theory", indexed: true, .number, "the theory's entry (at width n for width-dependent layers)"),
      QuantityDeclaration("\(k).simulation", indexed: true, .estimated, "the sampled networks' mean entry"),
      QuantityDeclaration("\(k).z", indexed: true, .number, "(mean − theory)/stderr of the entry"),
      QuantityDeclaration("\(k).theory_correlation", indexed: true, .number, "the theory's correlation k(x_i, x_j)/√(k(x_i, x_i)·k(x_j, x_j))"),
      QuantityDeclaration("\(k).simulation_correlation", indexed: true, .estimated, "the mean over networks of each network's correlation"),
    ]
  } + [QuantityDeclaration("verdict", .text, "the worst of the kernels' verdicts")]

  let network: any Layer
  let x: Matrix
  let settings: MonteCarloSettings
  let quantities: [QuantityName]

  public init(_ row: RowParameters, quantities: [QuantityName]) throws {
    network = try row.blame("arch") { try ArchitectureParser.parse(row.text("arch")) }
    x = try TableInputs.load(row)
    let named = Set(quantities.map { $0.base.split(separator: ".").first.map(String.init) ?? "" })
    // The kernels named, both for the overall verdict alone.
    let kinds: KernelKinds = named.contains("ntk") || !named.contains("nngp") ? [.nngp, .ntk] : [.nngp]
    settings = MonteCarloSettings(width: row.integer("width"), samples: row.integer("samples"), readoutWidth: row.integer("readout"),
                                  kinds: kinds, correlations: quantities.contains { $0.base.hasSuffix("simulation_correlation") })
    try row.blame("arch") { [x, settings, network] in
      _ = try KernelProgram(network.graph, inputWidth: x.columns, hiddenWidth: settings.width)
      _ = try FiniteNetwork(network.graph, inputWidth: x.columns, width: settings.width, readoutWidth: settings.readoutWidth)
    }
    try TableInputs.checkEntries(quantities, count: x.rows, row)
    self.quantities = quantities
  }

  public var inputFingerprint: String { TableInputs.fingerprint(x) }

  public func compute(seed: UInt64, progress: (@Sendable (Int, Int) -> Void)?) throws -> [QuantityValue] {
    var settings = self.settings
    settings.seed = seed
    let comparisons = try TheoryVersusSimulation.compare(network, x, settings: settings, progress: progress)
    return quantities.map { q in
      if q.base == "verdict" { return .text(Verdict.worst(comparisons.map(\.verdict)).rawValue) }
      let parts = q.base.split(separator: ".", maxSplits: 1).map(String.init)
      let c = comparisons.first { $0.name == parts[0] }!
      let (i, j) = q.indices.count == 2 ? (q.indices[0], q.indices[1]) : (0, 0)
      switch parts[1] {
      case "rel_error": return .number(c.relativeFrobeniusError)
      case "max_abs_z": return .number(c.maxAbsZ)
      case "threshold": return .number(c.threshold)
      case "bias_scale": return .number(c.biasScale ?? .nan)
      case "verdict": return .text(c.verdict.rawValue)
      case "theory": return .number(c.theory[i, j])
      case "simulation": return .estimate(c.simulation.mean[i, j], standardError: c.simulation.standardError[i, j])
      case "z":
        let se = c.simulation.standardError[i, j]
        return .number(se > 0 ? (c.simulation.mean[i, j] - c.theory[i, j]) / se : 0)
      case "theory_correlation": return .number(c.theory.kernelCorrelation(i, j))
      default:
        let correlation = c.simulation.correlation!
        return .estimate(correlation.mean[i, j], standardError: correlation.standardError[i, j])
      }
    }
  }
}
