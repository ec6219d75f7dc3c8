/// The variance added to the diagonal of the train-train kernel before it is inverted, as
/// neural-tangents' `diag_reg`: observation noise `σ²` for the Bayesian modes, a ridge for the
/// trained ensemble. The test-test kernel gets none (the predictive is that of the noiseless
/// function) unless `Posterior.observationNoise` asks for it.
public enum DiagonalNoise: Sendable, Equatable {
  /// `σ²` itself (`diag_reg_absolute_scale=True`).
  case absolute(Double)
  /// `r` times the mean of the kernel's diagonal (`diag_reg_absolute_scale=False`).
  case scaled(Double)

  /// The variance added to the diagonal of `kernel`; throws for a negative or non-finite setting.
  public func variance(for kernel: Matrix) throws -> Double {
    switch self {
    case .absolute(let variance):
      guard variance >= 0, variance.isFinite else {
        throw NeuralLimitsError.invalidArgument("the noise variance must be finite and ≥ 0, got \(variance)")
      }
      return variance
    case .scaled(let ratio):
      guard ratio >= 0, ratio.isFinite else {
        throw NeuralLimitsError.invalidArgument("the scaled noise must be finite and ≥ 0, got \(ratio)")
      }
      return ratio * kernel.diagonal.reduce(0, +) / Double(max(kernel.rows, 1))
    }
  }
}
