import Foundation

/// `φ(x) = x^d` (neural-tangents' `Monomial`, any degree here).
///
/// Expanding `x^d = Σⱼ αⱼ Heⱼ(x)` in Hermite polynomials, `αⱼ = d!/(j!·((d−j)/2)!·2^{(d−j)/2})`
/// for `d − j` even, and using `E[Heⱼ(u)Heₖ(v)] = δⱼₖ·j!·cʲ` (Mehler):
/// `Σ' = Σⱼ αⱼ²·j!·Σʲ·(q1q2)^{(d−j)/2}` — a polynomial, exact for any covariance — and
/// `E[φ'φ'] = d²·E[u^{d−1}v^{d−1}]`.
public struct Monomial: Activation {
  public let degree: Int
  /// `αⱼ²·j!` for the degree and for `degree − 1`.
  private let coefficients: [Double]
  private let derivativeCoefficients: [Double]

  public init(degree: Int) {
    self.degree = degree
    coefficients = Monomial.coefficients(degree)
    derivativeCoefficients = degree > 0 ? Monomial.coefficients(degree - 1) : []
  }

  public var specification: String { "monomial(degree=\(degree))" }

  static func coefficients(_ d: Int) -> [Double] {
    func factorial(_ n: Int) -> Double { n < 2 ? 1 : (2...n).reduce(1.0) { $0 * Double($1) } }
    return (0...d).map { j in
      guard (d - j) % 2 == 0 else { return 0 }
      let alpha = factorial(d) / (factorial(j) * factorial((d - j) / 2) * pow(2, Double((d - j) / 2)))
      return alpha * alpha * factorial(j)
    }
  }

  /// `Σⱼ coefficientsⱼ·Σʲ·P^{(d−j)/2}` with `P = q1q2` (only even `d − j` are non-zero).
  static func evaluate(_ coefficients: [Double], _ c12: Double, _ product: Double) -> Double {
    let d = coefficients.count - 1
    var sum = 0.0
    for j in stride(from: d, through: 0, by: -2) {
      sum += coefficients[j] * pow(c12, Double(j)) * pow(product, Double((d - j) / 2))
    }
    return sum
  }

  public func value(_ x: Double) -> Double { pow(x, Double(degree)) }
  public func derivative(_ x: Double) -> Double { degree == 0 ? 0 : Double(degree) * pow(x, Double(degree - 1)) }

  public func dual(_ c12: Double, _ v: PairVariances) -> (nngp: Double, derivative: Double) {
    let p = v.q1 * v.q2
    let k = Monomial.evaluate(coefficients, c12, p)
    let kDot = degree == 0 ? 0 : Double(degree * degree) * Monomial.evaluate(derivativeCoefficients, c12, p)
    return (k, kDot)
  }
}

/// `φ(x) = max(x, 0)^d` (`1[x ≥ 0]` for `d = 0`; neural-tangents' `RectifiedMonomial`).
///
/// Cho & Saul (2009): `Σ' = (q1q2)^{d/2}·J_d(θ)/(2π)` with `J₀ = π − θ`,
/// `J₁ = sin θ + (π − θ)·cos θ` and `J_d = (2d − 1)·cos θ·J_{d−1} + (d − 1)²·sin²θ·J_{d−2}`;
/// by Price's theorem `E[φ'φ'] = d²·(q1q2)^{(d−1)/2}·J_{d−1}(θ)/(2π)`.
public struct RectifiedMonomial: Activation {
  public let degree: Int
  public init(degree: Int) { self.degree = degree }
  public var specification: String { "rectified_monomial(degree=\(degree))" }

  public func value(_ x: Double) -> Double { x >= 0 ? pow(x, Double(degree)) : 0 }
  public func derivative(_ x: Double) -> Double { degree == 0 || x <= 0 ? 0 : Double(degree) * pow(x, Double(degree - 1)) }

  /// `J₀ … J_d` at the angle.
  static func arcCosine(_ degree: Int, _ g: PairGeometry) -> [Double] {
    var j = [Double.pi - g.angle]
    if degree >= 1 { j.append(g.sine + (Double.pi - g.angle) * g.c) }
    if degree >= 2 {
      for n in 2...degree {
        let dn = Double(n)
        j.append((2 * dn - 1) * g.c * j[n - 1] + (dn - 1) * (dn - 1) * g.sine * g.sine * j[n - 2])
      }
    }
    return j
  }

  public func dual(_ c12: Double, _ v: PairVariances) -> (nngp: Double, derivative: Double) {
    let g = PairGeometry(c12, v)
    let j = RectifiedMonomial.arcCosine(degree, g)
    let d = Double(degree)
    let k = pow(g.root, d) * j[degree] / (2 * Double.pi)
    let kDot = degree == 0 ? 0 : d * d * pow(g.root, d - 1) * j[degree - 1] / (2 * Double.pi)
    return (k, kDot)
  }
}
