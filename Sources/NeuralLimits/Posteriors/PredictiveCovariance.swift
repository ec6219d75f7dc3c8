/// The two forms of a predictive covariance, shared by `t = ∞` (Cholesky) and finite `t`
/// (eigen-decomposition); each is one symmetric BLAS-3 update of a copy of the test-test block.
enum PredictiveCovariance {
  /// The Bayesian form `𝒦_** − W·Wᵀ` (`dsyrk`), with `W = 𝒦_*D L⁻ᵀ` at `t = ∞`
  /// (`L·Lᵀ = 𝒦_DD + σ²I`, so `W·Wᵀ = 𝒦_*D (𝒦_DD + σ²I)⁻¹ 𝒦_D*`) or `W = 𝒦_*D V·diag(√hᵢ)` at
  /// finite `t`.
  static func conditioned(_ prior: Matrix, on w: Matrix) -> Matrix {
    var covariance = prior.copiedToFreshStorage()
    BLAS.symmetricRankUpdate(w, alpha: -1, beta: 1, into: &covariance)
    return covariance
  }

  /// The trained ensemble's form `K_** + U·K_DD·Uᵀ − U·K_D* − K_*D·Uᵀ` with `U = Θ_*D G` (Lee et
  /// al. 2019, eq. 16; `G = (Θ_DD + σ²I)⁻¹` at `t = ∞`): since `U·K_DD·Uᵀ` is symmetric it equals
  /// `K_** + U·Pᵀ + P·Uᵀ` with `P = ½U·K_DD − K_*D`, one `dgemm` and one `dsyr2k`.
  static func ensemble(_ nngp: KernelBlocks, weights u: Matrix) -> Matrix {
    var p = nngp.testTrain.copiedToFreshStorage()
    BLAS.gemm(u, nngp.train, alpha: 0.5, beta: -1, into: &p)
    var covariance = nngp.test.copiedToFreshStorage()
    BLAS.symmetricRank2Update(u, p, alpha: 1, beta: 1, into: &covariance)
    return covariance
  }
}
