import Foundation

/// `φ(x) = x^d` (neural-tangents' `Monomial`, any degree here).
///
/// Expanding `x^d = Σⱼ αⱼ Heⱼ(x)` in Hermite polynomials, `αⱼ = d!/(j!·((d−j)/2)!·2^{(d−j)/2})`
/// for `d − j` even, and using `E[Heⱼ(u)Heₖ(v)] = δⱼₖ·j!·cʲ` (Mehler):
/// `Σ' = (q1q2)^{d/2}·Σⱼ αⱼ²·j!·ρʲ` — a polynomial in the correlation `ρ`, exact for any
/// covariance, scaled by `√(q1q2)^d` (formed from the roots, so it overflows only when the
/// result does) — and `E[φ'φ'] = d²·E[u^{d−1}v^{d−1}]`. Variance map (`ρ = 1`):
/// `q' = (2d − 1)!!·q^d`, `E[φ'²] = d²(2d − 3)!!·q^{d−1}`.
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

  /// `Σⱼ coefficientsⱼ·ρʲ` (Horner).
  static func evaluate(_ coefficients: [Double], _ rho: Double) -> Double {
    coefficients.reversed().reduce(0) { $0 * rho + $1 }
  }

  public func value(_ x: Double) -> Double { pow(x, Double(degree)) }
  public func derivative(_ x: Double) -> Double { degree == 0 ? 0 : Double(degree) * pow(x, Double(degree - 1)) }

  public func dual(_ c12: Double, _ v: PairVariances) -> (nngp: Double, derivative: Double) {
    let rho = v.correlation(c12), root = v.root, d = Double(degree)
    let k = pow(root, d) * Monomial.evaluate(coefficients, rho)
    let kDot = degree == 0 ? 0 : d * d * pow(root, d - 1) * Monomial.evaluate(derivativeCoefficients, rho)
    return (k, kDot)
  }

  public func variance(_ q: Double) -> (nngp: Double, derivative: Double) {
    let d = Double(degree)
    let k = pow(q, d) * Monomial.evaluate(coefficients, 1)
    let kDot = degree == 0 ? 0 : d * d * pow(q, d - 1) * Monomial.evaluate(derivativeCoefficients, 1)
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

  /// `J₀ … J_d` at the angle `θ` with `c = cos θ`, `sine = sin θ`.
  static func arcCosine(_ degree: Int, c: Double, sine: Double, angle: Double) -> [Double] {
    var j = [Double.pi - angle]
    if degree >= 1 { j.append(sine + (Double.pi - angle) * c) }
    if degree >= 2 {
      for n in 2...degree {
        let dn = Double(n)
        j.append((2 * dn - 1) * c * j[n - 1] + (dn - 1) * (dn - 1) * sine * sine * j[n - 2])
      }
    }
    return j
  }

  public func dual(_ c12: Double, _ v: PairVariances) -> (nngp: Double, derivative: Double) {
    let g = PairGeometry(c12, v)
    return moments(RectifiedMonomial.arcCosine(degree, c: g.c, sine: g.sine, angle: g.angle), root: g.root)
  }

  /// The variance map: the angle is 0, `J_d(0) = π·(2d − 1)!!`.
  public func variance(_ q: Double) -> (nngp: Double, derivative: Double) {
    moments(RectifiedMonomial.arcCosine(degree, c: 1, sine: 0, angle: 0), root: q)
  }

  /// `(root^d·J_d/(2π), d²·root^{d−1}·J_{d−1}/(2π))`.
  private func moments(_ j: [Double], root: Double) -> (nngp: Double, derivative: Double) {
    let d = Double(degree)
    let k = pow(root, d) * j[degree] / (2 * Double.pi)
    let kDot = degree == 0 ? 0 : d * d * pow(root, d - 1) * j[degree - 1] / (2 * Double.pi)
    return (k, kDot)
  }
}
