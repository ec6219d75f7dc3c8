import Foundation

/// `φ(x) = a·exp(b·x)` (neural-tangents' `Exp`): `Σ' = a²·exp(b²(q1 + q2 + 2Σ)/2)`,
/// `E[φ'φ'] = b²·Σ'` (the moment generating function of `u + v`), with
/// `q1 + q2 + 2Σ = (√q1 − √q2)² + 2√q1√q2(1 + ρ)` (no cancellation, no overflow before the
/// exponential); variance map `q' = a²·exp(2b²q)`.
public struct Exponential: Activation {
  public let a: Double
  public let b: Double
  public init(a: Double = 1, b: Double = 1) {
    self.a = a
    self.b = b
  }
  public var specification: String { "exp(a=\(a), b=\(b))" }

  public func value(_ x: Double) -> Double { a * exp(b * x) }
  public func derivative(_ x: Double) -> Double { a * b * exp(b * x) }

  public func dual(_ c12: Double, _ v: PairVariances) -> (nngp: Double, derivative: Double) {
    let d = v.root1 - v.root2
    let k = a * a * exp(b * b * (d * d + 2 * v.root * (1 + v.correlation(c12))) / 2)
    return (k, b * b * k)
  }

  public func variance(_ q: Double) -> (nngp: Double, derivative: Double) {
    let k = a * a * exp(2 * b * b * q)
    return (k, b * b * k)
  }
}

/// `φ(x) = x`: `Σ' = Σ`, `E[φ'φ'] = 1`.
public struct Identity: Activation {
  public init() {}
  public var specification: String { "identity" }
  /// Exact for any input distribution, and keeps Gaussian inputs Gaussian.
  public var needsGaussianInput: Bool { false }
  public func outputIsGaussian(inputIsGaussian: Bool) -> Bool { inputIsGaussian }
  public func value(_ x: Double) -> Double { x }
  public func derivative(_ x: Double) -> Double { 1 }
  public func dual(_ c12: Double, _ v: PairVariances) -> (nngp: Double, derivative: Double) {
    (c12, 1)
  }
  public func variance(_ q: Double) -> (nngp: Double, derivative: Double) { (q, 1) }
}

/// `φ(x) = sign(x)`: `Σ' = 1 − 2θ/π` (`0` when a variance is zero, however small the other); `φ' = 0` almost everywhere,
/// so the NTK through it is zero, as automatic differentiation gives (neural-tangents' `Sign`).
public struct Sign: Activation {
  public init() {}
  public var specification: String { "sign" }
  public func value(_ x: Double) -> Double { x > 0 ? 1 : (x < 0 ? -1 : 0) }
  public func derivative(_ x: Double) -> Double { 0 }
  public func dual(_ c12: Double, _ v: PairVariances) -> (nngp: Double, derivative: Double) {
    (v.isNondegenerate ? 1 - 2 * ArcCosine.evaluate(v.correlation(c12)) / Double.pi : 0, 0)
  }
  /// `sign(u)² = 1` unless `u ≡ 0`.
  public func variance(_ q: Double) -> (nngp: Double, derivative: Double) { (q > 0 ? 1 : 0, 0) }
}
