/// The two forms of a predictive covariance, shared by `t = ∞` (Cholesky) and finite `t`
/// (eigen-decomposition); each is one symmetric BLAS-3 update of the test-test block, in its own
/// storage (`t = ∞`, for a posterior whose kernels are used up) or in a copy.
enum PredictiveCovariance {
  /// The Bayesian form `𝒦_** − W·Wᵀ` (`dsyrk`), with `W = 𝒦_*D L⁻ᵀ` at `t = ∞`
  /// (`L·Lᵀ = 𝒦_DD + σ²I`, so `W·Wᵀ = 𝒦_*D (𝒦_DD + σ²I)⁻¹ 𝒦_D*`) or `W = 𝒦_*D V·diag(√hᵢ)` at
  /// finite `t`: `prior` becomes the covariance.
  static func condition(_ prior: inout Matrix, on w: Matrix) {
    BLAS.symmetricRankUpdate(w, alpha: -1, beta: 1, into: &prior)
  }

  /// `condition(_:on:)` on a copy of `prior`.
  static func conditioned(_ prior: Matrix, on w: Matrix) -> Matrix {
    var covariance = prior.copiedToFreshStorage()
    condition(&covariance, on: w)
    return covariance
  }

  /// The trained ensemble's form `K_** + U·K_DD·Uᵀ − U·K_D* − K_*D·Uᵀ` with `U = Θ_*D G` (Lee et
  /// al. 2019, eq. 16; `G = (Θ_DD + σ²I)⁻¹` at `t = ∞`): since `U·K_DD·Uᵀ` is symmetric it equals
  /// `K_** + U·Pᵀ + P·Uᵀ` with `P = ½U·K_DD − K_*D`, one `dgemm` and one `dsyr2k`. `P` is made in
  /// the storage of `nngp.testTrain` and the covariance in that of `nngp.test`, which it becomes.
  static func ensemble(_ nngp: inout KernelBlocks, weights u: Matrix) {
    BLAS.gemm(u, nngp.train, alpha: 0.5, beta: -1, into: &nngp.testTrain)
    BLAS.symmetricRank2Update(u, nngp.testTrain, alpha: 1, beta: 1, into: &nngp.test)
  }

  /// `ensemble(_:weights:)` on copies of the test-train and test-test blocks.
  static func ensemble(copying nngp: KernelBlocks, weights u: Matrix) -> Matrix {
    var blocks = nngp
    blocks.testTrain = nngp.testTrain.copiedToFreshStorage()
    blocks.test = nngp.test.copiedToFreshStorage()
    ensemble(&blocks, weights: u)
    return blocks.test
  }
}
