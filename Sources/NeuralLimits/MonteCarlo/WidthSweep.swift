import Foundation

/// A width sweep: the simulation at several widths, extrapolated to infinite width.
///
/// Per entry, the deviation `dₙ = meanₙ − theoryₙ` is fitted as `a + b/n` by weighted least
/// squares (weights `1/stderrₙ²`), which removes the `O(1/n)` finite-width bias; the intercept
/// `a` and its standard error give `z = a/se(a)`, judged by the same Bonferroni rule as a single
/// width, with the degrees of freedom of the smallest sample (no bias allowance: `agree` or
/// `disagree`). The log–log slope of the relative Frobenius
/// error against width is reported too (−1 when the bias dominates, −½ when the noise does).
public struct WidthSweep: Sendable {
  public let name: String
  public let widths: [Int]
  public let comparisons: [KernelComparison]
  /// The fitted intercept `a` (the deviation at infinite width) and its standard error.
  public let intercept: Matrix
  public let interceptError: Matrix
  /// The fitted `b`: each entry's deviation is `a + b/n`.
  public let widthCoefficient: Matrix
  public let maxAbsZ: Double
  public let threshold: Double
  /// Slope of `log(relative Frobenius error)` against `log(width)` (ordinary least squares).
  public let errorSlope: Double
  public let verdict: Verdict

  public init(name: String, widths: [Int], comparisons: [KernelComparison], symmetric: Bool, level: Double = 1e-3) throws {
    guard widths.count >= 2, widths.count == comparisons.count else {
      throw NeuralLimitsError.invalidArgument("a width sweep needs at least two widths")
    }
    self.name = name
    self.widths = widths
    self.comparisons = comparisons
    let rows = comparisons[0].theory.rows, columns = comparisons[0].theory.columns
    var a = Matrix(rows: rows, columns: columns), se = Matrix(rows: rows, columns: columns), b = Matrix(rows: rows, columns: columns)
    for i in 0..<rows {
      for j in 0..<columns {
        // An entry without sampling noise at every width is deterministic: its intercept is the
        // deviation at the widest, with standard error 0 (judged to round-off by `zScores`).
        if comparisons.allSatisfy({ $0.simulation.standardError[i, j] == 0 }) {
          a[i, j] = comparisons.last!.simulation.mean[i, j] - comparisons.last!.theory[i, j]
          continue
        }
        // Weighted least squares for d = a + b·t, t = 1/n: the normal equations in closed form.
        var sw = 0.0, st = 0.0, stt = 0.0, sd = 0.0, std = 0.0
        for (n, c) in zip(widths, comparisons) {
          let s = c.simulation.standardError[i, j]
          let w = s > 0 ? 1 / (s * s) : 1e30
          let t = 1 / Double(n), d = c.simulation.mean[i, j] - c.theory[i, j]
          sw += w; st += w * t; stt += w * t * t; sd += w * d; std += w * t * d
        }
        let det = sw * stt - st * st
        a[i, j] = (stt * sd - st * std) / det
        b[i, j] = (sw * std - st * sd) / det
        se[i, j] = (stt / det).squareRoot()
      }
    }
    intercept = a
    interceptError = se
    widthCoefficient = b
    let z = KernelComparison.zScores(a, se, reference: comparisons[0].theory, symmetric: symmetric)
    maxAbsZ = z.max
    // Each width's standard errors come from its own samples: the fewest set the degrees of freedom.
    let samples = comparisons.map(\.simulation.samples).min() ?? 2
    threshold = KernelComparison.bonferroniThreshold(entries: z.count, level: level, degreesOfFreedom: Double(samples - 1))
    verdict = maxAbsZ <= threshold && z.mismatches == 0 ? .agree : .disagree
    let x = widths.map { log(Double($0)) }, y = comparisons.map { log(max($0.relativeFrobeniusError, 1e-300)) }
    let mx = x.reduce(0, +) / Double(x.count), my = y.reduce(0, +) / Double(y.count)
    let sxy = zip(x, y).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
    let sxx = x.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
    errorSlope = sxy / sxx
  }
}
