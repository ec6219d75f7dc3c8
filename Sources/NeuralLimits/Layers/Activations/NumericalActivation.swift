import Foundation

/// Any pointwise function, its dual kernels computed by 2-D Gauss–Hermite quadrature (GSL nodes):
/// `E[f(u)g(v)] ≈ Σᵢⱼ wᵢwⱼ f(√q1·zᵢ)·g(a·zᵢ + b·zⱼ)`, the Cholesky factorisation of the 2 × 2
/// covariance (`GaussHermite.expectation(q1:q2:c12:_:)`).
///
/// The rule with `degree` nodes per axis is exact for polynomials of degree `< 2·degree` and
/// converges geometrically for analytic functions (tanh, softplus, swish); for kinks (ReLU, |x|)
/// it converges only algebraically. `errorEstimate` compares `degree` with `degree/2` nodes.
public struct NumericalActivation: Activation {
  public let name: String
  public let function: @Sendable (Double) -> Double
  public let slope: @Sendable (Double) -> Double
  public let degree: Int
  private let rule: GaussHermite

  /// `function` and its derivative `slope`; `degree` Gauss–Hermite nodes per axis (default 96).
  public init(name: String, degree: Int = 96, function: @escaping @Sendable (Double) -> Double,
              derivative slope: @escaping @Sendable (Double) -> Double) throws {
    self.name = name
    self.function = function
    self.slope = slope
    self.degree = degree
    rule = try GaussHermite(degree: degree)
  }

  public var specification: String { degree == 96 ? name : "\(name)(degree=\(degree))" }

  public func value(_ x: Double) -> Double { function(x) }
  public func derivative(_ x: Double) -> Double { slope(x) }

  public func dual(_ c12: Double, _ v: PairVariances) -> (nngp: Double, derivative: Double) {
    NumericalActivation.dual(rule, function, slope, c12, v.q1, v.q2)
  }

  private static func dual(_ rule: GaussHermite, _ f: (Double) -> Double, _ df: (Double) -> Double,
                           _ c12: Double, _ q1: Double, _ q2: Double) -> (nngp: Double, derivative: Double) {
    // Clamp the covariance into the PSD range so that round-off cannot make the factor complex.
    let bound = (Swift.max(q1, 0) * Swift.max(q2, 0)).squareRoot()
    let c = Swift.min(Swift.max(c12, -bound), bound)
    return (rule.expectation(q1: q1, q2: q2, c12: c) { f($0) * f($1) },
            rule.expectation(q1: q1, q2: q2, c12: c) { df($0) * df($1) })
  }

  public func variance(_ q: Double) -> (nngp: Double, derivative: Double) {
    let s = Swift.max(q, 0).squareRoot()
    return (rule.expectation { let y = function(s * $0); return y * y }, rule.expectation { let y = slope(s * $0); return y * y })
  }

  /// `max(|K_degree − K_{degree/2}|)` over the two dual kernels: a conservative estimate of the
  /// quadrature error at this entry.
  public func errorEstimate(_ c12: Double, _ q1: Double, _ q2: Double) throws -> Double {
    let coarse = NumericalActivation.dual(try GaussHermite(degree: Swift.max(degree / 2, 1)), function, slope, c12, q1, q2)
    let fine = NumericalActivation.dual(rule, function, slope, c12, q1, q2)
    return Swift.max(abs(fine.nngp - coarse.nngp), abs(fine.derivative - coarse.derivative))
  }

  /// `tanh`.
  public static func tanh(degree: Int = 96) throws -> NumericalActivation {
    try NumericalActivation(name: "tanh", degree: degree, function: { Foundation.tanh($0) },
                            derivative: { let t = Foundation.tanh($0); return 1 - t * t })
  }

  /// `softplus(x) = log(1 + eˣ)`.
  public static func softplus(degree: Int = 96) throws -> NumericalActivation {
    try NumericalActivation(name: "softplus", degree: degree,
                            function: { $0 > 30 ? $0 : log1p(exp($0)) },
                            derivative: { 1 / (1 + exp(-$0)) })
  }

  /// `swish(x) = x·σ(x)` (SiLU).
  public static func swish(degree: Int = 96) throws -> NumericalActivation {
    try NumericalActivation(name: "swish", degree: degree, function: { $0 / (1 + exp(-$0)) },
                            derivative: { let s = 1 / (1 + exp(-$0)); return s * (1 + $0 * (1 - s)) })
  }
}
