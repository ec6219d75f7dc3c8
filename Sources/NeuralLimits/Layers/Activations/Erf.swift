import Foundation

/// `φ(x) = a·erf(b·x) + c` (neural-tangents' `Erf`; `sigmoid_like` is `a = ½, b = 1/2.40206, c = ½`).
///
/// Williams (1997): with `β = 2b²`, `Σ' = a²·(2/π)·arcsin(βΣ / √((1 + βq1)(1 + βq2))) + c²`,
/// `E[φ'φ'] = a²·(2β/π) / √((1 + βq1)(1 + βq2) − β²Σ²)`.
///
/// Evaluated in a form that is stable over the whole double range: with the per-input feature
/// `fᵢ = 1/√(1 + βqᵢ)` (computed once per input, `inputFeature`), `eᵢ = fᵢ²`, `√tᵢ = √β·√qᵢ·fᵢ`
/// (so `tᵢ = βqᵢeᵢ`) and `ρ` the correlation, the arcsine argument is `r = ρ√(t1t2)` and
/// `1 − r² = e1 + e2 − e1e2 + t1t2(1 − ρ)(1 + ρ)` — no cancellation (`e1 + e2 − e1e2 ≥ max(e1, e2)`),
/// so neither the arcsine (taken as `atan2(r, √(1 − r²))`, by `Arctangent`) nor the derivative
/// kernel `a²(2β/π)·f1f2/√(1 − r²)` suffers the cancellation of `(1 + βq1)(1 + βq2) − β²Σ²`, and no
/// product of variances overflows. Per entry that leaves one root and two divisions. Variance
/// map: `q' = a²(2/π)·atan2(βq, √(1 + 2βq)) + c²`, `E[φ'²] = a²(2β/π)/√(1 + 2βq)`.
public struct Erf: Activation {
  public let a: Double
  public let b: Double
  public let c: Double
  public let specification: String

  public init(a: Double = 1, b: Double = 1, c: Double = 0, specification: String? = nil) {
    self.a = a
    self.b = b
    self.c = c
    self.specification = specification ?? "erf(a=\(a), b=\(b), c=\(c))"
  }

  /// neural-tangents' `Sigmoid_like`: `½·erf(x/2.4020563531719796) + ½`.
  public static let sigmoidLike = Erf(a: 0.5, b: 1 / 2.4020563531719796, c: 0.5, specification: "sigmoid_like")

  public func value(_ x: Double) -> Double { a * erf(b * x) + c }
  public func derivative(_ x: Double) -> Double { a * b * 2 / Double.pi.squareRoot() * exp(-b * b * x * x) }

  /// `1/√(1 + βq)`.
  public func inputFeature(_ q: Double) -> Double { 1 / (1 + 2 * b * b * q).squareRoot() }

  public func dual(_ c12: Double, _ v: PairVariances) -> (nngp: Double, derivative: Double) {
    dual(c12, v, features: inputFeature(v.q1), inputFeature(v.q2))
  }

  @inline(__always)
  public func dual(_ c12: Double, _ v: PairVariances, features f1: Double, _ f2: Double) -> (nngp: Double, derivative: Double) {
    let beta = 2 * b * b
    let e1 = f1 * f1, e2 = f2 * f2
    let roots = (beta.squareRoot() * v.root1 * f1) * (beta.squareRoot() * v.root2 * f2)
    let rho = v.correlation(c12)
    let complement = ((e1 + e2) - e1 * e2 + roots * roots * ((1 - rho) * (1 + rho))).squareRoot()
    let k = a * a * 2 / Double.pi * Arctangent.evaluate(rho * roots, complement) + c * c
    let kDot = a * a * 2 * beta / Double.pi * (f1 * f2) / complement
    return (k, kDot)
  }

  public func variance(_ q: Double) -> (nngp: Double, derivative: Double) {
    let beta = 2 * b * b
    let root = (1 + 2 * beta * q).squareRoot()
    return (a * a * 2 / Double.pi * Arctangent.evaluate(beta * q, root) + c * c, a * a * 2 * beta / Double.pi / root)
  }
}
