import Foundation

/// The Gaussian predictive of an infinitely wide network at test inputs, given training data:
/// the NNGP or NTKGP posterior, or the infinite ensemble trained by gradient flow on MSE
/// (`PredictiveMode` has the formulas), at any training time `t`, as neural-tangents' `predict`
/// module (`gp_inference`, `gradient_descent_mse_ensemble`).
///
/// ```swift
/// let posterior = try Posterior(network, data: data, mode: .ensemble, noise: .absolute(0.01))
/// let converged = try posterior.predictive()            // t = ∞, by Cholesky
/// let flow = try posterior.trajectory()                 // one eigen-decomposition …
/// let early = try flow.predictive(at: 100)              // … for every finite t
/// ```
///
/// Multi-output targets (`N × k`) share the one factorisation; the covariance is that of each
/// output. Time is in units of the learning rate (`η·t` enters), and the loss is
/// `(1/2Nk)‖f(D) − Y‖²`, neural-tangents' normalisation by the targets' size.
public struct Posterior: Sendable {
  /// The kernels (`predictiveConsumingKernels` writes over them).
  public private(set) var kernels: PredictiveKernels
  /// `Y`, `N × k`.
  public let targets: Matrix
  public let mode: PredictiveMode
  /// `η`: time `t` of gradient flow stands for `η·t`.
  public let learningRate: Double
  /// Whether `σ²` is added to the predictive covariance's diagonal too: the predictive of noisy
  /// observations `y* = f(x*) + ε` rather than of `f(x*)`.
  public let observationNoise: Bool
  /// `σ²`, the variance added to the diagonal of the mode's train-train kernel.
  public let noiseVariance: Double

  /// Throws when the kernels `mode` reads are missing or the shapes, targets, noise or learning
  /// rate are invalid.
  public init(kernels: PredictiveKernels, targets: Matrix, mode: PredictiveMode, noise: DiagonalNoise = .absolute(0),
              learningRate: Double = 1, observationNoise: Bool = false) throws {
    guard (mode == .nngp ? kernels.nngp : kernels.ntk) != nil, mode != .ensemble || kernels.nngp != nil else {
      throw NeuralLimitsError.invalidArgument(
        "the \(mode.rawValue) predictive reads the "
          + [(KernelKinds.nngp, "NNGP"), (.ntk, "NTK")].filter { mode.kinds.contains($0.0) }.map(\.1).joined(separator: " and ")
          + " blocks")
    }
    self.kernels = kernels
    self.mode = mode
    let n = (kernels.nngp ?? kernels.ntk)!.train.rows
    guard targets.rows == n, targets.columns > 0 else {
      throw NeuralLimitsError.dimensionMismatch("the kernels are for \(n) training inputs, the targets are \(targets.rows) × \(targets.columns)")
    }
    try targets.validateFinite("the training targets")
    guard learningRate > 0, learningRate.isFinite else {
      throw NeuralLimitsError.invalidArgument("the learning rate must be positive and finite, got \(learningRate)")
    }
    self.targets = targets
    self.learningRate = learningRate
    self.observationNoise = observationNoise
    noiseVariance = try noise.variance(for: (mode == .nngp ? kernels.nngp : kernels.ntk)!.train)
  }

  /// The posterior of `network` on `data`, its kernels from the analytic evaluator.
  public init(_ network: some Layer, data: RegressionData, mode: PredictiveMode, noise: DiagonalNoise = .absolute(0),
              learningRate: Double = 1, observationNoise: Bool = false) throws {
    try self.init(kernels: PredictiveKernels(network, train: data.trainInputs, test: data.testInputs, mode: mode),
                  targets: data.trainTargets, mode: mode, noise: noise, learningRate: learningRate,
                  observationNoise: observationNoise)
  }

  /// `𝒦`, the kernel whose train-train block (plus `σ²I`) is inverted: the NNGP for `nngp`, the
  /// NTK otherwise.
  var trained: KernelBlocks { (mode == .nngp ? kernels.nngp : kernels.ntk)! }

  /// The kernel's name in messages.
  var trainedName: String { "the train-train \(mode == .nngp ? "NNGP" : "NTK") plus noise σ² = \(noiseVariance)" }

  /// The predictive at time `time` of gradient flow (`∞`, the default: the Bayesian posterior
  /// and the converged ensemble). `t = ∞` takes a Cholesky factorisation of `𝒦_DD + σ²I`
  /// (`Cholesky`, then triangular solves and `dsyrk`, or `dgemm` + `dsyr2k`); a finite `t` an
  /// eigen-decomposition, which `trajectory()` keeps for several times. Throws for a negative or
  /// NaN time and for a train kernel that cannot be inverted (see `Converged`).
  public func predictive(at time: Double = .infinity) throws -> GaussianPredictive {
    guard time >= 0 else {
      throw NeuralLimitsError.invalidArgument("the training time must be ≥ 0 (∞ for the limit), got \(time)")
    }
    if time.isFinite { return try trajectory().predictive(at: time) }
    var converged = self.converged
    let factor = try Converged.explainingPivots(of: converged.name, count: converged.testTrain.columns) {
      try Cholesky(trained.train, jitter: noiseVariance)
    }
    let (mean, covariance) = try factor.withFactor { try converged($0, inPlace: false) }
    return try predictive(mean: mean, covariance: covariance)
  }

  /// The same predictive as `predictive(at:)`, for a caller done with the posterior (the CLI, a
  /// table row): at `t = ∞` the factor is written over the train block
  /// (`Cholesky.withFactor(overwriting:)`) and the solves and the covariance over the test blocks,
  /// in their own storage — none of the copies `predictive(at:)` makes (128 + 32 + 8 MB at
  /// N = 4,000, M = 1,000; for the ensemble 32 MB more). Storage the posterior shares with
  /// another value is copied first, by copy-on-write.
  public consuming func predictiveConsumingKernels(at time: Double = .infinity) throws -> GaussianPredictive {
    guard time == .infinity else { return try predictive(at: time) }
    var converged = self.converged, train = trained.train
    // The posterior lets go of its blocks: `converged` and `train` hold them alone.
    kernels.nngp = nil
    kernels.ntk = nil
    let (mean, covariance) = try Converged.explainingPivots(of: converged.name, count: train.rows) {
      try Cholesky.withFactor(overwriting: &train, jitter: noiseVariance) { try converged($0, inPlace: true) }
    }
    return try predictive(mean: mean, covariance: consume covariance)
  }

  /// The predictive along gradient flow from one eigen-decomposition of `𝒦_DD + σ²I`.
  public func trajectory() throws -> PredictiveTrajectory {
    try PredictiveTrajectory(self)
  }

  /// What the predictive at `t = ∞` reads besides the train block, taken out of the posterior
  /// before that block is factored (in place or not), and the checks of the factor: a singular
  /// or indefinite kernel is an error naming its smallest pivot, never a NaN — a pivot that is not
  /// positive (the factorisation stops), or one below `N·ε` times the largest diagonal entry
  /// (numerically zero: the solves would return rounding noise).
  struct Converged {
    let mode: PredictiveMode
    /// `𝒦_*D`; becomes `W = 𝒦_*D L⁻ᵀ` (Bayesian) or `U = Θ_*D (Θ_DD + σ²I)⁻¹` (ensemble).
    var testTrain: Matrix
    /// `𝒦_**`; becomes the Bayesian covariance.
    var test: Matrix
    let targets: Matrix
    /// The NNGP blocks, for the ensemble's covariance (which its test block becomes).
    var nngp: KernelBlocks?
    let name: String
    let largestDiagonal: Double
    static let hint = "add noise to its diagonal (--noise or --noise-scaled)"

    /// `factorize()` of the `n × n` kernel `name`, with a pivot that is not positive explained.
    static func explainingPivots<R>(of name: String, count n: Int, _ factorize: () throws -> R) throws -> R {
      do {
        return try factorize()
      } catch NeuralLimitsError.notPositiveDefinite(let column, let pivot, _) {
        throw NeuralLimitsError.invalidArgument("\(name) is not positive definite: Cholesky pivot \(column) of \(n) is \(pivot); \(hint)")
      }
    }

    /// The mean and covariance from the factor of `𝒦_DD + σ²I`, after the check of its pivots:
    /// the solves and the covariance are written over the test blocks, which `inPlace` says this
    /// value holds alone — otherwise over fresh copies of them first.
    mutating func callAsFunction(_ factor: CholeskyFactor, inPlace: Bool) throws -> (mean: Matrix, covariance: Matrix) {
      let (row, pivot) = factor.smallestPivot, n = factor.n
      guard pivot > Double(n) * Double.ulpOfOne * largestDiagonal else {
        throw NeuralLimitsError.invalidArgument(
          "\(name) is numerically singular: its smallest Cholesky pivot, \(pivot) at row \(row + 1) of \(n), "
            + "is below N·ε times its largest diagonal entry \(largestDiagonal); \(Self.hint)")
      }
      // The mean from the covariance's own factors, `W·(L⁻¹Y)` or `U·Y` (`L·Lᵀ = 𝒦_DD + σ²I`):
      // at most one triangular solve of the targets besides.
      if !inPlace { testTrain = testTrain.copiedToFreshStorage() }
      switch mode {
      case .nngp, .ntkgp:
        try factor.whiten(rowsInPlace: &testTrain)
        let mean = BLAS.product(testTrain, try factor.whiten(columns: targets))
        if !inPlace { return (mean, PredictiveCovariance.conditioned(test, on: testTrain)) }
        PredictiveCovariance.condition(&test, on: testTrain)
        return (mean, Self.take(&test))
      case .ensemble:
        try factor.solve(rowsInPlace: &testTrain)
        let mean = BLAS.product(testTrain, targets)
        if !inPlace { return (mean, PredictiveCovariance.ensemble(copying: nngp!, weights: testTrain)) }
        PredictiveCovariance.ensemble(&nngp!, weights: testTrain)
        return (mean, Self.take(&nngp!.test))
      }
    }

    /// `m`, leaving an empty matrix in its place: the caller holds the storage alone (and can
    /// write the covariance's diagonal without a copy).
    private static func take(_ m: inout Matrix) -> Matrix {
      defer { m = Matrix(rows: 0, columns: 0) }
      return m
    }
  }

  /// This posterior's `Converged`.
  var converged: Converged {
    let train = trained.train
    return Converged(mode: mode, testTrain: trained.testTrain, test: trained.test, targets: targets,
                     nngp: mode == .ensemble ? kernels.nngp : nil, name: trainedName,
                     largestDiagonal: (0..<train.rows).reduce(0) { max($0, train[$1, $1] + noiseVariance) })
  }

  /// The predictive from `mean` and `covariance`, with `σ²` on the covariance's diagonal when
  /// `observationNoise` asks for it.
  func predictive(mean: Matrix, covariance: consuming Matrix) throws -> GaussianPredictive {
    if observationNoise {
      for i in 0..<covariance.rows { covariance[i, i] += noiseVariance }
    }
    return try GaussianPredictive(mean: mean, covariance: covariance)
  }
}
