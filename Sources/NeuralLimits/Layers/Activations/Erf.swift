import Foundation

/// `φ(x) = a·erf(b·x) + c` (neural-tangents' `Erf`; `sigmoid_like` is `a = ½, b = 1/2.40206, c = ½`).
///
/// Williams (1997): `Σ' = a²·(2/π)·arcsin(2b²Σ / √((1 + 2b²q1)(1 + 2b²q2))) + c²`,
/// `E[φ'φ'] = a²·(4b²/π) / √((1 + 2b²q1)(1 + 2b²q2) − 4b⁴Σ²)`.
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

  public func dual(_ c12: Double, _ v: PairVariances) -> (nngp: Double, derivative: Double) {
    let q1 = v.q1, q2 = v.q2
    let b2 = 2 * b * b
    let p = (1 + b2 * q1) * (1 + b2 * q2)
    let ratio = Swift.min(Swift.max(b2 * c12 / p.squareRoot(), -1), 1)
    let det = Swift.max(p - b2 * b2 * c12 * c12, .leastNonzeroMagnitude)
    return (a * a * 2 / Double.pi * asin(ratio) + c * c, a * a * 2 * b2 / Double.pi / det.squareRoot())
  }
}
