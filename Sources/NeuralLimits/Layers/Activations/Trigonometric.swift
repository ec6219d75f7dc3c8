import Foundation

/// `φ(x) = a·sin(b·x + c)` (neural-tangents' `Sin`; `cos(a, b, c)` is `sin(a, b, c + π/2)`).
///
/// With `E±` = `exp(−b²(q1 + q2 ∓ 2Σ)/2)` (the characteristic function of `u ∓ v`):
/// `Σ' = a²/2·(E₊ − E₋·cos 2c)`, `E[φ'φ'] = a²b²/2·(E₊ + E₋·cos 2c)`.
public struct Sine: Activation {
  public let a: Double
  public let b: Double
  public let c: Double
  public let specification: String

  public init(a: Double = 1, b: Double = 1, c: Double = 0, specification: String? = nil) {
    self.a = a
    self.b = b
    self.c = c
    self.specification = specification ?? "sin(a=\(a), b=\(b), c=\(c))"
  }

  /// `a·cos(b·x + c)`.
  public static func cosine(a: Double = 1, b: Double = 1, c: Double = 0) -> Sine {
    Sine(a: a, b: b, c: c + Double.pi / 2, specification: "cos(a=\(a), b=\(b), c=\(c))")
  }

  public func value(_ x: Double) -> Double { a * sin(b * x + c) }
  public func derivative(_ x: Double) -> Double { a * b * cos(b * x + c) }

  public func dual(_ c12: Double, _ v: PairVariances) -> (nngp: Double, derivative: Double) {
    let q1 = v.q1, q2 = v.q2
    let half = b * b / 2
    let minus = exp(-half * (q1 + q2 - 2 * c12)), plus = exp(-half * (q1 + q2 + 2 * c12)) * cos(2 * c)
    return (a * a / 2 * (minus - plus), a * a * b * b / 2 * (minus + plus))
  }
}

/// Random Fourier features, `φ(x) = √2·sin(√(2γ)·x + π/4)` (neural-tangents' `Rbf`), whose
/// NNGP is the RBF kernel: `Σ' = exp(−γ(q1 + q2 − 2Σ))`, `E[φ'φ'] = 2γ·Σ'`.
public struct RBF: Activation {
  public let gamma: Double
  public init(gamma: Double = 1) { self.gamma = gamma }
  public var specification: String { "rbf(gamma=\(gamma))" }

  public func value(_ x: Double) -> Double { 2.0.squareRoot() * sin((2 * gamma).squareRoot() * x + Double.pi / 4) }
  public func derivative(_ x: Double) -> Double {
    2.0.squareRoot() * (2 * gamma).squareRoot() * cos((2 * gamma).squareRoot() * x + Double.pi / 4)
  }

  public func dual(_ c12: Double, _ v: PairVariances) -> (nngp: Double, derivative: Double) {
    let q1 = v.q1, q2 = v.q2
    let k = exp(-gamma * (q1 + q2 - 2 * c12))
    return (k, 2 * gamma * k)
  }
}
