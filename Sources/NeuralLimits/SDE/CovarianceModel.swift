/// A shaped architecture whose token covariance has an SDE limit, given once for both sides:
/// the SDE (`sde()`) and the finite network of width `n` and depth `d` built from the shared
/// layers in the architecture language (`network(width:depth:)`), plus the same network
/// without shaping, for contrast (`unshapedNetwork`).
public struct CovarianceModel: Sendable {
  public enum Kind: String, Sendable, CaseIterable {
    case shapedMLP = "shaped-mlp", shapedResNet = "shaped-resnet", shapedAttention = "shaped-attention"
    case shapedTransformer = "shaped-transformer"
  }

  public var kind: Kind
  public var cPlus: Double
  public var cMinus: Double
  /// `γ` of the residual branch (of the attention sub-block for the Transformer).
  public var gamma: Double
  /// `γ` of the Transformer's MLP sub-block.
  public var mlpGamma: Double
  public var tau0: Double
  public var causal: Bool

  public init(kind: Kind, cPlus: Double = 0, cMinus: Double = -1, gamma: Double = 0.5, mlpGamma: Double? = nil,
              tau0: Double = 1, causal: Bool = false) {
    self.kind = kind
    self.cPlus = cPlus
    self.cMinus = cMinus
    self.gamma = gamma
    self.mlpGamma = mlpGamma ?? gamma
    self.tau0 = tau0
    self.causal = causal
  }

  /// The covariance SDE.
  public func sde() throws -> any CovarianceSDE {
    switch kind {
    case .shapedMLP: return ShapedMLPSDE(cPlus: cPlus, cMinus: cMinus)
    case .shapedResNet: return try ShapedResNetSDE(cPlus: cPlus, cMinus: cMinus, gamma: gamma)
    case .shapedAttention: return try ShapedAttentionSDE(tau0: tau0, gamma: gamma, causal: causal)
    case .shapedTransformer:
      return try ShapedTransformerSDE(tau0: tau0, attentionGamma: gamma, mlpGamma: mlpGamma, cPlus: cPlus, cMinus: cMinus,
                                      causal: causal)
    }
  }

  /// The network's specification in the architecture language at width `n` and depth `d`
  /// (`d` blocks; `shaped` false: plain ReLU and softmax attention).
  public func specification(width n: Int, depth d: Int, shaped: Bool = true) throws -> String {
    guard d >= 1 else { throw NeuralLimitsError.invalidArgument("the depth must be at least 1 block, got \(d)") }
    _ = try sde()
    let relu: String, c: Double
    if shaped {
      relu = "shaped_relu(c_plus=\(cPlus), c_minus=\(cMinus), width=\(n))"
      c = ShapedReLU(cPlus: cPlus, cMinus: cMinus).normalisation(width: n)
    } else {
      relu = "relu"
      c = 2
    }
    let attention = shaped ? "shaped_attention(tau0=\(tau0), causal=\(causal))" : "attention(causal=\(causal))"
    func residual(_ branch: String, _ g: Double) -> String { "residual(\(branch), scale=\(g), skip=\((1 - g * g).squareRoot()))" }
    let mlpBranch = "dense -> \(relu) -> dense(w_std=\(c.squareRoot()))"
    let block: String
    switch kind {
    case .shapedMLP: block = "\(relu) -> dense(w_std=\(c.squareRoot()))"
    case .shapedResNet: block = residual(mlpBranch, gamma)
    case .shapedAttention: block = residual(attention, gamma)
    case .shapedTransformer: block = residual(attention, gamma) + " -> " + residual(mlpBranch, mlpGamma)
    }
    return "(\(block)) * \(d)"
  }

  public func network(width n: Int, depth d: Int, shaped: Bool = true) throws -> any Layer {
    try ArchitectureParser.parse(try specification(width: n, depth: d, shaped: shaped))
  }
}
