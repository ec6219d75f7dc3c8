import ArgumentParser
import Foundation
import NeuralLimits

/// `neural-limits kernel`: the infinite-width NNGP and NTK of an architecture.
struct KernelCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "kernel",
    abstract: "Compute the infinite-width NNGP and NTK of an architecture.",
    discussion: """
      Entry (i, j) is k(x_i, x2_j): rows from --x, columns from --x2 (or --x again), as \
      neural-tangents' kernel_fn(x1, x2). Inputs are CSV or .npy files, one input per row.

      Sequences: a 3-D .npy array (N, m, d), or a CSV/2-D .npy of N·m rows (the m tokens of each \
      sequence consecutive) with --tokens m. The kernels are then N·m × N·m (N1·m × N2·m with --x2), \
      row i·m + a being token a of input i; attention layers mix the tokens of each sequence.

      Formats: json (default, to stdout or --out FILE) is {"nngp": [[...]], "ntk": [[...]]}, plus \
      "quadrature_error_estimate" (the largest relative error bound of any entry) when a layer is computed \
      by quadrature (tanh, softplus, swish); \
      csv writes '# nngp' and '# ntk' sections to stdout, or DIR/nngp.csv and DIR/ntk.csv with \
      --out DIR; npy needs --out DIR and writes DIR/nngp.npy and DIR/ntk.npy; table prints \
      aligned columns.
      """)

  @Option(help: "The architecture, e.g. '(dense(w_std=1.5, b_std=0.05) -> relu) * 3 -> dense'.")
  var arch: String

  @Option(help: "Inputs (CSV or .npy), one per row.")
  var x: String

  @Option(help: "Second inputs (columns of the kernel); default: --x.")
  var x2: String?

  @Option(help: "Kernels to compute: nngp, ntk or nngp,ntk.")
  var get: String = "nngp,ntk"

  @Option(help: "Output format: json, csv, npy or table.")
  var format: OutputFormat = .json

  @Option(help: "Output file (json) or folder (csv, npy).")
  var out: String?

  @Option(help: "Finite width n read by width-dependent layers (shaped_relu, standard parameterization).")
  var width: Int?

  @Option(help: "Tokens per sequence: every m consecutive rows of --x (and --x2) form one sequence (a 3-D .npy says it itself).")
  var tokens: Int?

  func run() throws {
    let kinds = try parseKinds(get)
    if let width, width < 1 { throw NeuralLimitsError.invalidArgument("--width must be at least 1, got \(width)") }
    let network = try ArchitectureParser.parse(arch)
    let (x1, m) = try readSequences(x, tokens: tokens)
    let x2Matrix = try x2.map { try readSequences($0, tokens: m).matrix }
    let state = try network.kernels(x1, x2Matrix, get: kinds, hiddenWidth: width, tokens: m)
    var named: [(String, Matrix)] = [("nngp", state.nngp)]
    if let ntk = state.ntk { named.append(("ntk", ntk)) }
    if !kinds.contains(.nngp) { named.removeFirst() }
    try write(named, format: format, out: out, quadratureErrorEstimate: state.quadratureErrorEstimate)
  }
}

/// `--get nngp,ntk`.
func parseKinds(_ text: String) throws -> KernelKinds {
  var kinds: KernelKinds = []
  for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
    switch part {
    case "nngp": kinds.insert(.nngp)
    case "ntk": kinds.insert(.ntk)
    default: throw NeuralLimitsError.invalidArgument("--get takes nngp, ntk or nngp,ntk; unknown kernel '\(part)'")
    }
  }
  guard !kinds.isEmpty else { throw NeuralLimitsError.invalidArgument("--get names no kernel") }
  return kinds
}
