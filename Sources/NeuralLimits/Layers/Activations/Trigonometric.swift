import Foundation

/// `φ(x) = a·sin(b·x + c)` (neural-tangents' `Sin`; `cos(a, b, c)` is `sin(a, b, c + π/2)`).
///
/// With `m = b²(q1 + q2 − 2Σ)/2` and `p = b²(q1 + q2 + 2Σ)/2` (the characteristic functions of
/// `u ∓ v`): `Σ' = a²/2·(e^{−m} − e^{−p}·cos 2c)`, `E[φ'φ'] = a²b²/2·(e^{−m} + e^{−p}·cos 2c)`.
///
/// Stable form: `q1 + q2 ∓ 2Σ = (√q1 − √q2)² + 2√q1√q2(1 ∓ ρ)`; the larger exponential
/// `e^{−min(m, p)}` is factored out and, with `y = |p − m| = 2b²|Σ|`, the brackets are
/// `−expm1(−y) + 2e^{−y}sin²c` and `−expm1(−y) + 2e^{−y}cos²c` for `Σ ≥ 0`,
/// `expm1(−y) + 2sin²c` and `expm1(−y) + 2cos²c` for `Σ < 0` — exact for tiny variances (where
/// `e^{−m} − e^{−p}` rounds to 0) and free of overflow. Variance map (`Σ = q`):
/// `q' = a²/2·(−expm1(−2b²q) + 2e^{−2b²q}sin²c)`, `E[φ'²] = a²b²/2·(−expm1(−2b²q) + 2e^{−2b²q}cos²c)`.
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
    let half = b * b / 2
    let rho = v.correlation(c12)
    let d = v.root1 - v.root2
    let m = half * (d * d + 2 * v.root * (1 - rho)), p = half * (d * d + 2 * v.root * (1 + rho))
    let y = 4 * half * v.root * abs(rho)
    let sin2 = sin(c) * sin(c), cos2 = cos(c) * cos(c)
    let scale = exp(-min(m, p))
    let (k, kDot): (Double, Double)
    if p >= m {
      let decay = exp(-y), rise = -expm1(-y)
      (k, kDot) = (rise + 2 * decay * sin2, rise + 2 * decay * cos2)
    } else {
      let fall = expm1(-y)
      (k, kDot) = (fall + 2 * sin2, fall + 2 * cos2)
    }
    return (a * a / 2 * scale * k, a * a * b * b / 2 * scale * kDot)
  }

  public func variance(_ q: Double) -> (nngp: Double, derivative: Double) {
    let y = 2 * b * b * q
    let decay = exp(-y), rise = -expm1(-y)
    let sin2 = sin(c) * sin(c), cos2 = cos(c) * cos(c)
    return (a * a / 2 * (rise + 2 * decay * sin2), a * a * b * b / 2 * (rise + 2 * decay * cos2))
  }
}

/// Random Fourier features, `φ(x) = √2·sin(√(2γ)·x + π/4)` (neural-tangents' `Rbf`), whose
/// NNGP is the RBF kernel: `Σ' = exp(−γ(q1 + q2 − 2Σ))`, `E[φ'φ'] = 2γ·Σ'`, with
/// `q1 + q2 − 2Σ = (√q1 − √q2)² + 2√q1√q2(1 − ρ)`; the variance map is exactly `(1, 2γ)`.
public struct RBF: Activation {
  public let gamma: Double
  public init(gamma: Double = 1) { self.gamma = gamma }
  public var specification: String { "rbf(gamma=\(gamma))" }

  public func value(_ x: Double) -> Double { 2.0.squareRoot() * sin((2 * gamma).squareRoot() * x + Double.pi / 4) }
  public func derivative(_ x: Double) -> Double {
    2.0.squareRoot() * (2 * gamma).squareRoot() * cos((2 * gamma).squareRoot() * x + Double.pi / 4)
  }

  public func dual(_ c12: Double, _ v: PairVariances) -> (nngp: Double, derivative: Double) {
    let d = v.root1 - v.root2
    let k = exp(-gamma * (d * d + 2 * v.root * (1 - v.correlation(c12))))
    return (k, 2 * gamma * k)
  }

  public func variance(_ q: Double) -> (nngp: Double, derivative: Double) { (1, 2 * gamma) }
}
