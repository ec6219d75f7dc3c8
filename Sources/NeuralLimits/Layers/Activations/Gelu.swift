import Foundation

/// GELU, `φ(x) = x·Φ(x)` with `Φ` the standard normal CDF (exact, not the tanh approximation).
///
/// Tsuchida, Pearce, van der Heide, Roosta & Gallagher (2021), as in neural-tangents' `Gelu`:
/// with `P = q1q2`, `P₁ = (1 + q1)(1 + q2)`, `δ = √(P₁ − Σ²)` and `ψ = atan2(Σ, δ)`,
/// `Σ' = Σ/4 + [(Σ² + P·δ²)/(P₁·δ) + Σ·ψ]/(2π)`,
/// `E[φ'φ'] = 1/4 + ψ/(2π) + Σ/(2πδ)·(1/δ² + (1 − P)/P₁ + 1)`.
///
/// Evaluated in scaled variables, stable over the whole double range: with `eᵢ = 1/(1 + qᵢ)`,
/// `tᵢ = qᵢeᵢ`, `ρ` the correlation and `D = δ²/P₁ = e1e2 + t1e2 + e1t2 + t1t2(1 − ρ)(1 + ρ)` (non-negative
/// terms), `ψ = atan2(ρ√(t1t2), √D)`,
/// `Σ' = √(q1q2)·[ρ/4 + (√(t1t2)(ρ²e1e2 + D)/√D + ρψ)/(2π)]` and
/// `E[φ'φ'] = 1/4 + ψ/(2π) + ρ√(t1t2)/(2π√D)·(e1e2/D + e1 + e2)`.
/// Variance map (`ρ = 1`, `ψ = atan2(q, √(1 + 2q))`): `q' = q/4 + (2q·t/√(1 + 2q) + qψ)/(2π)`,
/// `E[φ'²] = 1/4 + ψ/(2π) + q/(2π√(1 + 2q))·(1/(1 + 2q) + 2/(1 + q))`.
public struct Gelu: Activation {
  public init() {}
  public var specification: String { "gelu" }

  public func value(_ x: Double) -> Double { x * 0.5 * erfc(-x / 2.0.squareRoot()) }
  public func derivative(_ x: Double) -> Double {
    0.5 * erfc(-x / 2.0.squareRoot()) + x * exp(-x * x / 2) / (2 * Double.pi).squareRoot()
  }

  public func dual(_ c12: Double, _ v: PairVariances) -> (nngp: Double, derivative: Double) {
    let e1 = 1 / (1 + v.q1), e2 = 1 / (1 + v.q2)
    let t1 = v.q1 * e1, t2 = v.q2 * e2
    let rho = v.correlation(c12)
    let roots = t1.squareRoot() * t2.squareRoot()
    let e12 = e1 * e2
    let d = e12 + (t1 * e2 + e1 * t2) + t1 * t2 * ((1 - rho) * (1 + rho))
    let sqrtD = d.squareRoot()
    let psi = Arctangent.evaluate(rho * roots, sqrtD)
    let k = v.root * (rho / 4 + (roots * (rho * rho * e12 + d) / sqrtD + rho * psi) / (2 * Double.pi))
    let kDot = 0.25 + psi / (2 * Double.pi) + rho * roots / (2 * Double.pi * sqrtD) * (e12 / d + (e1 + e2))
    return (k, kDot)
  }

  public func variance(_ q: Double) -> (nngp: Double, derivative: Double) {
    let root = (1 + 2 * q).squareRoot()
    let psi = Arctangent.evaluate(q, root)
    let t = q / (1 + q)
    let k = q / 4 + (2 * q * t / root + q * psi) / (2 * Double.pi)
    let kDot = 0.25 + psi / (2 * Double.pi) + q / (2 * Double.pi * root) * (1 / (1 + 2 * q) + 2 / (1 + q))
    return (k, kDot)
  }
}
