/// A Gaussian predictive on `M` test inputs with `k` outputs: the outputs are independent with
/// one shared `M × M` covariance (neural-tangents' `trace_axes=(-1,)`).
public struct GaussianPredictive: Sendable, Equatable {
  /// `M × k`.
  public let mean: Matrix
  /// `M × M`, symmetric.
  public let covariance: Matrix

  public init(mean: Matrix, covariance: Matrix) throws {
    guard covariance.rows == mean.rows, covariance.columns == mean.rows, mean.columns > 0 else {
      throw NeuralLimitsError.dimensionMismatch(
        "a predictive needs an M × k mean and an M × M covariance, got \(mean.rows) × \(mean.columns) and "
          + "\(covariance.rows) × \(covariance.columns)")
    }
    self.mean = mean
    self.covariance = covariance
  }

  /// The marginal variances, the covariance's diagonal.
  public var variances: [Double] { covariance.diagonal }
}
