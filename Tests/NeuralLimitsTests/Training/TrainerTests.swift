import Testing
@testable import NeuralLimits

@Suite("Trainer: gradient descent, momentum, weight decay, masks, snapshots")
struct TrainerTests {
  static let arch = "dense(w_std=1.3, b_std=0.2) -> erf -> dense(w_std=0.9, b_std=0.1)"

  /// `θ_{s+1} = θ_s − η·v_{s+1}`, `v_{s+1} = μ·v_s + ∇L(θ_s) + λ(θ_s − θ*)` written out with
  /// `lossGradient`, for `steps` steps over all parameters.
  static func byHand(_ network: FiniteNetwork, _ theta0: [Double], _ y: Matrix, eta: Double, mu: Double,
                     lambda: Double, anchor: [Double], steps: Int) throws -> [[Double]] {
    var theta = theta0, velocity = [Double](repeating: 0, count: theta0.count)
    var path = [theta]
    for _ in 0..<steps {
      let g = try network.lossGradient(TrainingFixtures.x, targets: y, loss: .meanSquaredError, parameters: theta,
                                       random: RandomStream(seed: 0)).gradient
      for i in theta.indices {
        velocity[i] = mu * velocity[i] + g[i] + lambda * (theta[i] - anchor[i])
        theta[i] -= eta * velocity[i]
      }
      path.append(theta)
    }
    return path
  }

  @Test("Plain GD, momentum, decay towards 0 and towards θ₀ follow the update rule written out by hand",
        arguments: [(0.0, WeightDecay.none), (0.9, .none), (0.0, .towardsZero(0.3)), (0.5, .towardsZero(0.3)),
                    (0.7, .towardsInitialization(0.4))])
  func updateRule(_ mu: Double, _ decay: WeightDecay) throws {
    let network = try TrainingFixtures.network(Self.arch)
    let theta0 = network.initialize(random: RandomStream(seed: 1))
    let y = TrainingFixtures.targets(rows: 4, columns: 2, loss: .meanSquaredError)
    let settings = TrainingSettings(learningRate: 0.2, momentum: mu, weightDecay: decay, snapshotEvery: 1)
    let run = try Trainer(network: network, inputs: TrainingFixtures.x, targets: y, settings: settings)
      .train(from: theta0, steps: 4, random: RandomStream(seed: 0))
    let anchor: [Double]
    if case .towardsInitialization = decay { anchor = theta0 } else { anchor = [Double](repeating: 0, count: theta0.count) }
    let path = try Self.byHand(network, theta0, y, eta: 0.2, mu: mu, lambda: decay.strength, anchor: anchor, steps: 4)
    #expect(run.snapshots.map(\.step) == [0, 1, 2, 3, 4])
    for (snapshot, expected) in zip(run.snapshots, path) {
      #expect(TrainingFixtures.relativeError(snapshot.parameters, expected) <= 1e-14, "step \(snapshot.step)")
    }
    #expect(run.parameters == run.snapshots.last!.parameters)
    var unused = Matrix(rows: 0, columns: 0)
    for (s, loss) in run.losses.enumerated() {
      let f = try network.outputs(TrainingFixtures.x, parameters: path[s], random: RandomStream(seed: 0))
      #expect(abs(loss - Loss.meanSquaredError.evaluate(f, targets: y, gradient: &unused)) <= 1e-14 * loss)
    }
  }

  @Test("Masks: frozen parameters stay bit for bit; trainable ones move")
  func masks() throws {
    let network = try TrainingFixtures.network(Self.arch)
    let theta0 = network.initialize(random: RandomStream(seed: 1))
    let y = TrainingFixtures.targets(rows: 4, columns: 2, loss: .meanSquaredError)
    let readout = try #require(network.readoutParameters)
    #expect(readout == network.parameterBlocks.last!.range && readout.count == 2 * 5 + 2)
    let firstBias = network.parameterBlocks[0].range.suffix(5)
    for (mask, moving) in [(ParameterMask.readout, Set(readout)), (.ranges([firstBias.startIndex..<firstBias.endIndex, 3..<6]),
                                                                 Set(firstBias).union(3..<6))] {
      let settings = TrainingSettings(learningRate: 0.5, momentum: 0.5, weightDecay: .towardsZero(0.1), mask: mask)
      let run = try Trainer(network: network, inputs: TrainingFixtures.x, targets: y, settings: settings)
        .train(from: theta0, steps: 5, random: RandomStream(seed: 0))
      for k in theta0.indices {
        if moving.contains(k) { #expect(run.parameters[k] != theta0[k], "\(mask) \(k)") } else {
          #expect(run.parameters[k] == theta0[k], "\(mask) \(k)")
        }
      }
      #expect(run.losses.last! < run.losses.first!)
    }
  }

  @Test("Readout-only training with decay towards θ₀ converges to kernel ridge regression on the readout's features")
  func readoutRidge() throws {
    // f₀(x) + Θ_r(x, D)·(Θ_r + λ|y|·I)⁻¹·(y − f₀(D)) per output, Θ_r = ω²·h·h'ᵀ + β² the readout's
    // own NTK (NTK parameterization: ω = w/√n, β = b): the minimiser of the convex objective.
    let network = try TrainingFixtures.network("dense(b_std=0.3) -> gelu -> dense(w_std=1.2, b_std=0.5)", width: 16)
    let theta0 = network.initialize(random: RandomStream(seed: 1))
    let x = TrainingFixtures.x
    let test = try Matrix([[0.5, -0.5, 0.2], [-1, 0.1, 0.4]])
    let y = TrainingFixtures.targets(rows: 4, columns: 2, loss: .meanSquaredError)
    let lambda = 0.1, size = 8.0
    func features(_ inputs: Matrix) -> Matrix {
      var records: [FiniteNetwork.Record] = []
      _ = theta0.withUnsafeBufferPointer { network.forward(inputs, parameters: $0, random: RandomStream(seed: 0), records: &records) }
      return records.last!.input
    }
    let h = features(x), hTest = features(test)
    func kernel(_ a: Matrix, _ b: Matrix) -> Matrix {
      var k = BLAS.product(a, b, transposeB: true, alpha: 1.44 / 16)
      for e in k.elements.indices { k.elements[e] += 0.25 }
      return k
    }
    var regularised = kernel(h, h)
    for i in 0..<4 { regularised[i, i] += lambda * size }
    let f0 = try network.outputs(x, parameters: theta0, random: RandomStream(seed: 0))
    let f0Test = try network.outputs(test, parameters: theta0, random: RandomStream(seed: 0))
    let expected = f0Test + kernel(hTest, h) * (try Cholesky(regularised).solve(y - f0))
    for mu in [0.0, 0.9] {
      let settings = TrainingSettings(learningRate: 1, momentum: mu, weightDecay: .towardsInitialization(lambda), mask: .readout)
      let run = try Trainer(network: network, inputs: x, targets: y, settings: settings)
        .train(from: theta0, steps: 600, random: RandomStream(seed: 0))
      let trained = try network.outputs(test, parameters: run.parameters, random: RandomStream(seed: 0))
      #expect(trained.maxAbsDifference(expected) <= 1e-10, "momentum \(mu): \(trained) vs \(expected)")
    }
  }

  @Test("Cross-entropy training lowers the loss at every step and fits the labels")
  func crossEntropy() throws {
    let network = try TrainingFixtures.network("dense(b_std=0.1) -> erf -> dense(b_std=0.1)", width: 64, readout: 3)
    var y = Matrix(rows: 4, columns: 3)
    for i in 0..<4 { y[i, i % 3] = 1 }
    let settings = TrainingSettings(learningRate: 2, momentum: 0.5, loss: .softmaxCrossEntropy)
    let run = try Trainer(network: network, inputs: TrainingFixtures.x, targets: y, settings: settings)
      .train(from: network.initialize(random: RandomStream(seed: 1)), steps: 200, random: RandomStream(seed: 0))
    #expect(zip(run.losses, run.losses.dropFirst()).allSatisfy { $1 < $0 })
    let f = try network.outputs(TrainingFixtures.x, parameters: run.parameters, random: RandomStream(seed: 0))
    for i in 0..<4 { #expect((0..<3).max { f[i, $0] < f[i, $1] } == i % 3) }
  }

  @Test("Runs are deterministic given the stream; dropout draws fresh masks per step from it")
  func determinism() throws {
    let network = try TrainingFixtures.network("dense -> dropout(rate=0.2) -> erf -> dense", width: 32)
    let theta0 = network.initialize(random: RandomStream(seed: 1))
    let y = TrainingFixtures.targets(rows: 4, columns: 2, loss: .meanSquaredError)
    let trainer = try Trainer(network: network, inputs: TrainingFixtures.x, targets: y,
                              settings: TrainingSettings(learningRate: 0.3, momentum: 0.9, snapshotEvery: 3))
    let a = try trainer.train(from: theta0, steps: 10, random: RandomStream(seed: 7))
    let b = try trainer.train(from: theta0, steps: 10, random: RandomStream(seed: 7))
    let c = try trainer.train(from: theta0, steps: 10, random: RandomStream(seed: 8))
    #expect(a.parameters == b.parameters && a.losses == b.losses)
    #expect(a.parameters != c.parameters)
    #expect(a.snapshots.map(\.step) == [0, 3, 6, 9] && a.snapshots[0].parameters == theta0)
    #expect(a.losses.count == 11)
  }

  @Test("Bad settings and data are refused with one-line errors")
  func refusals() throws {
    let network = try TrainingFixtures.network(Self.arch)
    let x = TrainingFixtures.x, y = Matrix(rows: 4, columns: 2)
    func trainer(_ settings: TrainingSettings, targets: Matrix = y) throws -> Trainer {
      try Trainer(network: network, inputs: x, targets: targets, settings: settings)
    }
    #expect(throws: NeuralLimitsError.invalidArgument("momentum must lie in [0, 1), got 1.0")) {
      try trainer(TrainingSettings(learningRate: 0.1, momentum: 1))
    }
    #expect(throws: NeuralLimitsError.invalidArgument("learning rate must be positive and finite, got 0.0")) {
      try trainer(TrainingSettings(learningRate: 0))
    }
    #expect(throws: NeuralLimitsError.invalidArgument("weight decay must be non-negative and finite, got -1.0")) {
      try trainer(TrainingSettings(learningRate: 0.1, weightDecay: .towardsZero(-1)))
    }
    #expect(throws: NeuralLimitsError.invalidArgument("parameter range 30..<40 lies outside the network's 32 parameters")) {
      try trainer(TrainingSettings(learningRate: 0.1, mask: .ranges([30..<40])))
    }
    #expect(throws: NeuralLimitsError.dimensionMismatch(
      "targets are 4 × 3, the network's outputs on these inputs 4 × 2")) {
      try trainer(TrainingSettings(learningRate: 0.1), targets: Matrix(rows: 4, columns: 3))
    }
    #expect(throws: NeuralLimitsError.invalidArgument(
      "softmax cross-entropy needs non-negative targets (probabilities), found -1.0")) {
      try trainer(TrainingSettings(learningRate: 0.1, loss: .softmaxCrossEntropy), targets: Matrix(rows: 4, columns: 2, repeating: -1))
    }
    let noReadout = try TrainingFixtures.network("dense -> erf")
    #expect(throws: NeuralLimitsError.architecture("readout-only training needs a network that ends in a dense layer")) {
      try Trainer(network: noReadout, inputs: x, targets: Matrix(rows: 4, columns: 5),
                  settings: TrainingSettings(learningRate: 0.1, mask: .readout))
    }
    #expect(throws: NeuralLimitsError.dimensionMismatch("starting parameters: 3 entries for the network's 32 parameters")) {
      try trainer(TrainingSettings(learningRate: 0.1)).train(from: [1, 2, 3], steps: 1, random: RandomStream(seed: 0))
    }
    #expect(throws: NeuralLimitsError.accuracy("training diverged: the loss is not finite at step 4; lower the learning rate (1000000.0)")) {
      let linear = try TrainingFixtures.network("dense -> identity -> dense")
      _ = try Trainer(network: linear, inputs: x, targets: y, settings: TrainingSettings(learningRate: 1e6))
        .train(from: linear.initialize(random: RandomStream(seed: 1)), steps: 1000, random: RandomStream(seed: 0))
    }
  }
}
