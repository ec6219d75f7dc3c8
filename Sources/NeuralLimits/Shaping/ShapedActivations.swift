import Foundation

/// The shaped activations of the architecture language, solved when the layer is built (one
/// definition for the kernel map and the finite network: the same activation object).
public enum Shaping {
  /// The activations `dks(activation=…)` transforms (smooth ones: DKS needs `Q'` and `C'`).
  public static let dksActivations = ["tanh", "softplus", "swish", "erf", "gelu", "sigmoid_like"]

  /// `tat_leaky_relu(eta, depth)`: `TAT.solve` for the plain network, as a piecewise-linear activation.
  public static func tatLeakyReLU(eta: Double, depth: Int) throws -> PiecewiseLinear {
    let p = try TAT.solve(eta: eta, depth: depth)
    return TAT.leakyReLU(negativeSlope: p.negativeSlope, specification: "tat_leaky_relu(eta=\(eta), depth=\(depth))")
  }

  /// The base activation `name` of `dksActivations`.
  public static func baseActivation(_ name: String) throws -> any Activation {
    guard dksActivations.contains(name), let entry = LayerCatalogue.entry(name),
          let phi = try LayerCatalogue.build(entry, [:]) as? any Activation
    else {
      throw NeuralLimitsError.invalidArgument("unknown activation '\(name)' for DKS (known: \(dksActivations.joined(separator: ", ")))")
    }
    return phi
  }

  /// `dks(activation, zeta, depth)`: `DKS.solve` for the plain network, as a `NumericalActivation`.
  public static func dks(activation name: String, zeta: Double, depth: Int) throws -> NumericalActivation {
    let base = try baseActivation(name)
    let p = try DKS.solve(base, zeta: zeta, depth: depth)
    return try DKS.transformed(base, p, name: "dks(activation=\(name), zeta=\(zeta), depth=\(depth))")
  }
}
