/// `kernel` rows: entries of the infinite-width NNGP and NTK (`neural-limits kernel`), exact.
public struct KernelQuantities: QuantityProvider {
  public static let command = "kernel"
  public static let summary = "entries of the infinite-width NNGP and NTK and their correlations (exact)"
  public static let isRandom = false
  public static let parameters = [
    TableParameter("arch", .text, .required, "the architecture"),
    TableInputs.parameter,
    TableParameter("width", .value(.integer(1...Int.max)), .optional, "the finite width n that width-dependent layers read (shaped_relu, standard parameterization)"),
  ]
  public static let quantities = ["nngp", "ntk"].flatMap { k in
    [QuantityDeclaration(k, indexed: true, .number, "\(k) entry k(x_i, x_j)"),
     QuantityDeclaration("\(k).correlation", indexed: true, .number, "\(k) correlation k(x_i, x_j)/√(k(x_i, x_i)·k(x_j, x_j))")]
  }

  let network: any Layer
  let x: Matrix
  let width: Int?
  let quantities: [QuantityName]

  public init(_ row: RowParameters, quantities: [QuantityName]) throws {
    network = try row.blame("arch") { try ArchitectureParser.parse(row.text("arch")) }
    x = try TableInputs.load(row)
    width = row.optionalInteger("width")
    try row.blame("arch") { [x, width, network] in _ = try KernelProgram(network.graph, inputWidth: x.columns, hiddenWidth: width) }
    try TableInputs.checkEntries(quantities, count: x.rows, row)
    self.quantities = quantities
  }

  public var inputFingerprint: String { TableInputs.fingerprint(x) }

  public func compute(seed: UInt64, progress: (@Sendable (Int, Int) -> Void)?) throws -> [QuantityValue] {
    let wantNTK = quantities.contains { $0.base.hasPrefix("ntk") }
    let state = try network.kernels(x, get: wantNTK ? [.nngp, .ntk] : [.nngp], hiddenWidth: width)
    return quantities.map { q in
      let k = q.base.hasPrefix("ntk") ? state.ntk! : state.nngp
      let (i, j) = (q.indices[0], q.indices[1])
      return .number(q.base.hasSuffix(".correlation") ? k.kernelCorrelation(i, j) : k[i, j])
    }
  }
}
