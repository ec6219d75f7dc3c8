import Foundation

/// GELU, `φ(x) = x·Φ(x)` with `Φ` the standard normal CDF (exact, not the tanh approximation).
///
/// Tsuchida, Pearce, van der Heide, Roosta & Gallagher (2021), as in neural-tangents' `Gelu`:
/// with `P = q1q2`, `P₁ = (1 + q1)(1 + q2)`, `δ = √(P₁ − Σ²)` and `ψ = atan2(Σ, δ)`,
/// `Σ' = Σ/4 + [(Σ² + P·δ²)/(P₁·δ) + Σ·ψ]/(2π)`,
/// `E[φ'φ'] = 1/4 + ψ/(2π) + Σ/(2πδ)·(1/δ² + (1 − P)/P₁ + 1)`.
public struct Gelu: Activation {
  public init() {}
  public var specification: String { "gelu" }

  public func value(_ x: Double) -> Double { x * 0.5 * erfc(-x / 2.0.squareRoot()) }
  public func derivative(_ x: Double) -> Double {
    0.5 * erfc(-x / 2.0.squareRoot()) + x * exp(-x * x / 2) / (2 * Double.pi).squareRoot()
  }

  public func dual(_ c12: Double, _ v: PairVariances) -> (nngp: Double, derivative: Double) {
    let q1 = v.q1, q2 = v.q2
    let p = q1 * q2, p1 = (1 + q1) * (1 + q2)
    let delta2 = p1 - c12 * c12
    let delta = delta2.squareRoot()
    let psi = atan2(c12, delta)
    let k = c12 / 4 + ((c12 * c12 + p * delta2) / (p1 * delta) + c12 * psi) / (2 * Double.pi)
    let kDot = 0.25 + psi / (2 * Double.pi) + c12 / (2 * Double.pi * delta) * (1 / delta2 + (1 - p) / p1 + 1)
    return (k, kDot)
  }
}
