import ArgumentParser
import Foundation
import NeuralLimits

/// `neural-limits shape`: DKS or TAT activation parameters for a network.
struct ShapeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "shape",
    abstract: "Kernel shaping: TAT leaky-ReLU or DKS activation parameters for a network (dks's names).",
    discussion: """
      TAT (Zhang et al. 2022): negative_slope with max over subnetworks of C_f(0) = --eta (default 0.9) and \
      output_scale = sqrt(2/(1 + negative_slope^2)). DKS (Martens et al. 2021): input_scale, input_shift, \
      output_shift, output_scale with Q(1) = 1, Q'(1) = 1, C(0) = 0 and max over subnetworks of C'_f(1) = --zeta \
      (default 1.5). The network is the plain one with --depth nonlinear layers, or --arch, whose activations \
      mark the nonlinear layers (each takes the shaped activation); --arch may hold dense(w_std=1, b_std=0), \
      identity, layernorm and normalised sums (residual with scale^2 + skip^2 = 1). Also reported: the shaped \
      activation's local maps at q = 1 and the network's global C_f(0) and C'_f(1).
      """)

  @Option(help: "leaky_relu (tat); tanh, softplus, swish, erf, gelu or sigmoid_like (dks). Default: leaky_relu for tat, tanh for dks.")
  var activation: String?

  @Option(help: "tat or dks.")
  var method: String

  @Option(help: "Nonlinear layers of the plain network (instead of --arch).")
  var depth: Int?

  @Option(help: "The network, e.g. '(dense -> residual(dense -> relu -> dense, scale=0.6, skip=0.8)) * 10 -> dense'.")
  var arch: String?

  @Option(help: "TAT: the target C_f(0), in (0, 1).")
  var eta: Double = 0.9

  @Option(help: "DKS: the target C'_f(1), above 1.")
  var zeta: Double = 1.5

  @Option(help: "Output format: json or table.")
  var format: OutputFormat = .json

  func run() throws {
    guard let method = ShapeResult.Method(rawValue: method) else {
      throw NeuralLimitsError.invalidArgument("--method must be tat or dks, got '\(method)'")
    }
    let network: GlobalMap
    switch (depth, arch) {
    case (let depth?, nil): network = try GlobalMap.chain(depth: depth, activation: ReLU())
    case (nil, let arch?): network = try GlobalMap(ArchitectureParser.parse(arch).graph)
    default: throw NeuralLimitsError.invalidArgument("give exactly one of --depth and --arch")
    }
    let result = try ShapeResult.solve(method, activation: activation ?? (method == .tat ? "leaky_relu" : "tanh"),
                                       network: network, eta: eta, zeta: zeta)
    switch format {
    case .json: try StandardOutput.write(result.json.serializedData(pretty: true) + Data("\n".utf8))
    case .table: try StandardOutput.write(Data(result.table.utf8))
    case .csv, .npy: throw NeuralLimitsError.invalidArgument("shape writes json or table, not \(format.rawValue)")
    }
  }
}
