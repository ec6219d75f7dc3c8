import Foundation

/// A covariance SDE against the finite networks it approximates, by the distribution at time
/// `T` of per-path statistics of `V`: the correlation `ρ¹²` of the first two tokens, the mean
/// correlation over pairs (for `m > 2`), `V¹¹` and the mean diagonal.
///
/// Each statistic: SDE and network summaries (`SampleSummary`: mean, variance, quantiles, with
/// errors) and the two-sample Kolmogorov–Smirnov test. Verdict: `agree` when every p-value is
/// at least `level/k` for `k` statistics (Bonferroni, family-wise `level` = 0.001), else
/// `disagree`. Samples within a path (its pairs) are dependent, hence one value per path and
/// statistic, so the tests' independence assumption holds.
public struct CovarianceComparison: Sendable {
  public struct Statistic: Sendable {
    public let name: String
    public let sde: SampleSummary
    public let network: SampleSummary
    public let test: KolmogorovSmirnov
  }

  public let statistics: [Statistic]
  /// `level/k`.
  public let threshold: Double
  public let verdict: Verdict

  /// The statistics of one covariance: `(name, value)` pairs.
  public static func statistics(_ v: Matrix) -> [(String, Double)] {
    let m = v.rows
    let root = (max(v[0, 0], 0) * max(v[1, 1], 0)).squareRoot()
    // A token whose norm has vanished has correlation 0 (as in `EulerMaruyama.meanCorrelation`).
    var values: [(String, Double)] = [("rho_12", root > 0 ? min(max(v[0, 1] / root, -1), 1) : 0)]
    if m > 2 {
      values.append(("mean_rho", v.elements.withUnsafeBufferPointer { EulerMaruyama.meanCorrelation($0.baseAddress!, m) }))
    }
    values.append(("V_11", v[0, 0]))
    values.append(("mean_diagonal", v.diagonal.reduce(0, +) / Double(m)))
    return values
  }

  public init(sde: [Matrix], network: [Matrix], level: Double = 1e-3, seed: UInt64 = 0) throws {
    guard let first = sde.first ?? network.first else { throw NeuralLimitsError.invalidArgument("nothing to compare") }
    let names = CovarianceComparison.statistics(first).map(\.0)
    let a = sde.map { CovarianceComparison.statistics($0).map(\.1) }
    let b = network.map { CovarianceComparison.statistics($0).map(\.1) }
    let statistics = try names.indices.map { k in
      let x = a.map { $0[k] }, y = b.map { $0[k] }
      return Statistic(name: names[k], sde: try SampleSummary(x, seed: seed), network: try SampleSummary(y, seed: seed + 1),
                       test: try KolmogorovSmirnov(x, y))
    }
    let threshold = level / Double(statistics.count)
    self.statistics = statistics
    self.threshold = threshold
    verdict = statistics.allSatisfy { $0.test.pValue >= threshold } ? .agree : .disagree
  }
}
