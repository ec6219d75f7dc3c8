import Foundation

/// Deep Kernel Shaping (Martens et al. 2021, *Rapid training of deep neural networks without skip
/// connections or normalization layers using Deep Kernel Shaping*, §4–5; dks's `DKS` method): the
/// transformed activation
/// `φ̂(x) = output_scale·(φ(input_scale·x + input_shift) + output_shift)` that meets, at `q = 1`,
/// 1. `Q(1) = 1`: `output_scale = 1/√E[(φ(αz + β) + output_shift)²]`;
/// 2. `C(0) = 0`: `output_shift = −E[φ(αz + β)]`;
/// 3. `Q'(1) = 1` (dks's `local_q_slope_target`, 1 in the paper);
/// 4. `C'(1) = ξ`, where `ξ` makes the maximal slope function `max_f C'_f(1)` over the
///    subnetworks `f` equal `ζ` (`GlobalMap` with `r(x) = ξ·x` from 1; for a plain network of
///    `L` nonlinear layers `ξ = ζ^(1/L)`); the paper's default is `ζ = 1.5`.
///
/// Conditions 1–2 give the output parameters in closed form; 3–4 are two equations in
/// `(input_scale, input_shift)`, solved by GSL's hybrid method (`RootFinding.hybrid`) from dks's
/// starting points in dks's order (`(1, 0), (1, ±1), (0.1, 0), (0.1, ±1)`, then a wider grid),
/// keeping the first root with `input_scale > 0` — the branch dks finds. Every equation is
/// evaluated on the transformed activation itself (`LocalMaps`), so the returned activation
/// satisfies them as the library computes its maps.
public enum DKS {
  /// dks's names: `input_scale`, `input_shift`, `output_shift`, `output_scale`.
  public struct Parameters: Sendable, Equatable {
    public let inputScale: Double
    public let inputShift: Double
    public let outputShift: Double
    public let outputScale: Double
  }

  /// The local slope `ξ ≥ 1` with `max_f C'_f(1) = ζ`, by Brent's method (the maximal slope
  /// function increases with `ξ` and is 1 at `ξ = 1`).
  public static func localSlopeTarget(zeta: Double, network: GlobalMap) throws -> Double {
    guard zeta > 1, zeta.isFinite else { throw NeuralLimitsError.invalidArgument("DKS needs zeta > 1, got \(zeta)") }
    let slope = { (xi: Double) in network.evaluate(from: 1) { _, x in xi * x }.subnetworks - zeta }
    // Bracket from just above 1, doubling ξ − 1: at depth L the root is near ζ^{1/L}, and a fixed
    // upper end such as 2 would give 2^L = ∞ in deep networks.
    var step = 1e-12
    while slope(1 + step) < 0 {
      step *= 2
      guard step < 1e6 else { throw NeuralLimitsError.invalidArgument("DKS: the network has no nonlinear layer, so C'_f(1) = 1 whatever the activation") }
    }
    return try RootFinding.brent(slope, lower: 1, upper: 1 + step, absoluteTolerance: 1e-15, relativeTolerance: 1e-15)
  }

  /// `φ̂` for these parameters, a `NumericalActivation` (Hermite expansion to `tolerance`) named `name`.
  public static func transformed(_ base: any Activation, _ p: Parameters, name: String, tolerance: Double = 1e-10) throws
    -> NumericalActivation
  {
    let (a, b, d, g) = (p.inputScale, p.inputShift, p.outputShift, p.outputScale)
    return try NumericalActivation(name: name, tolerance: tolerance,
                                   function: { x in g * (base.value(a * x + b) + d) },
                                   derivative: { x in g * a * base.derivative(a * x + b) })
  }

  /// Conditions 1–2: the output shift and scale for this input scale and shift.
  public static func parameters(_ base: any Activation, inputScale a: Double, inputShift b: Double) throws -> Parameters {
    let mean = try Quadrature.gaussianExpectation { z in base.value(a * z + b) }
    let square = try Quadrature.gaussianExpectation { z in let y = base.value(a * z + b) - mean; return y * y }
    guard square > 0, square.isFinite else {
      throw NeuralLimitsError.invalidArgument("\(base.specification)(\(a)·x + \(b)) has zero variance")
    }
    return Parameters(inputScale: a, inputShift: b, outputShift: -mean, outputScale: 1 / square.squareRoot())
  }

  /// Solves conditions 1–4 for `base` on `network`.
  public static func solve(_ base: any Activation, zeta: Double, network: GlobalMap) throws -> Parameters {
    let xi = try localSlopeTarget(zeta: zeta, network: network)
    let residuals = { (x: [Double]) -> [Double] in
      guard let p = try? parameters(base, inputScale: x[0], inputShift: x[1]),
            let maps = try? LocalMaps(transformed(base, p, name: "dks")),
            let qSlope = try? maps.qSlope(), let cSlope = try? maps.cSlope(1)
      else { return [.nan, .nan] }
      return [qSlope - 1, cSlope - xi]
    }
    let dksStarts: [(Double, Double)] = [(1, 0), (1, 1), (1, -1), (0.1, 0), (0.1, 1), (0.1, -1)]
    let grid: [(Double, Double)] = [0.5, 0.3, 2, 0.03].flatMap { a in [0.5, -0.5, 2, -2].map { b in (a, b) } }
    for (a, b) in dksStarts + grid {
      if let x = RootFinding.hybrid(residuals, start: [a, b], residualTolerance: 1e-13), x[0] > 0 {
        return try parameters(base, inputScale: x[0], inputShift: x[1])
      }
    }
    throw NeuralLimitsError.invalidArgument(
      "DKS found no input scale and shift for \(base.specification) with zeta = \(zeta) (local C'(1) target \(xi))")
  }

  /// `solve` for the plain network of `depth` nonlinear layers.
  public static func solve(_ base: any Activation, zeta: Double, depth: Int) throws -> Parameters {
    try solve(base, zeta: zeta, network: GlobalMap.chain(depth: depth, activation: base))
  }
}
