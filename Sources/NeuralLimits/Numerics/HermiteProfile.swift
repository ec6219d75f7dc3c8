import Foundation

/// The Hermite expansion of an activation `f` and its slope `f'` at one pre-activation variance
/// `q`, to a stated accuracy: everything its dual kernels need (`HermiteProfile.dual`).
///
/// With `ψₙ = Heₙ/√n!`, `αₙ = E[f(√q·z)·ψₙ(z)]` and `βₙ = E[f'(√q·z)·ψₙ(z)]`, `z ~ N(0, 1)`
/// (`HermiteQuadrature`). Parseval, `V = E[f(√q·z)²] = Σ αₙ²`, gives the relative energy left
/// after `n` terms, `rₙ = (V − Σ_{m≤n} αₘ²)/V`, without the rest of the series.
///
/// Error control:
/// - the grid: from `L = 13` (wider if `|u(√q·L)|·√φ(L)` is not below `10⁻¹⁸` of its largest value),
///   nodes grow by 5/4 until the rule on the even nodes agrees with the full one to
///   `agreement = 10⁻¹³` — `|ΔV|/V` and `‖Δα‖/√V`, over every term kept. That difference is the
///   error of the coarse rule; the full one, used, is at least as good (exponential convergence
///   squares the error at each halving), so it is reported as the error `δ` of the coefficients.
///   At `maxNodes` without agreement (kinks, which converge algebraically), `2·Δ` is reported.
/// - the terms: until `rₙ ≤ target/2` for both `f` and `f'` (`needed`), at most `maxTerms`. The
///   subtraction `V − Σ αₘ²` carries the errors of `V` and of the coefficients (`|ΔV|/V + 2‖α‖‖Δα‖/V
///   ≤ 3δ`) and its rounding, so `rₙ` is taken as the computed value plus `3δ + 8ε`.
/// - later extension (`extended(to:)`, for a partner with a longer expansion) runs the same
///   recurrence on the same grid, so the terms already computed do not change; the grid is refined
///   up front so that it resolves the Hermite functions up to `maxTerms` (their spectrum ends near
///   `√n`), on top of the band the check found for `f`.
final class HermiteProfile: Sendable {
  /// Largest number of terms: variances up to about 380 for `tanh` at `target = 10⁻¹⁰` (2000 for
  /// swish, 3000 for softplus).
  static let maxTerms = 1 << 15
  /// Largest number of nodes on each side of 0.
  static let maxNodes = 1 << 12
  /// Agreement of the grid with its even nodes, relative: near round-off.
  static let agreement = 1e-13

  let variance: Double
  let grid: HermiteQuadrature.Grid
  /// `E[f(√q·z)²]` and `E[f'(√q·z)²]`.
  let moments: HermiteQuadrature.Pair
  /// `αₙ` and `βₙ`, `n < count`.
  let function: [Double]
  let slope: [Double]
  /// `log rₙ` for `f` and `f'` (relative energy beyond term `n`, plus its own error `3δ + 8ε`).
  let functionTail: [Float]
  let slopeTail: [Float]
  /// Terms needed for `rₙ ≤ target/2` (for `f` and for `f'`), or all computed at `maxTerms`.
  let needed: (function: Int, slope: Int)
  /// `δ`: relative errors of the coefficients and variances (ℓ2, from the grid check).
  let coefficientError: HermiteQuadrature.Pair
  let target: Double

  var count: Int { function.count }

  private init(variance: Double, grid: HermiteQuadrature.Grid, moments: HermiteQuadrature.Pair, function: [Double],
               slope: [Double], needed: (Int, Int)?, coefficientError: HermiteQuadrature.Pair, target: Double) {
    self.variance = variance
    self.grid = grid
    self.moments = moments
    self.function = function
    self.slope = slope
    functionTail = HermiteProfile.tails(function, moments.function, coefficientError.function)
    slopeTail = HermiteProfile.tails(slope, moments.slope, coefficientError.slope)
    self.coefficientError = coefficientError
    self.target = target
    let goal = Float(log(target / 2))
    func first(_ tail: [Float]) -> Int { (tail.firstIndex { $0 <= goal } ?? (tail.count - 1)) + 1 }
    self.needed = needed ?? (first(functionTail), first(slopeTail))
  }

  /// The largest relative error of any dual kernel at this variance, after `needed` terms
  /// (truncation at `ρ = ±1` and the coefficients of both sides).
  var worstError: Double {
    let f = exp(Double(functionTail[needed.function - 1])) + 2 * coefficientError.function
    let s = exp(Double(slopeTail[needed.slope - 1])) + 2 * coefficientError.slope
    return f.isNaN || s.isNaN ? .nan : max(f, s)
  }

  /// Whether every dual kernel at this variance meets the target (up to rounding in the sums,
  /// which the entries' own estimates add).
  var meetsTarget: Bool { worstError <= target }

  /// `log(max((V − Σ_{m≤n} αₘ²)/V, 0) + 3δ + 8ε)` (`V = 0`: just the error term).
  private static func tails(_ a: [Double], _ v: Double, _ error: Double) -> [Float] {
    let floor = 3 * error + 8 * Double.ulpOfOne
    var left = v
    return a.map { c in
      left -= c * c
      return Float(log((v > 0 ? max(left / v, 0) : 0) + floor))
    }
  }

  /// The profile of `f` (slope `df`) at variance `q`, to relative accuracy `target`.
  static func make(_ f: (Double) -> Double, _ df: (Double) -> Double, variance q: Double, target: Double) -> HermiteProfile {
    let q = q <= 0 ? 0 : q  // NaN stays NaN
    let halfWidth = HermiteProfile.halfWidth(f, df, q)
    // Start near the step that resolves f(√q·z) at unit width; grow by 5/4.
    var nodes = evenNodes(halfWidth * max(q, 1).squareRoot() / 0.8)
    while true {
      let last = nodes >= maxNodes
      let rule = HermiteQuadrature(f, df, variance: q, grid: .init(halfWidth: halfWidth, nodes: nodes))
      if let check = check(rule, target: target, final: last) {
        // The coarse rule's error bounds the fine one's when it converged (to `agreement`); when it
        // did not (kinks converge at first or second order), allow twice that.
        let error = check.agreed ? check.error : .init(function: 2 * check.error.function, slope: 2 * check.error.slope)
        // Refined only when the check agreed (below `maxNodes`).
        let final = refined(rule, f, df, q)
        let (a, b) = final.grid == rule.grid ? (check.function, check.slope) : series(final, target: target)
        return HermiteProfile(variance: q, grid: final.grid, moments: final.variance.fine, function: a, slope: b,
                              needed: nil, coefficientError: error, target: target)
      }
      nodes = evenNodes(Double(nodes) * 1.25 + 2)
    }
  }

  /// The same profile with at least `terms` terms (same grid: the first `count` are unchanged).
  func extended(to terms: Int, _ f: (Double) -> Double, _ df: (Double) -> Double) -> HermiteProfile {
    let terms = min(terms, HermiteProfile.maxTerms)
    guard terms > count else { return self }
    var a: [Double] = [], b: [Double] = []
    HermiteQuadrature(f, df, variance: variance, grid: grid).run { n, fine, _ in
      a.append(fine.function)
      b.append(fine.slope)
      return n + 1 < terms
    }
    return HermiteProfile(variance: variance, grid: grid, moments: moments, function: a, slope: b, needed: needed,
                          coefficientError: coefficientError, target: target)
  }

  /// Whether to stop after term `n`: both tails (`left`, absolute) within `target/2`, within ten
  /// times the coefficients' error `errorScale` when that is larger, or at round-off (`4ε·V`, below
  /// which Parseval cannot see); or `maxTerms` reached — 256 when the coefficients already miss
  /// the target (their estimate then says so; no point paying for more).
  private static func done(_ n: Int, _ left: HermiteQuadrature.Pair, _ v: HermiteQuadrature.Pair, target: Double,
                           errorScale: HermiteQuadrature.Pair?) -> Bool {
    let floor = 4 * Double.ulpOfOne
    let f = max(target / 2, 10 * (errorScale?.function ?? 0), floor)
    let s = max(target / 2, 10 * (errorScale?.slope ?? 0), floor)
    let hopeless = errorScale.map { max($0.function, $0.slope) > target / 8 } ?? false
    return (left.function <= f * v.function && left.slope <= s * v.slope) || n + 1 >= (hopeless ? 256 : maxTerms)
      || !left.function.isFinite || !left.slope.isFinite
  }

  /// The terms on `rule` until `done`.
  private static func series(_ rule: HermiteQuadrature, target: Double) -> ([Double], [Double]) {
    var a: [Double] = [], b: [Double] = []
    var left = rule.variance.fine
    rule.run { n, fine, _ in
      a.append(fine.function)
      b.append(fine.slope)
      left.function -= fine.function * fine.function
      left.slope -= fine.slope * fine.slope
      return !done(n, left, rule.variance.fine, target: target, errorScale: nil)
    }
    return (a, b)
  }

  private struct Check {
    var function: [Double] = []
    var slope: [Double] = []
    /// `|ΔV|/V` and `‖Δα‖/√V` between the grid and its even nodes (the larger).
    var error: HermiteQuadrature.Pair
    var agreed = true
  }

  /// The terms on `rule` until `done`, compared with its even nodes. `nil` as soon as they differ
  /// by more than `agreement` — unless `final`, where the difference is the result (and the terms
  /// stop once the tails are within ten times it).
  private static func check(_ rule: HermiteQuadrature, target: Double, final: Bool) -> Check? {
    let v = rule.variance.fine, c = rule.variance.coarse
    func relative(_ d: Double, _ scale: Double) -> Double { d == 0 ? 0 : d / scale }
    var result = Check(error: .init(function: relative(abs(v.function - c.function), v.function),
                                    slope: relative(abs(v.slope - c.slope), v.slope)))
    var squared = HermiteQuadrature.Pair(function: 0, slope: 0), left = v
    func agrees() -> Bool { result.error.function <= agreement && result.error.slope <= agreement }
    guard agrees() || final else { return nil }
    rule.run { n, fine, coarse in
      result.function.append(fine.function)
      result.slope.append(fine.slope)
      squared.function += (fine.function - coarse.function) * (fine.function - coarse.function)
      squared.slope += (fine.slope - coarse.slope) * (fine.slope - coarse.slope)
      result.error.function = max(result.error.function, relative(squared.function.squareRoot(), v.function.squareRoot()))
      result.error.slope = max(result.error.slope, relative(squared.slope.squareRoot(), v.slope.squareRoot()))
      left.function -= fine.function * fine.function
      left.slope -= fine.slope * fine.slope
      guard agrees() || final else { return false }
      return !done(n, left, v, target: target, errorScale: agrees() ? nil : result.error)
    }
    result.agreed = agrees()
    return result.agreed || final ? result : nil
  }

  /// The grid for the final terms: bandwidth `Ω/2 + √maxTerms + 9`, where the even nodes of
  /// `rule` (bandwidth `Ω/2`) sufficed for `f` and the Hermite functions' spectrum ends near `√n`.
  private static func refined(_ rule: HermiteQuadrature, _ f: (Double) -> Double, _ df: (Double) -> Double,
                              _ q: Double) -> HermiteQuadrature {
    let bandwidth = rule.grid.bandwidth / 2 + Double(maxTerms).squareRoot() + 9
    let nodes = evenNodes(bandwidth * rule.grid.halfWidth / (2 * Double.pi))
    guard nodes > rule.grid.nodes else { return rule }
    return HermiteQuadrature(f, df, variance: q, grid: .init(halfWidth: rule.grid.halfWidth, nodes: nodes))
  }

  /// An even node count `≥ x`, at most `maxNodes` (also for infinite or NaN `x`).
  private static func evenNodes(_ x: Double) -> Int {
    x < Double(maxNodes) ? 2 * Int((x / 2).rounded(.up)) : maxNodes
  }

  /// `L ≥ 13` such that `|u(±√q·L)|·√φ(L) ≤ 10⁻¹⁸·max |u(√q·z)|·√φ(z)` for `u = f, f'` (at most 37).
  private static func halfWidth(_ f: (Double) -> Double, _ df: (Double) -> Double, _ q: Double) -> Double {
    let root = q.squareRoot()
    func weighted(_ u: (Double) -> Double, _ z: Double) -> Double { max(abs(u(root * z)), abs(u(-root * z))) * exp(-z * z / 4) }
    var width = 13.0
    while width < 37 {
      let samples = stride(from: 0.0, through: width, by: 0.5)
      let peakF = samples.map { weighted(f, $0) }.max()!, peakS = samples.map { weighted(df, $0) }.max()!
      if weighted(f, width) <= 1e-18 * peakF && weighted(df, width) <= 1e-18 * peakS { break }
      width += 4
    }
    return width
  }
}
