/// An `ℓ²` penalty `(λ/2)·‖θ − θ*‖²` over the trainable parameters, added to the loss: its
/// gradient `λ(θ − θ*)` joins the loss gradient before momentum (coupled weight decay, as
/// `torch.optim.SGD(weight_decay=λ)`; without momentum it is the decoupled `θ ← θ − ηλ(θ − θ*)`
/// too).
public enum WeightDecay: Sendable, Equatable {
  case none
  /// `θ* = 0`: classic weight decay.
  case towardsZero(Double)
  /// `θ* = θ₀`, the parameters training starts from: regularisation towards the initialisation.
  /// With MSE a linear(ised) network then converges to
  /// `f₀(x) + Θ(x, D)·(Θ(D, D) + λ|y|·I)⁻¹·(y − f₀(D))`, kernel ridge regression on the residual.
  case towardsInitialization(Double)

  /// `λ`.
  var strength: Double {
    switch self {
    case .none: return 0
    case .towardsZero(let lambda), .towardsInitialization(let lambda): return lambda
    }
  }
}

/// How `Trainer` descends: full-batch gradient descent with heavy-ball momentum
/// `v ← μ·v + ∇(L + penalty)`, `θ ← θ − η·v` (PyTorch's `SGD` and `jax.example_libraries.optimizers.momentum`;
/// `μ = 0` is plain gradient descent) on the trainable parameters.
public struct TrainingSettings: Sendable, Equatable {
  /// `η`.
  public var learningRate: Double
  /// `μ` in `[0, 1)`.
  public var momentum: Double
  public var weightDecay: WeightDecay
  public var loss: Loss
  public var mask: ParameterMask
  /// Keep the parameters at steps `0, k, 2k, …` (up to the last step); `nil`: no snapshots.
  public var snapshotEvery: Int?

  public init(learningRate: Double, momentum: Double = 0, weightDecay: WeightDecay = .none,
              loss: Loss = .meanSquaredError, mask: ParameterMask = .all, snapshotEvery: Int? = nil) {
    self.learningRate = learningRate
    self.momentum = momentum
    self.weightDecay = weightDecay
    self.loss = loss
    self.mask = mask
    self.snapshotEvery = snapshotEvery
  }

  func validate() throws {
    guard learningRate > 0, learningRate.isFinite else {
      throw NeuralLimitsError.invalidArgument("learning rate must be positive and finite, got \(learningRate)")
    }
    guard momentum >= 0, momentum < 1 else {
      throw NeuralLimitsError.invalidArgument("momentum must lie in [0, 1), got \(momentum)")
    }
    guard weightDecay.strength >= 0, weightDecay.strength.isFinite else {
      throw NeuralLimitsError.invalidArgument("weight decay must be non-negative and finite, got \(weightDecay.strength)")
    }
    if let k = snapshotEvery, k < 1 {
      throw NeuralLimitsError.invalidArgument("snapshots need a period of at least 1 step, got \(k)")
    }
  }
}
