/// Which Gaussian predictive of an infinitely wide network: the Bayesian posterior under its NNGP
/// or NTK prior, or the infinite ensemble of networks trained by gradient descent on MSE.
///
/// With `𝒦` the mode's kernel, `D` the training inputs, `*` the test inputs, `Y` the `N × k`
/// targets and `σ²` the noise on the train diagonal (`DiagonalNoise`), at `t = ∞`:
///
/// - `nngp`: `μ = 𝒦_*D (𝒦_DD + σ²I)⁻¹ Y`, `Σ = 𝒦_** − 𝒦_*D (𝒦_DD + σ²I)⁻¹ 𝒦_D*` with `𝒦 = K`, the
///   NNGP (Lee et al. 2018, *Deep Neural Networks as Gaussian Processes*);
/// - `ntkgp`: the same with `𝒦 = Θ`, the NTK: the posterior that He, Lakshminarayanan & Teh 2020
///   (*Bayesian Deep Ensembles via the Neural Tangent Kernel*) make ensembles of modified networks
///   sample;
/// - `ensemble`: the infinite ensemble of standard networks (NTK parameterisation) trained by
///   gradient flow on MSE from independent initialisations (Lee et al. 2019, *Wide Neural
///   Networks of Any Depth Evolve as Linear Models Under Gradient Descent*, eq. 16):
///   `μ = Θ_*D Θ̃⁻¹ Y`, `Σ = K_** + Θ_*D Θ̃⁻¹ K_DD Θ̃⁻¹ Θ_D* − (Θ_*D Θ̃⁻¹ K_D* + transpose)` with
///   `Θ̃ = Θ_DD + σ²I` and `K_DD` without noise — neural-tangents' `gp_inference(get='ntk')`.
///
/// At a finite time `t` of gradient flow on the loss `(1/2Nk)‖f(D) − Y‖²` with learning rate `η`
/// (neural-tangents' `gradient_descent_mse_ensemble`), `𝒦̃⁻¹` becomes
/// `G(t) = 𝒦̃⁻¹(I − e^{−η t 𝒦̃/(Nk)})` in the means and in the ensemble's covariance, and the
/// Bayesian covariances are `𝒦_** − 𝒦_*D 𝒦̃⁻¹(I − e^{−2η t 𝒦̃/(Nk)}) 𝒦_D*` — the ensemble of
/// networks whose initial functions have covariance `𝒦` and whose tangent kernel is `𝒦`.
public enum PredictiveMode: String, CaseIterable, Sendable {
  case nngp, ntkgp, ensemble

  /// The kernels the predictive reads: the NNGP, the NTK, or both (the evaluator computes the NNGP
  /// on the way to the NTK in any case).
  public var kinds: KernelKinds {
    switch self {
    case .nngp: [.nngp]
    case .ntkgp: [.ntk]
    case .ensemble: [.nngp, .ntk]
    }
  }
}
