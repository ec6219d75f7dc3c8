import Foundation

/// Any pointwise function, its dual kernels from its Hermite expansion to a target relative
/// error `tolerance` (default 10⁻¹⁰): per variance `q` the coefficients
/// `αₙ(q) = E[f(√q·z)·Heₙ(z)/√n!]` (and `βₙ` for `f'`) by an error-controlled trapezoidal rule
/// (`HermiteProfile`), per entry Mehler's formula `E[f(u)f(v)] = Σₙ αₙ(q1)·αₙ(q2)·ρⁿ`
/// (`HermiteProfile.dual`). Per variance, not per entry: a layer sees `n1 + n2` variances and
/// `n1·n2` entries.
///
/// Errors are relative to the kernel's diagonal, `√(K(x,x)·K(x',x'))` (an entry can vanish, the
/// diagonal cannot), for the NNGP `E[f(u)f(v)]` and the derivative kernel `E[f'(u)f'(v)]` alike.
/// `estimatedDual`/`estimatedVariance` return a bound on it (truncation by Parseval, coefficients
/// by the rule checked against its even nodes, rounding by a running bound). At 10⁻¹⁰ the target
/// holds for `tanh` up to variances of about 380 (the expansion needs `~90·q` terms), for swish
/// 2000, for softplus 3000; kinks (ReLU through this type) converge only algebraically and the
/// estimates say so. In a network, an entry whose estimate exceeds `tolerance` makes the
/// evaluation throw (`QuadratureReport`), after the variance maps already when a variance is out
/// of reach.
public struct NumericalActivation: Activation {
  public let name: String
  public let function: @Sendable (Double) -> Double
  public let slope: @Sendable (Double) -> Double
  /// The target relative error of every dual kernel entry, in `(0, 10⁻²]`.
  public let tolerance: Double
  private let profiles: HermiteProfileCache

  /// `function` and its derivative `slope`, to relative error `tolerance`.
  public init(name: String, tolerance: Double = 1e-10, function: @escaping @Sendable (Double) -> Double,
              derivative slope: @escaping @Sendable (Double) -> Double) throws {
    guard tolerance > 0, tolerance <= 1e-2 else {
      throw NeuralLimitsError.invalidArgument("\(name): tol must be in (0, 0.01], got \(tolerance)")
    }
    self.name = name
    self.function = function
    self.slope = slope
    self.tolerance = tolerance
    profiles = HermiteProfileCache(target: tolerance, function: function, slope: slope)
  }

  public var specification: String { tolerance == 1e-10 ? name : "\(name)(tol=\(tolerance))" }

  public func value(_ x: Double) -> Double { function(x) }
  public func derivative(_ x: Double) -> Double { slope(x) }

  public func dual(_ c12: Double, _ v: PairVariances) -> (nngp: Double, derivative: Double) {
    let d = estimatedDual(c12, v)
    return (d.nngp, d.derivative)
  }

  public func variance(_ q: Double) -> (nngp: Double, derivative: Double) {
    let d = estimatedVariance(q)
    return (d.nngp, d.derivative)
  }

  /// The dual kernels with a bound on their relative error (the larger of the two kernels').
  public func estimatedDual(_ c12: Double, _ v: PairVariances) -> (nngp: Double, derivative: Double, error: Double) {
    pair(profiles.profile(v.q1), profiles.profile(v.q2), v.correlation(c12), slope: true)
  }

  /// `(E[f(u)²], E[f'(u)²])`, `u ~ N(0, q)`, with a bound on their relative error.
  public func estimatedVariance(_ q: Double) -> (nngp: Double, derivative: Double, error: Double) {
    let p = profiles.profile(q)
    return (p.moments.function, p.moments.slope, max(p.coefficientError.function, p.coefficientError.slope))
  }

  /// `HermiteProfile.dual` with the fewest terms that reach round-off at this correlation
  /// (`HermiteProfile.truncation`), extending the shorter profile (doubling) while they do not
  /// suffice — at most to the terms the longer expansion needs for the target, which are summed
  /// when round-off is out of reach (`|ρ|` near 1).
  private func pair(_ a: HermiteProfile, _ b: HermiteProfile, _ rho: Double, slope: Bool)
    -> (nngp: Double, derivative: Double, error: Double)
  {
    let enough = max(a.needed.function, b.needed.function, slope ? max(a.needed.slope, b.needed.slope) : 1)
    var (a, b) = (a, b)
    while true {
      if let m = HermiteProfile.truncation(a, b, correlation: rho, slope: slope) {
        return HermiteProfile.dual(a, b, correlation: rho, slope: slope, terms: m)
      }
      guard a.count < enough || b.count < enough else {
        return HermiteProfile.dual(a, b, correlation: rho, slope: slope, terms: enough)
      }
      if a.count < enough && a.count <= b.count { a = profiles.profile(a.variance, terms: min(2 * a.count, enough)) }
      if b.count < enough && b.count <= a.count { b = profiles.profile(b.variance, terms: min(2 * b.count, enough)) }
    }
  }

  /// As `Activation`'s, with every entry's estimate: the largest goes to `tile.report`, and one
  /// above `tolerance` is recorded as a miss. On a diagonal tile the profiles of all its variances
  /// are computed first, in parallel; when a report is attached, one that cannot meet the target
  /// stops the layer there (the tile is left NaN and the miss recorded).
  public func transform(_ tile: KernelTile, context: LayerContext) {
    guard tile.count > 0 else { return }
    let nngp = tile.nngp, withSlope = tile.ntk != nil
    var worst = (error: 0.0, q1: 0.0, q2: 0.0)
    func note(_ error: Double, _ q1: Double, _ q2: Double) {
      if !(error <= worst.error) && !worst.error.isNaN { worst = (error, q1, q2) }
    }
    if tile.isDiagonal {
      if let failed = profiles.prepare(tile.side1.q, count: tile.count, stopAtMiss: tile.report != nil), let report = tile.report {
        nngp.update(repeating: .nan, count: tile.count)
        tile.ntk?.update(repeating: .nan, count: tile.count)
        report.record(failed.worstError)
        report.recordMiss(missDescription(failed.worstError, failed.variance, nil))
        return
      }
      for e in 0..<tile.count {
        let q = tile.side1.q[e], (k, kDot, error) = estimatedVariance(q)
        tile.ntk?[e] *= kDot
        nngp[e] = k
        note(error, q, q)
      }
    } else {
      var row = profiles.profile(tile.side1.q[0])
      for e in 0..<tile.count {
        let c12 = nngp[e], q1 = tile.side1.q[e], q2 = tile.side2.q[e]
        if c12 == q1 && q1 == q2 {
          let (k, kDot, error) = estimatedVariance(q1)
          tile.ntk?[e] *= kDot
          nngp[e] = k
          note(error, q1, q2)
          continue
        }
        if row.variance != (q1 <= 0 ? 0 : q1) { row = profiles.profile(q1) }
        let (k, kDot, error) = pair(row, profiles.profile(q2), tile.variances(e).correlation(c12), slope: withSlope)
        tile.ntk?[e] *= kDot
        nngp[e] = k
        note(error, q1, q2)
      }
    }
    guard let report = tile.report else { return }
    report.record(worst.error)
    if !(worst.error <= tolerance) {
      report.recordMiss(missDescription(worst.error, worst.q1, worst.q1 == worst.q2 ? nil : worst.q2))
    }
  }

  private func missDescription(_ error: Double, _ q1: Double, _ q2: Double?) -> String {
    let variances = q2.map { "variances \(Self.format(q1)) and \(Self.format($0))" } ?? "variance \(Self.format(q1))"
    return "\(specification) at pre-activation \(variances): estimated relative quadrature error \(Self.format(error))"
      + " exceeds tol=\(tolerance) (lower the variance or raise tol)"
  }

  private static func format(_ x: Double) -> String { String(format: "%.3g", x) }

  /// `tanh`.
  public static func tanh(tolerance: Double = 1e-10) throws -> NumericalActivation {
    try NumericalActivation(name: "tanh", tolerance: tolerance, function: { Foundation.tanh($0) },
                            derivative: { let t = Foundation.tanh($0); return 1 - t * t })
  }

  /// `softplus(x) = log(1 + eˣ)`.
  public static func softplus(tolerance: Double = 1e-10) throws -> NumericalActivation {
    try NumericalActivation(name: "softplus", tolerance: tolerance,
                            function: { $0 > 30 ? $0 : log1p(exp($0)) },
                            derivative: { 1 / (1 + exp(-$0)) })
  }

  /// `swish(x) = x·σ(x)` (SiLU).
  public static func swish(tolerance: Double = 1e-10) throws -> NumericalActivation {
    try NumericalActivation(name: "swish", tolerance: tolerance, function: { $0 / (1 + exp(-$0)) },
                            derivative: { let s = 1 / (1 + exp(-$0)); return s * (1 + $0 * (1 - s)) })
  }
}
