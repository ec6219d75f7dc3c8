/// One posterior computation as `neural-limits posterior` and `table` (`command: posterior`) run
/// it: the predictive of `mode` at a time of gradient flow or, with a simulation, after the
/// ensemble's steps; the trained ensemble and its verdict; the metrics on held-out targets.
public struct PosteriorStudy: Sendable {
  public struct Settings: Sendable {
    public var mode: PredictiveMode
    public var noise: DiagonalNoise
    /// `∞` for the limit; ignored with a simulation (the predictive is taken after its steps).
    public var time: Double
    /// `nil`: 1, or with a simulation `Nk/λ_max` (`PredictiveTrajectory.criticalLearningRate`).
    public var learningRate: Double?
    public var observationNoise: Bool
    /// Members, width, steps and seed of the trained ensemble (its learning rate is the study's).
    public var simulation: (members: Int, width: Int, steps: Int, seed: UInt64)?

    public init(mode: PredictiveMode, noise: DiagonalNoise, time: Double = .infinity, learningRate: Double? = nil,
                observationNoise: Bool = false, simulation: (members: Int, width: Int, steps: Int, seed: UInt64)? = nil) {
      self.mode = mode
      self.noise = noise
      self.time = time
      self.learningRate = learningRate
      self.observationNoise = observationNoise
      self.simulation = simulation
    }
  }

  /// `η`, as given or, with a simulation and none given, `Nk/λ_max`.
  public let learningRate: Double
  /// `σ²` on the train diagonal.
  public let noiseVariance: Double
  public let predictive: GaussianPredictive
  /// The ensemble against the predictive, with a simulation.
  public let comparison: EnsembleComparison?
  /// On the held-out targets, when the data have them.
  public let metrics: (theory: PredictiveMetrics, simulation: PredictiveMetrics?)?

  /// `progress` hears `(members done, members)` of the ensemble.
  public init(_ network: some Layer, data: RegressionData, settings: Settings,
              progress: (@Sendable (Int, Int) -> Void)? = nil) throws {
    func at(_ rate: Double, _ kernels: PredictiveKernels) throws -> Posterior {
      try Posterior(kernels: kernels, targets: data.trainTargets, mode: settings.mode, noise: settings.noise, learningRate: rate,
                    observationNoise: settings.observationNoise)
    }
    // The posterior alone holds the kernels, so that the predictive can be made in their storage.
    var posterior = try at(settings.learningRate ?? 1,
                           PredictiveKernels(network, train: data.trainInputs, test: data.testInputs, mode: settings.mode))
    if settings.learningRate == nil, settings.simulation != nil {
      posterior = try at(posterior.trajectory().criticalLearningRate, posterior.kernels)
    }
    let rate = posterior.learningRate
    learningRate = rate
    noiseVariance = posterior.noiseVariance
    if let s = settings.simulation {
      predictive = try posterior.trajectory().predictive(afterSteps: s.steps)
      let ensemble = try FiniteEnsemble(network, data: data, mode: settings.mode, noiseVariance: posterior.noiseVariance,
                                        settings: EnsembleSettings(members: s.members, width: s.width, steps: s.steps,
                                                                   learningRate: rate, seed: s.seed),
                                        progress: progress)
      comparison = try EnsembleComparison(theory: predictive, ensemble: ensemble)
    } else {
      predictive = try (consume posterior).predictiveConsumingKernels(at: settings.time)
      comparison = nil
    }
    if let targets = data.testTargets {
      let estimate = comparison?.estimate
      metrics = (try PredictiveMetrics(predictive, targets: targets), try estimate.map { try PredictiveMetrics($0, targets: targets) })
    } else {
      metrics = nil
    }
  }
}
