import Foundation

/// Hermite coefficients of `u(√q·z)`, `z ~ N(0, 1)`, for a function and its slope at once, by the
/// trapezoidal rule — on a grid and, from the same terms, on its even nodes (step `2h`), which is
/// how `HermiteProfile` checks the rule.
///
/// With the orthonormal Hermite polynomials `ψₙ = Heₙ/√n!` of `N(0, 1)`, the coefficients are
/// `E[u(√q·z)·ψₙ(z)] ≈ Σₖ gₖ·χₙ(zₖ)` on the nodes `zₖ = k·h`, `|k| ≤ K`, `h = L/K`, with the
/// Hermite functions `χₙ = ψₙ·√φ` (`|χₙ| ≤ (2π)^(−1/4)`) from their stable three-term recurrence
/// `χₙ₊₁ = (z·χₙ − √n·χₙ₋₁)/√(n+1)`, `χ₀ = (2π)^(−1/4)·e^(−z²/4)`, and `gₖ = h·u(√q·zₖ)·√φ(zₖ)`.
/// As `χₙ(−z) = (−1)ⁿ·χₙ(z)`, the nodes `±zₖ` share one recurrence with the weights `gₖ ± g₋ₖ`.
/// The variance `E[u(√q·z)²] ≈ h·Σₖ u(√q·zₖ)²·φ(zₖ)` comes from the same nodes. For integrands
/// analytic in a strip the rule converges exponentially (Trefethen & Weideman, *The exponentially
/// convergent trapezoidal rule*, SIAM Review 56(3), 2014).
struct HermiteQuadrature {
  /// A value for the function and one for its slope.
  struct Pair {
    var function: Double
    var slope: Double
  }

  /// The half-width `L` and the nodes `K` on each side (even, so that the even nodes reach `L` too).
  struct Grid: Equatable {
    let halfWidth: Double
    let nodes: Int
    var step: Double { halfWidth / Double(nodes) }
    /// `2π/h`: the largest frequency the rule integrates without aliasing.
    var bandwidth: Double { 2 * Double.pi / step }
  }

  let grid: Grid
  /// `E[u²]` on the grid and on its even nodes.
  let variance: (fine: Pair, coarse: Pair)
  private let z: [Double]
  private let start: [Double]
  /// Folded weights `gₖ + g₋ₖ` (even `n`) and `gₖ − g₋ₖ` (odd `n`), for the function and the slope.
  private let weights: (evenFunction: [Double], oddFunction: [Double], evenSlope: [Double], oddSlope: [Double])

  init(_ function: (Double) -> Double, _ slope: (Double) -> Double, variance q: Double, grid: Grid) {
    self.grid = grid
    let h = grid.step, root = q.squareRoot(), norm = pow(2 * Double.pi, -0.25)
    z = (0...grid.nodes).map { Double($0) * h }
    start = z.map { norm * exp(-$0 * $0 / 4) }
    var ef = z, of = z, es = z, os = z
    var v = [Pair](repeating: Pair(function: 0, slope: 0), count: 2)  // even and odd k
    for k in z.indices {
      let (fp, fm) = k == 0 ? (function(0), 0.0) : (function(root * z[k]), function(-root * z[k]))
      let (sp, sm) = k == 0 ? (slope(0), 0.0) : (slope(root * z[k]), slope(-root * z[k]))
      let g = h * start[k]
      ef[k] = g * (fp + fm)
      of[k] = g * (fp - fm)
      es[k] = g * (sp + sm)
      os[k] = g * (sp - sm)
      v[k % 2].function += g * start[k] * (fp * fp + fm * fm)
      v[k % 2].slope += g * start[k] * (sp * sp + sm * sm)
    }
    weights = (ef, of, es, os)
    variance = (Pair(function: v[0].function + v[1].function, slope: v[0].slope + v[1].slope),
                Pair(function: 2 * v[0].function, slope: 2 * v[0].slope))
  }

  /// Runs the recurrence, handing `keep` the coefficients `n = 0, 1, …` on the grid and on its
  /// even nodes until it returns false. The values for each `n` do not depend on when `keep` stops.
  func run(_ keep: (_ n: Int, _ fine: Pair, _ coarse: Pair) -> Bool) {
    let count = z.count
    let buffer = UnsafeMutablePointer<Double>.allocate(capacity: 3 * count)
    defer { buffer.deallocate() }
    var previous = buffer, current = buffer + count, next = buffer + 2 * count
    previous.update(repeating: 0, count: count)
    start.withUnsafeBufferPointer { current.update(from: $0.baseAddress!, count: count) }
    z.withUnsafeBufferPointer { pz in
      weights.evenFunction.withUnsafeBufferPointer { ef in
        weights.oddFunction.withUnsafeBufferPointer { of in
          weights.evenSlope.withUnsafeBufferPointer { es in
            weights.oddSlope.withUnsafeBufferPointer { os in
              var n = 0
              while true {
                let (wf, ws) = n % 2 == 0 ? (ef.baseAddress!, es.baseAddress!) : (of.baseAddress!, os.baseAddress!)
                let (f, s) = HermiteQuadrature.step(pz.baseAddress!, wf, ws, previous, current, next, count, n)
                guard keep(n, Pair(function: f.even + f.odd, slope: s.even + s.odd),
                           Pair(function: 2 * f.even, slope: 2 * s.even)) else { return }
                (previous, current, next) = (current, next, previous)
                n += 1
              }
            }
          }
        }
      }
    }
  }

  /// One term: `Σₖ wₖ·χₙ(zₖ)` split into even and odd `k`, for both weights, and `χₙ₊₁` into `next`.
  @inline(__always)
  private static func step(_ z: UnsafePointer<Double>, _ wf: UnsafePointer<Double>, _ ws: UnsafePointer<Double>,
                           _ previous: UnsafeMutablePointer<Double>, _ current: UnsafeMutablePointer<Double>,
                           _ next: UnsafeMutablePointer<Double>, _ count: Int, _ n: Int)
    -> (function: (even: Double, odd: Double), slope: (even: Double, odd: Double))
  {
    let a = Double(n).squareRoot(), b = 1 / Double(n + 1).squareRoot()
    for k in 0..<count { next[k] = (z[k] * current[k] - a * previous[k]) * b }
    return (dot(wf, current, count), dot(ws, current, count))
  }

  /// `Σₖ wₖ·cₖ` over even and over odd `k`, in four independent sums (`k mod 4`), which the
  /// compiler packs into vector lanes.
  @inline(__always)
  private static func dot(_ w: UnsafePointer<Double>, _ c: UnsafePointer<Double>, _ count: Int) -> (even: Double, odd: Double) {
    var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
    var k = 0
    while k + 4 <= count {
      s0 += w[k] * c[k]
      s1 += w[k + 1] * c[k + 1]
      s2 += w[k + 2] * c[k + 2]
      s3 += w[k + 3] * c[k + 3]
      k += 4
    }
    while k < count {
      if k % 2 == 0 { s0 += w[k] * c[k] } else { s1 += w[k] * c[k] }
      k += 1
    }
    return (s0 + s2, s1 + s3)
  }
}
