import Foundation

/// A posterior's predictive along gradient flow, at any finite time, from one eigen-decomposition
/// `𝒦_DD + σ²I = V·diag(λ)·Vᵀ` (`dsyevd`) made when it is built; each time then costs matrix
/// products only.
///
/// With `τ = η·t/(Nk)`, each eigenvalue's mode decays by `E = e^{−λτ}` (by `(1 − ηλ/(Nk))^S` after
/// `S` discrete steps, `predictive(afterSteps:)`); per eigenvalue `g(λ) = (1 − E)/λ` and
/// `h(λ) = (1 − E²)/λ` (`τ` and `2τ` at `λ = 0`; Lee et al. 2019, eqs. 9 and 16, in neural-tangents'
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

  /// The predictive at time `time` (finite, ≥ 0) of gradient flow.
  public func predictive(at time: Double) throws -> GaussianPredictive {
    guard time >= 0, time.isFinite else {
      throw NeuralLimitsError.invalidArgument(
        "a trajectory's time must be finite and ≥ 0 (t = ∞ is Posterior.predictive()), got \(time)")
    }
    let tau = rate * time
    return try predictive(decay: eigenvalues.map { lambda in
      lambda > 0 ? (-expm1(-lambda * tau) / lambda, exp(-lambda * tau)) : (tau, 1)
    })
  }

  /// The predictive after `steps` steps of full-batch gradient descent with the posterior's
  /// learning rate — what a finite ensemble trained by `Trainer` follows as its width grows, for
  /// any `η` the descent is stable at: each mode decays by `E = (1 − η̄λ)^S` (`η̄ = η/(Nk)`) in
  /// place of `e^{−λτ}`, and `g = (1 − E)/λ`, `h = (1 − E²)/λ` (`S·η̄` and `2S·η̄` at `λ = 0`). As
  /// `η → 0` with `η·S = t` fixed it tends to `predictive(at: t)`. Throws when `η̄λ_max ≥ 2`:
  /// gradient descent then diverges (or oscillates for ever) on the top mode.
  public func predictive(afterSteps steps: Int) throws -> GaussianPredictive {
    guard steps >= 0 else { throw NeuralLimitsError.invalidArgument("steps must be ≥ 0, got \(steps)") }
    if let largest = eigenvalues.last, rate * largest >= 2 {
      throw NeuralLimitsError.invalidArgument(
        "gradient descent diverges: the learning rate \(posterior.learningRate) times the largest eigenvalue \(largest) "
          + "of \(posterior.trainedName), over the \(posterior.targets.elements.count) targets, is \(rate * largest) ≥ 2; "
          + "take a learning rate below \(2 * criticalLearningRate)")
    }
    let s = Double(steps)
    return try predictive(decay: eigenvalues.map { lambda in
      let x = rate * lambda
      guard lambda > 0 else { return (s * rate, 1) }
      let decayed = x < 1 ? -expm1(s * log1p(-x)) : 1 - pow(1 - x, s)
      return (decayed / lambda, 1 - decayed)
    })
  }

  /// `Nk/λ_max`: the largest learning rate at which gradient descent moves no mode past its
  /// target (`1 − η̄λ ≥ 0` for every eigenvalue), so the top mode is fitted in one step; half the
  /// rate at which the descent diverges. `∞` for a zero kernel.
  public var criticalLearningRate: Double {
    Double(posterior.targets.elements.count) / (eigenvalues.last ?? 0)
  }

  /// `η̄ = η/(Nk)`: time `t` of gradient flow on `(1/2Nk)‖f − Y‖²` moves mode `λ` by `e^{−η̄λt}`.
  var rate: Double { posterior.learningRate / Double(posterior.targets.elements.count) }

  /// The predictive from, per eigenvalue `λ`, `g = (1 − E)/λ` and the decay `E` of its mode
  /// (`h = g·(1 + E) = (1 − E²)/λ`).
  private func predictive(decay: [(g: Double, e: Double)]) throws -> GaussianPredictive {
    let g = decay.map(\.g)
    switch posterior.mode {
    case .nngp, .ntkgp:
      let mean = BLAS.product(projectedTestTrain, projectedTargets.scalingColumns(by: g), transposeB: true)
      let w = projectedTestTrain.scalingColumns(by: decay.map { max($0.g * (1 + $0.e), 0).squareRoot() })
      return try posterior.predictive(mean: mean, covariance: PredictiveCovariance.conditioned(posterior.trained.test, on: w))
    case .ensemble:
      let scaled = projectedTestTrain.scalingColumns(by: g)
      let mean = BLAS.product(scaled, projectedTargets, transposeB: true)
      let u = BLAS.product(scaled, eigenvectors, transposeB: true)
      return try posterior.predictive(mean: mean, covariance: PredictiveCovariance.ensemble(copying: posterior.kernels.nngp!, weights: u))
    }
  }
}
