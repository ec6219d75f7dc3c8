import Foundation

/// A posterior's predictive along gradient flow, at any finite time, from one eigen-decomposition
/// `𝒦_DD + σ²I = V·diag(λ)·Vᵀ` (`dsyevd`) made when it is built; each time then costs matrix
/// products only.
///
/// With `τ = η·t/(Nk)` and, per eigenvalue, `g(λ) = (1 − e^{−λτ})/λ` and `h(λ) = g(λ)` at `2τ`
/// (both `τ`, resp. `2τ`, at `λ = 0`; Lee et al. 2019, eqs. 9 and 16, in neural-tangents'
/// `gradient_descent_mse_ensemble` normalisation):
///
/// - mean `𝒦_*D V·diag(g)·Vᵀ Y`, every mode;
/// - `nngp`, `ntkgp`: covariance `𝒦_** − W·Wᵀ` with `W = 𝒦_*D V·diag(√h)`;
/// - `ensemble`: covariance `K_** + U·K_DD·Uᵀ − U·K_D* − K_*D·Uᵀ` with `U = Θ_*D V·diag(g)·Vᵀ`.
///
/// At `t = 0` this is the prior (mean 0, covariance `𝒦_**`, `K_**` for the ensemble); as
/// `t → ∞` it tends to `Posterior.predictive()`. Eigenvalues that rounding left slightly negative
/// count as 0, as in neural-tangents; one below `−√ε` times the largest is an error.
public struct PredictiveTrajectory: Sendable {
  public let posterior: Posterior
  /// `λ` of `𝒦_DD + σ²I`, ascending, at least 0.
  public let eigenvalues: [Double]
  /// `V`, eigenvectors as columns.
  let eigenvectors: Matrix
  /// `𝒦_*D V`, `M × N`.
  let projectedTestTrain: Matrix
  /// `Yᵀ V`, `k × N`.
  let projectedTargets: Matrix

  init(_ posterior: Posterior) throws {
    let eigen = try SymmetricEigen(posterior.trained.train)
    let values = eigen.values.map { $0 + posterior.noiseVariance }
    let largest = values.reduce(0) { max($0, abs($1)) }
    if let smallest = values.first, smallest < -Double.ulpOfOne.squareRoot() * largest {
      throw NeuralLimitsError.invalidArgument(
        "\(posterior.trainedName) is not positive semi-definite: its smallest eigenvalue is \(smallest), the largest \(largest)")
    }
    self.posterior = posterior
    eigenvalues = values.map { max($0, 0) }
    eigenvectors = eigen.vectors
    projectedTestTrain = BLAS.product(posterior.trained.testTrain, eigen.vectors)
    projectedTargets = BLAS.product(posterior.targets, transposeA: true, eigen.vectors)
  }

  /// The predictive at time `time` (finite, ≥ 0).
  public func predictive(at time: Double) throws -> GaussianPredictive {
    guard time >= 0, time.isFinite else {
      throw NeuralLimitsError.invalidArgument(
        "a trajectory's time must be finite and ≥ 0 (t = ∞ is Posterior.predictive()), got \(time)")
    }
    let tau = posterior.learningRate * time / Double(posterior.targets.rows * posterior.targets.columns)
    let g = eigenvalues.map { Self.flow($0, tau) }
    switch posterior.mode {
    case .nngp, .ntkgp:
      let mean = BLAS.product(projectedTestTrain, projectedTargets.scalingColumns(by: g), transposeB: true)
      let w = projectedTestTrain.scalingColumns(by: eigenvalues.map { Self.flow($0, 2 * tau).squareRoot() })
      return try posterior.predictive(mean: mean, covariance: PredictiveCovariance.conditioned(posterior.trained.test, on: w))
    case .ensemble:
      let scaled = projectedTestTrain.scalingColumns(by: g)
      let mean = BLAS.product(scaled, projectedTargets, transposeB: true)
      let u = BLAS.product(scaled, eigenvectors, transposeB: true)
      return try posterior.predictive(mean: mean, covariance: PredictiveCovariance.ensemble(posterior.kernels.nngp!, weights: u))
    }
  }

  /// `(1 − e^{−λτ})/λ`, and its limit `τ` at `λ = 0`.
  static func flow(_ lambda: Double, _ tau: Double) -> Double {
    lambda > 0 ? -expm1(-lambda * tau) / lambda : tau
  }
}
