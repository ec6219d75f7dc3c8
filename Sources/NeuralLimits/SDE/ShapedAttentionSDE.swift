/// Shaped attention blocks `X_{ℓ+1} = λX_ℓ + γ·A·X_ℓ·n^{−1/2}W^V`, `λ² + γ² = 1`,
/// `A = I + softmax(τ⁻¹Y) − C` (*The Shaped Transformer*, Theorem 4.2):
///
///     dV = γ²·b_att(V)·dt + [γ²(2 − γ²)·Σ_lin(V) + γ⁴τ₀⁻²·𝒜(V)]^{1/2}·dB,
///
/// `b_att` and `𝒜` from `AttentionTerms`; `γ²(2 − γ²) = 2λ²γ² + γ⁴` (the skip–branch cross terms
/// and the value weights' Wishart). The drift is cubic in `V`: paths can blow up in finite time
/// (`EulerMaruyama` stops and counts them). Noise map: `√(γ²(2−γ²))·RΞRᵀ + (γ²/τ₀)(Ĝ_cV + VĜ_cᵀ)`,
/// `m(m+1)/2 + m²` Gaussians.
public struct ShapedAttentionSDE: CovarianceSDE {
  public let gamma: Double
  let attention: AttentionTerms

  public init(tau0: Double, gamma: Double, causal: Bool = false) throws {
    guard tau0 > 0, tau0.isFinite else { throw NeuralLimitsError.invalidArgument("τ₀ must be positive and finite, got \(tau0)") }
    guard gamma >= 0, gamma <= 1 else { throw NeuralLimitsError.invalidArgument("γ must be in [0, 1] (λ² + γ² = 1), got \(gamma)") }
    self.gamma = gamma
    attention = AttentionTerms(tau0: tau0, causal: causal)
  }

  public var tau0: Double { attention.tau0 }
  public var causal: Bool { attention.causal }

  public var description: String { "shaped attention (τ₀ = \(tau0), γ = \(gamma)\(causal ? ", causal" : ""))" }

  public func gaussianCount(tokens m: Int) -> Int { LinearNoise.gaussianCount(tokens: m) + m * m }

  public func drift(_ v: UnsafePointer<Double>, tokens m: Int, into drift: UnsafeMutablePointer<Double>,
                    workspace: SDEWorkspace) {
    drift.update(repeating: 0, count: m * m)
    attention.addDrift(v, tokens: m, scale: gamma * gamma, to: drift, workspace: workspace)
  }

  public func diffusion(_ v: Matrix) -> Matrix {
    let g2 = gamma * gamma
    return LinearNoise.covariance(v, scale: (g2 * (2 - g2)).squareRoot())
      + (g2 * g2 / (tau0 * tau0)) * attention.covariance(v)
  }

  public func noise(_ v: UnsafePointer<Double>, root: UnsafePointer<Double>, triangular: Bool, tokens m: Int,
                    gaussians g: UnsafePointer<Double>, into noise: UnsafeMutablePointer<Double>, workspace: SDEWorkspace) {
    let g2 = gamma * gamma
    LinearNoise.apply(root: root, triangular: triangular, tokens: m, gaussians: g, scale: (g2 * (2 - g2)).squareRoot(),
                      into: noise, workspace: workspace)
    attention.addNoise(v, root: root, triangular: triangular, tokens: m, gaussians: g + LinearNoise.gaussianCount(tokens: m),
                       scale: g2 / tau0, to: noise, workspace: workspace)
  }
}

/// The Shaped Transformer block: a shaped attention sub-block `(λ₁, γ₁)` followed by a shaped
/// ReLU ResNet sub-block `(λ₂, γ₂)` with its own `W^pre`, `W^post` (*The Shaped Transformer*,
/// Eq. 11, Corollary 4.3). The two sub-blocks' increments add to leading order (their weights are
/// independent; the second acts on `V + O(n^{−1/2})`), so with `ℓ` counting whole blocks:
///
///     dV = [γ₁²·b_att(V) + γ₂²·b_ReLU(V)]·dt + [(γ₁²(2 − γ₁²) + 2γ₂²)·Σ_lin(V) + γ₁⁴τ₀⁻²·𝒜(V)]^{1/2}·dB.
public struct ShapedTransformerSDE: CovarianceSDE {
  public let attentionGamma: Double
  public let mlpGamma: Double
  public let relu: ShapedReLUDrift
  let attention: AttentionTerms

  public init(tau0: Double, attentionGamma: Double, mlpGamma: Double, cPlus: Double, cMinus: Double, causal: Bool = false) throws {
    guard tau0 > 0, tau0.isFinite else { throw NeuralLimitsError.invalidArgument("τ₀ must be positive and finite, got \(tau0)") }
    for (name, g) in [("γ (attention)", attentionGamma), ("γ (MLP)", mlpGamma)] where !(0...1).contains(g) {
      throw NeuralLimitsError.invalidArgument("\(name) must be in [0, 1] (λ² + γ² = 1), got \(g)")
    }
    self.attentionGamma = attentionGamma
    self.mlpGamma = mlpGamma
    relu = ShapedReLUDrift(cPlus: cPlus, cMinus: cMinus)
    attention = AttentionTerms(tau0: tau0, causal: causal)
  }

  public var description: String {
    "Shaped Transformer (τ₀ = \(attention.tau0), γ attention = \(attentionGamma), γ MLP = \(mlpGamma), "
      + "c+ = \(relu.cPlus), c- = \(relu.cMinus)\(attention.causal ? ", causal" : ""))"
  }

  /// The `Σ_lin` coefficient `√(γ₁²(2 − γ₁²) + 2γ₂²)`.
  var linearScale: Double {
    let a = attentionGamma * attentionGamma, b = mlpGamma * mlpGamma
    return (a * (2 - a) + 2 * b).squareRoot()
  }

  public func gaussianCount(tokens m: Int) -> Int { LinearNoise.gaussianCount(tokens: m) + m * m }

  public func drift(_ v: UnsafePointer<Double>, tokens m: Int, into drift: UnsafeMutablePointer<Double>,
                    workspace: SDEWorkspace) {
    drift.update(repeating: 0, count: m * m)
    attention.addDrift(v, tokens: m, scale: attentionGamma * attentionGamma, to: drift, workspace: workspace)
    relu.add(v, tokens: m, scale: mlpGamma * mlpGamma, to: drift)
  }

  public func diffusion(_ v: Matrix) -> Matrix {
    let g2 = attentionGamma * attentionGamma
    return LinearNoise.covariance(v, scale: linearScale) + (g2 * g2 / (attention.tau0 * attention.tau0)) * attention.covariance(v)
  }

  public func noise(_ v: UnsafePointer<Double>, root: UnsafePointer<Double>, triangular: Bool, tokens m: Int,
                    gaussians g: UnsafePointer<Double>, into noise: UnsafeMutablePointer<Double>, workspace: SDEWorkspace) {
    LinearNoise.apply(root: root, triangular: triangular, tokens: m, gaussians: g, scale: linearScale, into: noise,
                      workspace: workspace)
    attention.addNoise(v, root: root, triangular: triangular, tokens: m, gaussians: g + LinearNoise.gaussianCount(tokens: m),
                       scale: attentionGamma * attentionGamma / attention.tau0, to: noise, workspace: workspace)
  }
}
