import CGSL

/// Gauss–Hermite quadrature for Gaussian expectations (nodes and weights from GSL's
/// `gsl_integration_fixed_hermite`).
///
/// With nodes `xᵢ` and weights `wᵢ` for `∫ e^{-x²} f(x) dx`, the expectation under `z ~ N(0, 1)`
/// is `E f(z) ≈ Σᵢ (wᵢ/√π) f(√2·xᵢ)`, exact for polynomials of degree `< 2·degree`.
public struct GaussHermite: Sendable {
  /// Standard-normal nodes `√2·xᵢ`.
  public let nodes: [Double]
  /// Probability weights `wᵢ/√π` (they sum to 1).
  public let weights: [Double]

  public init(degree: Int) throws {
    guard (1...400).contains(degree) else {
      throw NeuralLimitsError.invalidArgument("Gauss–Hermite degree must be in 1...400, got \(degree)")
    }
    GSL.prepare()
    guard let workspace = gsl_integration_fixed_alloc(cgsl_fixed_hermite(), degree, 0, 1, 0, 0) else {
      throw NeuralLimitsError.gsl(routine: "gsl_integration_fixed_alloc", status: Int32(GSL_ENOMEM), reason: "allocation failed")
    }
    defer { gsl_integration_fixed_free(workspace) }
    let x = gsl_integration_fixed_nodes(workspace)!
    let w = gsl_integration_fixed_weights(workspace)!
    let sqrtPi = Double.pi.squareRoot()
    nodes = (0..<degree).map { 2.0.squareRoot() * x[$0] }
    weights = (0..<degree).map { w[$0] / sqrtPi }
  }

  /// `E f(z)`, `z ~ N(0, 1)`.
  public func expectation(_ f: (Double) -> Double) -> Double {
    var sum = 0.0
    for i in nodes.indices { sum += weights[i] * f(nodes[i]) }
    return sum
  }

  /// `E f(u, v)` for `(u, v) ~ N(0, [[q1, c12], [c12, q2]])` on the tensor grid of nodes:
  /// `u = √q1·z₁`, `v = (c12/√q1)·z₁ + √(q2 − c12²/q1)·z₂` (the Cholesky factor; `q1 = 0` handled).
  public func expectation(q1: Double, q2: Double, c12: Double, _ f: (Double, Double) -> Double) -> Double {
    let s1 = max(q1, 0).squareRoot()
    let a = q1 > 0 ? c12 / s1 : 0
    let b = max(q2 - a * a, 0).squareRoot()
    var sum = 0.0
    for i in nodes.indices {
      let u = s1 * nodes[i]
      var inner = 0.0
      for j in nodes.indices { inner += weights[j] * f(u, a * nodes[i] + b * nodes[j]) }
      sum += weights[i] * inner
    }
    return sum
  }
}
