/// The shaped ResNet `X_{ℓ+1} = λX_ℓ + γ·σ_s(X_ℓ·n^{−1/2}W^pre)·√(c/n)·W^post`, `λ² + γ² = 1`
/// (*The Shaped Transformer*, Section 3): `dV = γ²·b_ReLU(V)·dt + √2·γ·Σ_lin(V)^{1/2}·dB`.
///
/// Derivation. Write the block as `X' = λX + γH·√(c/n)W^post`, `H = σ_s(X·W^pre/√n)`. Then
/// `V' = X'X'ᵀ/n = λ²V + λγ(X·W^postᵀHᵀ + H·W^post·Xᵀ)·√c/n^{3/2} + γ²·c·H·W^post W^postᵀ·Hᵀ/n²`.
/// Given `X`, the pre-activations `X·W^pre/√n` have columns `N(0, V)`, so `c·HHᵀ/n` has mean
/// `V + b_ReLU(V)/n` (the shaped ReLU's kernel map, `ShapedReLUDrift`) and fluctuation of
/// covariance `Σ_lin(V)/n` (`HHᵀ/n` is an average of `n` independent columns, and `H ≈ X·W^pre/√n`
/// to leading order); averaging `W^post` leaves the mean and adds, again, `Σ_lin(V)/n`. The cross
/// terms have mean 0 and covariance `2Σ_lin(V)/n` (`Cov` of `XWᵀHᵀ + HWXᵀ` over `W`, with
/// `HHᵀ/n ≈ V`). So per layer, with `dt = 1/n`:
/// drift `γ²·b_ReLU`, diffusion `λ²γ²·2Σ_lin + γ⁴·(Σ_lin + Σ_lin) = 2γ²(λ² + γ²)Σ_lin = 2γ²Σ_lin`.
public struct ShapedResNetSDE: CovarianceSDE {
  public let relu: ShapedReLUDrift
  /// The branch weight `γ` (the skip weight is `λ = √(1 − γ²)`).
  public let gamma: Double

  public init(cPlus: Double, cMinus: Double, gamma: Double) throws {
    guard gamma >= 0, gamma <= 1 else { throw NeuralLimitsError.invalidArgument("γ must be in [0, 1] (λ² + γ² = 1), got \(gamma)") }
    relu = ShapedReLUDrift(cPlus: cPlus, cMinus: cMinus)
    self.gamma = gamma
  }

  public var description: String { "shaped ResNet (c+ = \(relu.cPlus), c- = \(relu.cMinus), γ = \(gamma))" }

  public func gaussianCount(tokens m: Int) -> Int { LinearNoise.gaussianCount(tokens: m) }

  public func diffusion(_ v: Matrix) -> Matrix { LinearNoise.covariance(v, scale: 2.0.squareRoot() * gamma) }

  public func drift(_ v: UnsafePointer<Double>, tokens m: Int, into drift: UnsafeMutablePointer<Double>,
                    workspace: SDEWorkspace) {
    drift.update(repeating: 0, count: m * m)
    relu.add(v, tokens: m, scale: gamma * gamma, to: drift)
  }

  public func noise(_ v: UnsafePointer<Double>, root: UnsafePointer<Double>, triangular: Bool, tokens m: Int,
                    gaussians g: UnsafePointer<Double>, into noise: UnsafeMutablePointer<Double>, workspace: SDEWorkspace) {
    LinearNoise.apply(root: root, triangular: triangular, tokens: m, gaussians: g, scale: 2.0.squareRoot() * gamma,
                      into: noise, workspace: workspace)
  }
}
