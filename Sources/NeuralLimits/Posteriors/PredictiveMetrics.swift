import Foundation

/// How well a Gaussian predictive fits held-out targets `y` (`M × k`), from its means `μᵢ` and
/// marginal variances `sᵢ²` (the covariance's diagonal, shared by the `k` outputs); every
/// average runs over the `M·k` values.
///
/// - `rootMeanSquaredError`: `√(mean (yᵢ − μᵢ)²)`;
/// - `negativeLogLikelihood`: `mean [½ log(2π sᵢ²) + (yᵢ − μᵢ)²/(2sᵢ²)]`, the marginal Gaussian NLL
///   per value (as in Lakshminarayanan et al. 2017's regression benchmarks);
/// - `coverage`: the fraction of `yᵢ` inside the central interval `μᵢ ± z·sᵢ` of probability
///   `level` (`z = Φ⁻¹((1 + level)/2)`);
/// - `calibrationError`: `mean_j |p̂_j − p_j|` over `p_j = 0.05, 0.10, …, 0.95`, where `p̂_j` is the
///   fraction of probability integral transforms `Φ((yᵢ − μᵢ)/sᵢ)` at most `p_j` — the distance of
///   Kuleshov, Fenner & Ermon 2018's calibration plot from the diagonal, 0 for a calibrated
///   predictive.
public struct PredictiveMetrics: Sendable, Equatable {
  public let rootMeanSquaredError: Double
  public let negativeLogLikelihood: Double
  public let coverage: Double
  /// The central interval's probability for `coverage`.
  public let level: Double
  public let calibrationError: Double

  /// The levels `p_j` of `calibrationError`.
  public static let calibrationLevels = (1...19).map { Double($0) / 20 }

  /// Throws when the shapes differ, `level` is not in (0, 1), or a variance is not positive (a
  /// noiseless posterior at a training input: add observation noise).
  public init(_ predictive: GaussianPredictive, targets: Matrix, level: Double = 0.95) throws {
    let variances = predictive.variances
    try self.init(mean: predictive.mean, variance: { i, _ in variances[i] }, targets: targets, level: level)
  }

  /// The metrics of an ensemble's outputs taken as Gaussian: its mean and variance at each test
  /// input and output.
  public init(_ ensemble: EnsembleEstimate, targets: Matrix, level: Double = 0.95) throws {
    let variance = ensemble.variance
    try self.init(mean: ensemble.mean, variance: { i, c in variance[i, c] }, targets: targets, level: level)
  }

  private init(mean: Matrix, variance: (Int, Int) -> Double, targets: Matrix, level: Double) throws {
    guard targets.rows == mean.rows, targets.columns == mean.columns else {
      throw NeuralLimitsError.dimensionMismatch(
        "the predictive is \(mean.rows) × \(mean.columns), the targets \(targets.rows) × \(targets.columns)")
    }
    guard level > 0, level < 1 else {
      throw NeuralLimitsError.invalidArgument("the interval's level must be in (0, 1), got \(level)")
    }
    try targets.validateFinite("the held-out targets")
    let z = SpecialFunctions.normalUpperQuantile((1 - level) / 2)
    var squares = 0.0, nll = 0.0, inside = 0
    var transforms: [Double] = []
    for i in 0..<mean.rows {
      for c in 0..<mean.columns {
        let s2 = variance(i, c), s = s2.squareRoot()
        guard s2 > 0, s2.isFinite else {
          throw NeuralLimitsError.invalidArgument(
            "the predictive variance at test input \(i) is \(s2); metrics need positive variances (add observation noise)")
        }
        let r = targets[i, c] - mean[i, c]
        squares += r * r
        nll += 0.5 * log(2 * Double.pi * s2) + r * r / (2 * s2)
        if abs(r) <= z * s { inside += 1 }
        transforms.append(SpecialFunctions.normalCDF(r / s))
      }
    }
    let count = Double(transforms.count)
    rootMeanSquaredError = (squares / count).squareRoot()
    negativeLogLikelihood = nll / count
    coverage = Double(inside) / count
    self.level = level
    calibrationError = Self.calibrationLevels.reduce(0) { sum, p in
      sum + abs(Double(transforms.filter { $0 <= p }.count) / count - p)
    } / Double(Self.calibrationLevels.count)
  }
}
