import Foundation
import Testing
@testable import NeuralLimits

/// Gradient descent on a wide network against its linearisation (Lee et al. 2019, eq. 9):
/// `f_t(x) = f₀(x) + Θ(x, D)·Θ⁻¹·(I − e^{−ηtΘ/|y|})·(y − f₀(D))` after `t` steps of rate `η` on
/// `‖f − y‖²/(2|y|)`, `|y| = N·k` (neural-tangents' time convention).
///
/// Tolerances, in units of `s = max|y − f₀(D)|` (the residual that training removes):
/// - against the empirical NTK at initialisation (the full `N·k × N·k` `J·Jᵀ`, cross-output blocks
///   included, so the linear model is exactly the network's first-order Taylor expansion):
///   `s/√n`. Lee et al.'s Theorem 2.1 bounds `sup_t |f_t − f_t^lin|` by `O(n^{−1/2})`; the
///   constant 1 is generous (measured 0.03–0.23·s/√n over 8 + 8 networks of width 512 and 2048,
///   erf and ReLU, at this `η` and `t`), because for smooth activations the deviation is in fact
///   `O(1/n)` (Dyer & Gur-Ari 2019). It still includes the discretisation, `(I − ηΘ/|y|)^t` for
///   `e^{−ηtΘ/|y|}`, about `1e-3·s` at `η = 0.01·|y|/λ_max`;
/// - against the analytic NTK `Θ_∞ ⊗ I_k` with the network's own `f₀`: `3s/√n`. The empirical
///   NTK is a mean over `n` hidden units, so `Θ̂₀ − Θ_∞ = O(n^{−1/2})` (central limit) and the
///   prediction moves by as much; measured 0.46–1.25·s/√n over the same 16 networks.
@Suite("Wide networks follow the linearised NTK dynamics")
struct NTKDynamicsTests {
  static let features = 3, trainCount = 8, testCount = 6, outputs = 2, steps = 300

  /// Training and test inputs (standard Gaussian) and smooth targets with two outputs.
  static let data: (train: Matrix, test: Matrix, targets: Matrix) = {
    let random = RandomStream(seed: 100)
    let train = try! Matrix(rows: trainCount, columns: features, elements: random.gaussians(trainCount * features))
    let test = try! Matrix(rows: testCount, columns: features, elements: random.gaussians(testCount * features))
    var y = Matrix(rows: trainCount, columns: outputs)
    for i in 0..<trainCount {
      y[i, 0] = sin(2 * train[i, 0]) + 0.5 * train[i, 1] * train[i, 2]
      y[i, 1] = cos(train[i, 2]) - train[i, 0]
    }
    return (train, test, y)
  }()

  /// One network trained for `steps` steps at `η = 0.01·|y|/λ_max(Θ̂₀)` (the fastest mode
  /// reaches `ηtλ/|y| = 3`, the slowest about 0.01), with what its linearisations predict.
  struct Outcome {
    let trained: Matrix, empirical: Matrix, discrete: Matrix, analytic: Matrix, doubledTime: Matrix
    let scale: Double
    let losses: [Double]
  }

  static func train(_ arch: String, width: Int, seed: UInt64) throws -> Outcome {
    let layer = try ArchitectureParser.parse(arch)
    let (train, test, y) = data
    let batch = try train.stacked(with: test)
    let network = try FiniteNetwork(layer.graph, inputWidth: features, width: width, readoutWidth: outputs)
    let theta0 = network.initialize(random: RandomStream(seed: seed, stream: UInt64(width)))
    let ntk = BLAS.gram(TrainingFixtures.jacobian(network, parameters: theta0, batch))
    let analytic = TrainingFixtures.perOutput(try layer.kernels(batch, get: [.ntk]).ntk!, outputs: outputs)
    let f0 = TrainingFixtures.column(try network.outputs(batch, parameters: theta0, random: RandomStream(seed: 0)))
    let d = trainCount * outputs, all = (trainCount + testCount) * outputs
    func block(_ m: Matrix, _ rows: Range<Int>, _ columns: Range<Int>) -> Matrix {
      var b = Matrix(rows: rows.count, columns: columns.count)
      for i in rows { for j in columns { b[i - rows.lowerBound, j - columns.lowerBound] = m[i, j] } }
      return b
    }
    let f0Train = f0.rows(0..<d), f0Test = f0.rows(d..<all), targets = TrainingFixtures.column(y)
    let eta = 0.01 * Double(d) / (try SymmetricEigen(block(ntk, 0..<d, 0..<d))).values.last!
    func linearised(_ kernel: Matrix, steps: Int, discrete: Bool = false) throws -> Matrix {
      try TrainingFixtures.linearised(ntkTrain: block(kernel, 0..<d, 0..<d), ntkTestTrain: block(kernel, d..<all, 0..<d),
                                      f0Train: f0Train, f0Test: f0Test, targets: targets, learningRate: eta,
                                      steps: steps, discrete: discrete)
    }
    let trainer = try Trainer(network: network, inputs: train, targets: y, settings: TrainingSettings(learningRate: eta))
    let run = try trainer.train(from: theta0, steps: steps, random: RandomStream(seed: 0))
    return Outcome(
      trained: TrainingFixtures.column(try network.outputs(test, parameters: run.parameters, random: RandomStream(seed: 0))),
      empirical: try linearised(ntk, steps: steps), discrete: try linearised(ntk, steps: steps, discrete: true),
      analytic: try linearised(analytic, steps: steps), doubledTime: try linearised(ntk, steps: 2 * steps),
      scale: (targets - f0Train).elements.map(abs).max()!, losses: run.losses)
  }

  @Test("Width 2048: within s/√n of the empirical-NTK linearisation and 3s/√n of the analytic one",
        arguments: ["dense(w_std=1.5, b_std=0.1) -> erf -> dense(w_std=1.5, b_std=0.1)",
                    "dense(w_std=1.4, b_std=0.1) -> relu -> dense(w_std=1.4, b_std=0.1)"])
  func followsLinearisedDynamics(_ arch: String) throws {
    let width = 2048
    let outcome = try Self.train(arch, width: width, seed: 1)
    let tolerance = outcome.scale / Double(width).squareRoot()
    let empirical = outcome.trained.maxAbsDifference(outcome.empirical)
    let analytic = outcome.trained.maxAbsDifference(outcome.analytic)
    #expect(empirical <= tolerance, "|f_t − f_t^lin| = \(empirical), tolerance \(tolerance)")
    #expect(analytic <= 3 * tolerance, "|f_t − f_t^lin,∞| = \(analytic), tolerance \(3 * tolerance)")
    // The test can tell the time apart: at 2t (|y| taken as N, or η·t counted twice) the
    // prediction is far outside the tolerance.
    #expect(outcome.doubledTime.maxAbsDifference(outcome.empirical) > 3 * tolerance)
    #expect(outcome.losses.last! < 0.25 * outcome.losses.first!)
    #expect(zip(outcome.losses, outcome.losses.dropFirst()).allSatisfy { $1 < $0 }, "losses decrease at every step")
  }

  @Test("erf: the distance to the linearised model shrinks at least as 1/√n from width 512 to 2048")
  func deviationShrinksWithWidth() throws {
    let arch = "dense(w_std=1.5, b_std=0.1) -> erf -> dense(w_std=1.5, b_std=0.1)"
    // Against the discrete linear model (exact for GD on the linearised network), averaged over
    // 4 networks per width: what remains is the width effect alone.
    func meanDeviation(_ width: Int) throws -> Double {
      try (0..<4).reduce(0.0) { total, seed in
        let outcome = try Self.train(arch, width: width, seed: UInt64(seed))
        return total + outcome.trained.maxAbsDifference(outcome.discrete) / outcome.scale / 4
      }
    }
    let narrow = try meanDeviation(512), wide = try meanDeviation(2048)
    #expect(narrow / wide >= 2, "deviation \(narrow)·s at n = 512, \(wide)·s at n = 2048: ratio \(narrow / wide)")
  }
}
