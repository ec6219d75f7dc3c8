/// How one member of a finite ensemble is trained so that, as its width grows, the ensemble's
/// predictive tends to `mode`'s (`PredictiveMode`), step by step
/// (`PredictiveTrajectory.predictive(afterSteps:)`):
///
/// - `ensemble`: a standard network, every parameter trained from `θ₀` (Lee et al. 2019);
/// - `ntkgp`: the network plus the untrainable `δ(x) = J_θ₀(x)·θ̃`, `θ̃ ~ N(0, I)` with its readout
///   entries zeroed, every parameter trained (He, Lakshminarayanan & Teh 2020, Algorithm 1):
///   `δ` has covariance `Θ − K` (the NTK without the readout's share, which is the NNGP), so
///   `f₀ + δ` has prior covariance `Θ` and its tangent kernel is `Θ`;
/// - `nngp`: only the readout trained: a linear model on the random features below, whose tangent
///   kernel and prior covariance are both `K`.
///
/// With noise `σ² > 0` every member adds the penalty `(λ/2)‖θ − θ₀‖²`, `λ = σ²/(Nk)`, so that
/// the linearised network converges to `f₀ + 𝒦_*D (𝒦_DD + σ²I)⁻¹ (y − f₀(D))`; in the Bayesian
/// modes (`nngp`, `ntkgp`) it also trains on its own noisy targets `y + ε`, `ε ~ N(0, σ²I)`
/// (He et al.'s regularised NTKGP ensemble), which makes its spread that of the posterior with
/// noise. The readout must be a dense layer in the NTK parameterisation: only then is its share of
/// the NTK the NNGP.
struct EnsembleMember {
  let network: FiniteNetwork
  let data: RegressionData
  let mode: PredictiveMode
  let noiseVariance: Double
  let settings: EnsembleSettings

  init(network: FiniteNetwork, data: RegressionData, mode: PredictiveMode, noiseVariance: Double,
       settings: EnsembleSettings, graph: LayerGraph) throws {
    guard let readout = graph.primitives.last as? Dense, network.readoutParameters != nil else {
      throw NeuralLimitsError.architecture("a trained ensemble needs a network that ends in a dense readout layer")
    }
    guard readout.parameterization == .ntk else {
      throw NeuralLimitsError.architecture(
        "a trained ensemble needs its readout in the NTK parameterisation (its share of the NTK is then the NNGP)")
    }
    if let random = graph.primitives.first(where: { $0 is Dropout }) {
      throw NeuralLimitsError.architecture(
        "\(random.specification) draws new masks at every step and prediction, which no predictive describes; "
          + "a trained ensemble needs a deterministic network")
    }
    self.network = network
    self.data = data
    self.mode = mode
    self.noiseVariance = noiseVariance
    self.settings = settings
  }

  /// The training settings every member shares.
  var training: TrainingSettings {
    TrainingSettings(learningRate: settings.learningRate,
                     weightDecay: noiseVariance > 0 ? .towardsInitialization(noiseVariance / Double(data.trainTargets.elements.count)) : .none,
                     mask: mode == .nngp ? .readout : .all)
  }

  /// Member `random`'s outputs on the test inputs after training (`M × k`).
  func train(random: RandomStream) throws -> Matrix {
    let initial = network.initialize(random: random)
    var targets = data.trainTargets
    if noiseVariance > 0 && mode != .ensemble {
      targets = targets + (try Matrix(rows: targets.rows, columns: targets.columns,
                                      elements: random.gaussians(targets.elements.count, std: noiseVariance.squareRoot())))
    }
    var shift: Matrix?
    if mode == .ntkgp {
      var tangent = random.gaussians(network.parameterCount)
      for i in network.readoutParameters! { tangent[i] = 0 }
      targets = targets - (try network.jacobianVectorProduct(data.trainInputs, parameters: initial, tangent: tangent, random: random))
      shift = try network.jacobianVectorProduct(data.testInputs, parameters: initial, tangent: tangent, random: random)
    }
    let trainer = try Trainer(network: network, inputs: data.trainInputs, targets: targets, settings: training)
    let run = try trainer.train(from: initial, steps: settings.steps, random: random)
    let outputs = try network.outputs(data.testInputs, parameters: run.parameters, random: random)
    return shift.map { outputs + $0 } ?? outputs
  }
}
