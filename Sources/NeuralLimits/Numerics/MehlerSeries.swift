import Foundation

extension HermiteProfile {
  /// The terms a pair at correlation `ρ` sums: the fewest `m` whose truncation bound
  /// `|ρ|ᵐ·√(rₘ₋₁(q1)·rₘ₋₁(q2))` is at round-off, `64ε` (for `f`, and with `slope` for `f'` too) —
  /// found by galloping then bisection, the bound falling with `m`; `nil` when no `m` up to the
  /// shorter profile's `count` will do. Summing to round-off rather than to the target costs a few
  /// terms where `|ρ| < 1` and keeps the bound, which is loose for unequal variances, from
  /// overstating the error there. Symmetric in `a` and `b`.
  static func truncation(_ a: HermiteProfile, _ b: HermiteProfile, correlation rho: Double, slope: Bool) -> Int? {
    let logRho = Float(log(abs(rho))), goal = 2 * Float(log(min(a.target / 2, 64 * Double.ulpOfOne)))
    func fits(_ m: Int) -> Bool {
      let f = 2 * Float(m) * logRho + (a.functionTail[m - 1] + b.functionTail[m - 1])
      let s = 2 * Float(m) * logRho + (a.slopeTail[m - 1] + b.slopeTail[m - 1])
      return f <= goal && (!slope || s <= goal)
    }
    let limit = min(a.count, b.count)
    guard fits(limit) else { return nil }
    var low = 0, high = 1  // fits(high); not fits(low), or low = 0
    while !fits(high) { (low, high) = (high, min(2 * high, limit)) }
    while high - low > 1 {
      let mid = (low + high) / 2
      if fits(mid) { high = mid } else { low = mid }
    }
    return high
  }

  /// The dual kernels of a pair by Mehler's formula, summing `terms` terms (at most both counts):
  /// for `(u, v)` with variances `q1`, `q2` and correlation `ρ`, `E[f(u)f(v)] = Σₙ αₙ(q1)·αₙ(q2)·ρⁿ`
  /// and `E[f'(u)f'(v)] = Σₙ βₙ(q1)·βₙ(q2)·ρⁿ` (`E[ψₘ(z1)ψₙ(z2)] = δₘₙ·ρⁿ` for standard normals
  /// of correlation `ρ`; O'Donnell, *Analysis of Boolean Functions*, 2014, §11.2; Daniely,
  /// Frostig & Singer 2016, the dual activation).
  ///
  /// `error` bounds the relative error, relative to `√(V1·V2)` — the kernel's diagonal
  /// `√(K(x,x)·K(x',x'))` — the larger of the two kernels' (only the NNGP's without `slope`):
  /// - truncation, by Cauchy–Schwarz and Parseval: `|ρ|ᵐ·√(rₘ₋₁(q1)·rₘ₋₁(q2))`;
  /// - the coefficients' errors `δ`: `Σ|Δαₙ·αₙ'|·|ρ|ⁿ ≤ ‖Δα‖·‖α'‖`, so `δ(q1) + δ(q2)`;
  /// - rounding in Horner's scheme, by its running error bound `4u·Σₙ|yₙ|·|ρ|ⁿ` over the partial
  ///   sums `yₙ` (Higham, *Accuracy and Stability of Numerical Algorithms*, 2002, §5.1; the factor
  ///   covers the rounded products too).
  ///
  /// Every operation is symmetric in `a` and `b`, so swapping them gives the same bits.
  static func dual(_ a: HermiteProfile, _ b: HermiteProfile, correlation rho: Double, slope: Bool, terms m: Int)
    -> (nngp: Double, derivative: Double, error: Double)
  {
    precondition(m >= 1 && a.count >= m && b.count >= m, "profiles too short for the pair")
    let r = abs(rho)
    var y = 0.0, bound = 0.0, yDot = 0.0, boundDot = 0.0
    a.function.withUnsafeBufferPointer { af in
      b.function.withUnsafeBufferPointer { bf in
        a.slope.withUnsafeBufferPointer { asl in
          b.slope.withUnsafeBufferPointer { bsl in
            var n = m - 1
            if slope {
              while n >= 0 {
                y = y * rho + af[n] * bf[n]
                yDot = yDot * rho + asl[n] * bsl[n]
                bound = bound * r + abs(y)
                boundDot = boundDot * r + abs(yDot)
                n -= 1
              }
            } else {
              while n >= 0 {
                y = y * rho + af[n] * bf[n]
                bound = bound * r + abs(y)
                n -= 1
              }
            }
          }
        }
      }
    }
    let logPower = Double(m) * log(r)
    func relative(_ tail1: Float, _ tail2: Float, _ d1: Double, _ d2: Double, _ rounding: Double, _ v1: Double,
                  _ v2: Double) -> Double {
      let scale = v1.squareRoot() * v2.squareRoot()
      let roundingPart = rounding == 0 ? 0 : 2 * Double.ulpOfOne * rounding / scale
      return exp(logPower + (Double(tail1) + Double(tail2)) / 2) + d1 + d2 + roundingPart
    }
    let e = relative(a.functionTail[m - 1], b.functionTail[m - 1], a.coefficientError.function,
                     b.coefficientError.function, bound, a.moments.function, b.moments.function)
    guard slope else { return (y, 0, e) }
    let eDot = relative(a.slopeTail[m - 1], b.slopeTail[m - 1], a.coefficientError.slope, b.coefficientError.slope,
                        boundDot, a.moments.slope, b.moments.slope)
    return (y, yDot, e.isNaN || eDot.isNaN ? .nan : max(e, eDot))
  }
}
