import Foundation
import Testing
@testable import NeuralLimits

/// Random regression data: `n` training and `m` test inputs in `d` dimensions, `k` outputs.
func randomRegression(n: Int, m: Int, d: Int, k: Int = 1, seed: UInt64) throws -> RegressionData {
  let x = randomMatrix(n, d, seed: seed), y = randomMatrix(n, k, seed: seed + 1), test = randomMatrix(m, d, seed: seed + 2)
  return try RegressionData(trainInputs: x, trainTargets: y, testInputs: test)
}

@Suite("Posterior predictives: properties")
struct PosteriorPropertyTests {
  static let architectures = [
    ToyRegression.architecture,
    "(dense(w_std=1.5, b_std=0.05) -> relu) * 3 -> dense(w_std=1.5, b_std=0.05)",
    "dense(w_std=1.2, b_std=0.1) -> gelu -> dense(w_std=1.0, b_std=0.2)",
  ]

  @Test("Σ_NTKGP ⪰ Σ_ensemble at t = ∞ (He et al. 2020, Prop. 3): the difference's smallest eigenvalue ≥ −1e-12·scale",
        arguments: architectures, [0, 0.01])
  func ntkgpDominatesEnsemble(_ arch: String, _ noise: Double) throws {
    let network = try ArchitectureParser.parse(arch)
    let data = try randomRegression(n: 15, m: 12, d: 3, seed: 20)
    let kernels = try PredictiveKernels(network, train: data.trainInputs, test: data.testInputs, mode: .ensemble)
    func covariance(_ mode: PredictiveMode) throws -> Matrix {
      try Posterior(kernels: kernels, targets: data.trainTargets, mode: mode, noise: .absolute(noise)).predictive().covariance
    }
    let ntkgp = try covariance(.ntkgp), ensemble = try covariance(.ensemble)
    let eigenvalues = try SymmetricEigen(ntkgp - ensemble).values
    let scale = kernels.ntk!.test.diagonal.max()!
    #expect(eigenvalues.first! >= -1e-12 * scale, "smallest eigenvalue \(eigenvalues.first!) of Σ_NTKGP − Σ_ensemble")
    #expect(eigenvalues.last! > 1e-3 * scale)  // not equal: the NTKGP is strictly more conservative here
  }

  @Test("Finite time: t = 0 is the prior, a long time the t = ∞ predictive, every mode", arguments: PredictiveMode.allCases)
  func timeLimits(_ mode: PredictiveMode) throws {
    // One BLAS thread: `predictive(at:)` makes its own eigen-decomposition, compared bit for bit.
    try BLAS.withOneThread { try timeLimitsOnOneThread(mode) }
  }

  private func timeLimitsOnOneThread(_ mode: PredictiveMode) throws {
    let network = try ArchitectureParser.parse(Self.architectures[1])
    let data = try randomRegression(n: 10, m: 6, d: 4, k: 2, seed: 30)
    let posterior = try Posterior(network, data: data, mode: mode, noise: .absolute(0.05), learningRate: 3)
    let trajectory = try posterior.trajectory()
    let start = try trajectory.predictive(at: 0)
    let prior = mode == .ntkgp ? posterior.kernels.ntk!.test : posterior.kernels.nngp!.test
    #expect(start.mean.elements.allSatisfy { $0 == 0 })
    #expect(start.covariance.maxAbsDifference(prior) == 0)
    let late = try trajectory.predictive(at: 1e9), limit = try posterior.predictive()
    #expect(relativeError(late.mean, limit.mean) < 1e-10 && relativeError(late.covariance, limit.covariance) < 1e-10)
    #expect(try posterior.predictive(at: 7).covariance == trajectory.predictive(at: 7).covariance)
  }

  @Test("Discrete steps: 0 steps is the prior; t/η steps at rate η tend to gradient flow at time t as η → 0, error O(η)",
        arguments: PredictiveMode.allCases)
  func discreteSteps(_ mode: PredictiveMode) throws {
    let network = try ArchitectureParser.parse(Self.architectures[2])
    let data = try randomRegression(n: 10, m: 6, d: 4, seed: 35)
    func posterior(_ rate: Double) throws -> Posterior {
      try Posterior(network, data: data, mode: mode, noise: .absolute(0.02), learningRate: rate)
    }
    let start = try posterior(1).trajectory().predictive(afterSteps: 0), prior = try posterior(1).trajectory().predictive(at: 0)
    #expect(start == prior)
    // t = 40 in units of η·t: by 40 steps at η = 1, 400 at 0.1 and 4000 at 0.01. The discrete
    // decay (1 − η̄λ)^S differs from e^{−η̄λS} by O(η̄²λ²S) = O(η): the error falls tenfold per step.
    let flow = try posterior(1).predictive(at: 40)
    let errors = try [1.0, 0.1, 0.01].map { rate in
      let discrete = try posterior(rate).trajectory().predictive(afterSteps: Int((40 / rate).rounded()))
      return max(relativeError(discrete.mean, flow.mean), relativeError(discrete.covariance, flow.covariance))
    }
    #expect(errors[2] < 1e-3, "\(errors)")
    #expect(errors[0] / errors[1] > 5 && errors[1] / errors[2] > 5, "\(errors)")
  }

  @Test("Discrete steps: a learning rate beyond 2(Nk)/λ_max is refused with the largest stable rate")
  func divergentRate() throws {
    let network = try ArchitectureParser.parse(Self.architectures[2])
    let data = try randomRegression(n: 10, m: 6, d: 4, seed: 35)
    let trajectory = try Posterior(network, data: data, mode: .ensemble, learningRate: 1e3).trajectory()
    let rate = 2 * 10 / trajectory.eigenvalues.last!
    #expect(throws: NeuralLimitsError.self) { try trajectory.predictive(afterSteps: 10) }
    #expect(throws: Never.self) {
      try Posterior(network, data: data, mode: .ensemble, learningRate: 0.99 * rate).trajectory().predictive(afterSteps: 10)
    }
  }

  @Test("k outputs: the loss (1/2Nk)‖f − Y‖² makes output j of a k-output run at time t the one-output run at t/k")
  func outputsShareTheFactorisation() throws {
    let network = try ArchitectureParser.parse(Self.architectures[0])
    let data = try randomRegression(n: 8, m: 5, d: 2, k: 3, seed: 40)
    let both = try Posterior(network, data: data, mode: .ensemble, noise: .absolute(0.01))
    for (time, scale) in [(Double.infinity, 1.0), (6, 3)] {
      let joint = try both.predictive(at: time)
      for j in 0..<3 {
        let column = try Matrix(rows: 8, columns: 1, elements: (0..<8).map { data.trainTargets[$0, j] })
        let single = try Posterior(kernels: both.kernels, targets: column, mode: .ensemble, noise: .absolute(0.01))
          .predictive(at: time / scale)
        #expect((0..<5).allSatisfy { abs(joint.mean[$0, j] - single.mean[$0, 0]) < 1e-12 })
        #expect(joint.covariance.maxAbsDifference(single.covariance) < 1e-12)
      }
    }
  }

  @Test("Noise: scaled(r) is absolute(r·mean diagonal); observation noise adds σ² to the covariance's diagonal only")
  func noise() throws {
    // One BLAS thread: predictives computed apart are compared bit for bit.
    try BLAS.withOneThread(noiseOnOneThread)
  }

  private func noiseOnOneThread() throws {
    let network = try ArchitectureParser.parse(Self.architectures[2])
    let data = try randomRegression(n: 9, m: 4, d: 3, seed: 50)
    let kernels = try PredictiveKernels(network, train: data.trainInputs, test: data.testInputs, mode: .ntkgp)
    let ntk = kernels.ntk!.train
    let meanDiagonal = ntk.diagonal.reduce(0, +) / 9
    func posterior(_ noise: DiagonalNoise, observed: Bool = false) throws -> Posterior {
      try Posterior(kernels: kernels, targets: data.trainTargets, mode: .ntkgp, noise: noise, observationNoise: observed)
    }
    let sigma2 = try posterior(.scaled(0.2)).noiseVariance
    #expect(abs(sigma2 - 0.2 * meanDiagonal) < 1e-15 * sigma2)
    #expect(try posterior(.absolute(sigma2)).predictive() == posterior(.scaled(0.2)).predictive())
    let plain = try posterior(.scaled(0.2)).predictive(), observed = try posterior(.scaled(0.2), observed: true).predictive()
    #expect(observed.mean == plain.mean)
    var expected = plain.covariance
    for i in 0..<4 { expected[i, i] += sigma2 }
    #expect(observed.covariance == expected)
    #expect(throws: NeuralLimitsError.self) { try posterior(.absolute(-1)) }
    #expect(throws: NeuralLimitsError.self) { try posterior(.scaled(.nan)) }
  }

  @Test("A singular train kernel without noise is an error naming the smallest pivot, not NaN; noise rescues it",
        arguments: PredictiveMode.allCases)
  func singular(_ mode: PredictiveMode) throws {
    let network = try ArchitectureParser.parse(Self.architectures[1])
    var data = try randomRegression(n: 6, m: 3, d: 2, seed: 60)
    // Training input 3 repeats input 1: two equal rows and columns in every kernel.
    var x = data.trainInputs
    for j in 0..<2 { x[3, j] = x[1, j] }
    data = try RegressionData(trainInputs: x, trainTargets: data.trainTargets, testInputs: data.testInputs)
    let posterior = try Posterior(network, data: data, mode: mode)
    let train = (posterior.kernels.nngp?.train.elements.map { $0 }, posterior.kernels.ntk?.train.elements.map { $0 })
    for consuming in [false, true] {
      do {
        // Consuming a posterior used again below works on a copy of it.
        _ = try consuming ? posterior.predictiveConsumingKernels() : posterior.predictive()
        Issue.record("a singular kernel was accepted")
      } catch let error as NeuralLimitsError {
        let message = "\(error)"
        #expect(message.contains("pivot") && message.contains("of 6") && message.contains("noise"), "\(message)")
      }
    }
    #expect(posterior.kernels.nngp?.train.elements == train.0 && posterior.kernels.ntk?.train.elements == train.1)
    #expect(try posterior.trajectory().predictive(at: 5).mean.isFinite)  // finite t needs no inverse
    let rescued = try Posterior(network, data: data, mode: mode, noise: .absolute(1e-6)).predictive()
    #expect(rescued.mean.isFinite && rescued.covariance.isFinite)
  }

  @Test("Using up the kernels gives the predictive bit for bit, the covariance where the test block lay; a posterior sharing them keeps its own",
        arguments: PredictiveMode.allCases)
  func consuming(_ mode: PredictiveMode) throws {
    // One BLAS thread for both: OpenBLAS's level-2 reductions depend on its thread count, which
    // suites running alongside lower to 1 while they run (`BLAS.withOneThread`).
    try BLAS.withOneThread { try consumingOnOneThread(mode) }
  }

  private func consumingOnOneThread(_ mode: PredictiveMode) throws {
    let network = try ArchitectureParser.parse(Self.architectures[0])
    let data = try randomRegression(n: 40, m: 7, d: 3, seed: 80)
    func posterior() throws -> Posterior {
      try Posterior(network, data: data, mode: mode, noise: .absolute(0.01), observationNoise: true)
    }
    func address(_ m: Matrix) -> UnsafePointer<Double>? { m.elements.withUnsafeBufferPointer { $0.baseAddress } }
    let expected = try posterior().predictive()
    // Alone: the solves and the covariance are written over the blocks, nothing is copied.
    let alone = try posterior()
    #expect((alone.kernels.nngp == nil) == (mode == .ntkgp))
    let test = address(mode == .ensemble ? alone.kernels.nngp!.test : alone.trained.test)
    let result = try (consume alone).predictiveConsumingKernels()
    #expect(result == expected)
    #expect(address(result.covariance) == test)
    // Shared: copy-on-write copies the blocks the predictive writes, the other holder's stay.
    let shared = try posterior()
    func snapshot(_ b: KernelBlocks?) -> [[Double]] { b.map { [$0.train, $0.testTrain, $0.test].map { $0.elements.map { $0 } } } ?? [] }
    let before = (snapshot(shared.kernels.nngp), snapshot(shared.kernels.ntk))
    #expect(try shared.predictiveConsumingKernels() == expected)
    #expect(snapshot(shared.kernels.nngp) == before.0 && snapshot(shared.kernels.ntk) == before.1)
    // A finite time takes the eigen-decomposition, as `predictive(at:)`.
    #expect(try posterior().predictiveConsumingKernels(at: 3) == (try posterior().predictive(at: 3)))
  }

  @Test("A train block given not symmetric: both paths read its lower triangle only")
  func asymmetricTrain() throws {
    try BLAS.withOneThread(asymmetricTrainOnOneThread)
  }

  private func asymmetricTrainOnOneThread() throws {
    let network = try ArchitectureParser.parse(Self.architectures[0])
    let data = try randomRegression(n: 12, m: 3, d: 2, seed: 81)
    let kernels = try PredictiveKernels(network, train: data.trainInputs, test: data.testInputs, mode: .nngp)
    func posterior(_ kernels: PredictiveKernels) throws -> Posterior {
      try Posterior(kernels: kernels, targets: data.trainTargets, mode: .nngp, noise: .absolute(0.01))
    }
    let expected = try posterior(kernels).predictive()
    var train = kernels.nngp!.train
    train[2, 7] += 1
    let blocks = try KernelBlocks(train: train, testTrain: kernels.nngp!.testTrain, test: kernels.nngp!.test)
    let changed = try posterior(PredictiveKernels(nngp: blocks, ntk: nil))
    #expect(try changed.predictive() == expected)
    #expect(try changed.predictiveConsumingKernels() == expected)
  }

  @Test("Invalid settings throw one-line errors")
  func invalid() throws {
    let data = try randomRegression(n: 4, m: 2, d: 2, seed: 70)
    let network = try ArchitectureParser.parse(Self.architectures[1])
    let kernels = try PredictiveKernels(network, train: data.trainInputs, test: data.testInputs, mode: .nngp)
    #expect(throws: NeuralLimitsError.invalidArgument("the ensemble predictive reads the NNGP and NTK blocks")) {
      try Posterior(kernels: kernels, targets: data.trainTargets, mode: .ensemble)
    }
    #expect(throws: NeuralLimitsError.invalidArgument("the ntkgp predictive reads the NTK blocks")) {
      try Posterior(kernels: kernels, targets: data.trainTargets, mode: .ntkgp)
    }
    #expect(throws: NeuralLimitsError.self) { try Posterior(kernels: kernels, targets: randomMatrix(3, 1, seed: 1), mode: .nngp) }
    #expect(throws: NeuralLimitsError.self) {
      try Posterior(kernels: kernels, targets: data.trainTargets, mode: .nngp, learningRate: 0)
    }
    let posterior = try Posterior(kernels: kernels, targets: data.trainTargets, mode: .nngp, noise: .absolute(0.1))
    for time in [-1, Double.nan] { #expect(throws: NeuralLimitsError.self) { try posterior.predictive(at: time) } }
    #expect(throws: NeuralLimitsError.self) { try posterior.trajectory().predictive(at: .infinity) }
    #expect(throws: NeuralLimitsError.self) {
      try KernelBlocks(train: Matrix.identity(3), testTrain: Matrix(rows: 2, columns: 4), test: Matrix.identity(2))
    }
    var indefinite = kernels.nngp!.train
    indefinite[0, 0] = -1
    let bad = try PredictiveKernels(
      nngp: KernelBlocks(train: indefinite, testTrain: kernels.nngp!.testTrain, test: kernels.nngp!.test), ntk: nil)
    let posteriorOfBad = try Posterior(kernels: bad, targets: data.trainTargets, mode: .nngp)
    #expect(throws: NeuralLimitsError.self) { try posteriorOfBad.predictive(at: 1) }
    #expect(throws: NeuralLimitsError.self) { try posteriorOfBad.predictive() }
  }
}
