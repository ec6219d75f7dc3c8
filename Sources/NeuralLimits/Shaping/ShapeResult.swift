import Foundation

/// What `neural-limits shape` reports: the solved parameters under dks's names, the shaped
/// activation's local maps at `q = 1`, and the network's global values it was solved for.
public struct ShapeResult: Sendable {
  public enum Method: String, Sendable, CaseIterable { case tat, dks }

  public let method: Method
  /// The activation transformed (`leaky_relu` for TAT).
  public let activationName: String
  /// The shaped activation, usable as a layer.
  public let activation: any Activation
  /// `negative_slope, output_scale` (TAT) or `input_scale, input_shift, output_shift, output_scale` (DKS).
  public let parameters: [(name: String, value: Double)]
  /// `eta` (TAT) or `zeta` (DKS) and the targets derived from it.
  public let targets: [(name: String, value: Double)]
  /// The shaped activation's `Q(1)`, `Q'(1)`, `C(0)`, `C'(1)`, `C''(1)`.
  public let local: [(name: String, value: Double)]
  /// The network's `max_f C_f(0)` or `max_f C'_f(1)`, and its global `C_f(0)`, `C'_f(1)`.
  public let global: [(name: String, value: Double)]
  public let nonlinearLayers: Int

  /// Solves `method` for `network` (whose nonlinear layers all take the shaped activation).
  public static func solve(_ method: Method, activation name: String, network: GlobalMap, eta: Double = 0.9,
                           zeta: Double = 1.5) throws -> ShapeResult {
    let shaped: any Activation
    var parameters: [(name: String, value: Double)]
    let targets: [(name: String, value: Double)]
    switch method {
    case .tat:
      guard name == "leaky_relu" else {
        throw NeuralLimitsError.invalidArgument(
          "TAT is implemented for leaky_relu only, got '\(name)' (use --method dks for \(Shaping.dksActivations.joined(separator: ", ")))")
      }
      let p = try TAT.solve(eta: eta, network: network)
      shaped = TAT.leakyReLU(negativeSlope: p.negativeSlope)
      parameters = [("negative_slope", p.negativeSlope), ("output_scale", p.outputScale)]
      targets = [("eta", eta)]
    case .dks:
      let base = try Shaping.baseActivation(name)
      let p = try DKS.solve(base, zeta: zeta, network: network)
      shaped = try DKS.transformed(base, p, name: "dks(activation=\(name))")
      parameters = [("input_scale", p.inputScale), ("input_shift", p.inputShift), ("output_shift", p.outputShift),
                    ("output_scale", p.outputScale)]
      targets = [("zeta", zeta), ("local_c_slope_1_target", try DKS.localSlopeTarget(zeta: zeta, network: network))]
    }
    let maps = try LocalMaps(shaped)
    let local: [(name: String, value: Double)] = [
      ("q_value_1", maps.qValue), ("q_slope_1", try maps.qSlope()), ("c_value_0", try maps.cValueAtZero()),
      ("c_slope_1", try maps.cSlope(1)), ("c_curvature_1", try maps.cCurvatureAtOne()),
    ]
    let c0 = try network.evaluate(from: 0) { _, c in try maps.cMap(c) }
    let slope = try network.evaluate(from: 1) { _, x in try maps.cSlope(1) * x }
    let global: [(name: String, value: Double)] = [
      ("c_value_0", c0.network), ("max_subnetwork_c_value_0", c0.subnetworks),
      ("c_slope_1", slope.network), ("max_subnetwork_c_slope_1", slope.subnetworks),
    ]
    return ShapeResult(method: method, activationName: name, activation: shaped, parameters: parameters, targets: targets,
                       local: local, global: global, nonlinearLayers: network.nonlinearLayers)
  }

  /// `{"method", "activation", "nonlinear_layers", targets…, parameters…, "local": {…}, "global": {…}}`;
  /// `C''(1) = ∞` (leaky ReLU) is written as `null`.
  public var json: JSONValue {
    let numbers = { (pairs: [(name: String, value: Double)]) in pairs.map { ($0.name, JSONValue.number($0.value)) } }
    return .object([("method", .string(method.rawValue)), ("activation", .string(activationName)),
                    ("nonlinear_layers", .integer(nonlinearLayers))]
      + numbers(targets) + numbers(parameters)
      + [("local", .object(numbers(local))), ("global", .object(numbers(global)))])
  }

  /// Aligned `name value` lines, sections for the local and global maps.
  public var table: String {
    func lines(_ pairs: [(name: String, value: Double)], _ indent: String) -> String {
      pairs.map { indent + $0.name.padding(toLength: 28, withPad: " ", startingAt: 0) + String(format: "%.15g", $0.value) + "\n" }.joined()
    }
    return "method                      \(method.rawValue)\nactivation                  \(activationName)\n"
      + "nonlinear_layers            \(nonlinearLayers)\n" + lines(targets, "") + lines(parameters, "")
      + "local (shaped activation, q = 1):\n" + lines(local, "  ") + "global (network):\n" + lines(global, "  ")
  }
}
