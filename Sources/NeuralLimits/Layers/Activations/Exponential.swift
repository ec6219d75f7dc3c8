import Foundation

/// `φ(x) = a·exp(b·x)` (neural-tangents' `Exp`): `Σ' = a²·exp(b²(q1 + q2 + 2Σ)/2)`,
/// `E[φ'φ'] = b²·Σ'` (the moment generating function of `u + v`).
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
    let q1 = v.q1, q2 = v.q2
    let k = a * a * exp(b * b * (q1 + q2 + 2 * c12) / 2)
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
}

/// `φ(x) = sign(x)`: `Σ' = 1 − 2θ/π` (`0` when a variance is zero); `φ' = 0` almost everywhere,
/// so the NTK through it is zero, as automatic differentiation gives (neural-tangents' `Sign`).
public struct Sign: Activation {
  public init() {}
  public var specification: String { "sign" }
  public func value(_ x: Double) -> Double { x > 0 ? 1 : (x < 0 ? -1 : 0) }
  public func derivative(_ x: Double) -> Double { 0 }
  public func dual(_ c12: Double, _ v: PairVariances) -> (nngp: Double, derivative: Double) {
    let g = PairGeometry(c12, v)
    return (g.root > 0 ? 1 - 2 * g.angle / Double.pi : 0, 0)
  }
}
