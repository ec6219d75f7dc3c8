import Foundation

/// Mean, variance and quantiles of a sample, each with its standard error.
///
/// - mean ± `s/√n`;
/// - variance `s²` ± `√((m₄ − s⁴(n − 3)/(n − 1))/n)` (`m₄` the fourth central moment; the
///   delta-method standard error, no normality assumed);
/// - quantiles by linear interpolation of the order statistics (type 7), their standard errors
///   by the bootstrap (`resamples` draws from `RandomStream(seed:)`, percentile of each resample).
public struct SampleSummary: Sendable {
  public let count: Int
  public let mean: Double
  public let meanError: Double
  public let variance: Double
  public let varianceError: Double
  /// `(probability, value, bootstrap standard error)`.
  public let quantiles: [(probability: Double, value: Double, error: Double)]

  public init(_ x: [Double], quantiles probabilities: [Double] = [0.05, 0.25, 0.5, 0.75, 0.95], resamples: Int = 500,
              seed: UInt64 = 0) throws {
    guard x.count >= 2 else { throw NeuralLimitsError.invalidArgument("a summary needs at least 2 values, got \(x.count)") }
    guard x.allSatisfy(\.isFinite) else { throw NeuralLimitsError.invalidArgument("summary values must be finite") }
    guard probabilities.allSatisfy({ (0...1).contains($0) }) else {
      throw NeuralLimitsError.invalidArgument("quantile probabilities must be in [0, 1]")
    }
    let n = Double(x.count)
    count = x.count
    let average = x.reduce(0, +) / n
    mean = average
    let centred = x.map { $0 - average }
    let s2 = centred.reduce(0) { $0 + $1 * $1 } / (n - 1)
    let m4 = centred.reduce(0) { $0 + $1 * $1 * $1 * $1 } / n
    variance = s2
    meanError = (s2 / n).squareRoot()
    varianceError = (max(m4 - s2 * s2 * (n - 3) / (n - 1), 0) / n).squareRoot()
    let sorted = x.sorted()
    let random = RandomStream(seed: seed)
    var boot = [[Double]](repeating: [], count: probabilities.count)
    var resample = [Double](repeating: 0, count: x.count)
    for _ in 0..<max(resamples, 2) {
      for k in resample.indices { resample[k] = x[min(Int(random.uniform() * n), x.count - 1)] }
      resample.sort()
      for (q, p) in probabilities.enumerated() { boot[q].append(SampleSummary.quantile(resample, p)) }
    }
    quantiles = probabilities.enumerated().map { q, p in
      let b = boot[q], mb = b.reduce(0, +) / Double(b.count)
      let se = (b.reduce(0) { $0 + ($1 - mb) * ($1 - mb) } / Double(b.count - 1)).squareRoot()
      return (p, SampleSummary.quantile(sorted, p), se)
    }
  }

  /// The mean of `x` and its standard error `s/√n` (`s` the sample standard deviation; 0 for a
  /// single value).
  public static func meanAndError(_ x: [Double]) -> (mean: Double, error: Double) {
    let n = Double(x.count), mean = x.reduce(0, +) / n
    let variance = x.count > 1 ? x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1) : 0
    return (mean, (variance / n).squareRoot())
  }

  /// The `p`-quantile of sorted values, interpolating linearly between order statistics.
  static func quantile(_ sorted: [Double], _ p: Double) -> Double {
    let h = p * Double(sorted.count - 1)
    let lo = Int(h.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
    return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
  }
}
