/// How a finite ensemble is trained (`FiniteEnsemble`): `members` networks of hidden width
/// `width`, each trained by `steps` steps of full-batch gradient descent at rate `learningRate` on
/// `(1/2Nk)‖f(D) − Y‖²`. Member `s` draws everything (initialisation, `θ̃`, target noise) from
/// `RandomStream(seed: mix(seed, width), stream: s)`, so an ensemble does not depend on the
/// thread count and a larger one extends a smaller one.
public struct EnsembleSettings: Sendable, Equatable {
  public var members: Int
  public var width: Int
  public var steps: Int
  public var learningRate: Double
  public var seed: UInt64

  public init(members: Int, width: Int, steps: Int, learningRate: Double, seed: UInt64 = 0) {
    self.members = members
    self.width = width
    self.steps = steps
    self.learningRate = learningRate
    self.seed = seed
  }

  func validate() throws {
    guard members >= 2 else { throw NeuralLimitsError.invalidArgument("an ensemble needs at least 2 members, got \(members)") }
    guard width >= 1 else { throw NeuralLimitsError.invalidArgument("the width must be at least 1, got \(width)") }
    guard steps >= 0 else { throw NeuralLimitsError.invalidArgument("steps must be ≥ 0, got \(steps)") }
    guard learningRate > 0, learningRate.isFinite else {
      throw NeuralLimitsError.invalidArgument("the learning rate must be positive and finite, got \(learningRate)")
    }
  }
}
