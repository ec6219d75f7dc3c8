import Foundation

/// Full-batch gradient descent on a finite network: the data loss (`Loss`, normalised by the
/// number of targets `|y|`) plus an optional weight-decay penalty, with momentum, over the
/// parameters that the mask allows (`TrainingSettings`). Records the data loss at every step and,
/// on request, parameter snapshots.
///
/// Time: `t` steps at rate `η` on MSE are neural-tangents' time `t` of
/// `predict.gradient_descent_mse_ensemble(kernel_fn, x, y, learning_rate=η)` (its `predict_fn`
/// multiplies `t` by the learning rate and divides `Θ` by `y_train.size`): a wide network follows
/// the linearised (NTK) dynamics (Jacot et al. 2018; Lee et al. 2019, eq. 9)
///
///     f_t(x) = f₀(x) + Θ(x, D)·Θ⁻¹·(I − e^{−ηtΘ/|y|})·(y − f₀(D)),   Θ = Θ(D, D),
///
/// up to the discretisation (`(I − ηΘ/|y|)^t` in place of the exponential: relative `O(ηλ_max/|y|)`)
/// and width corrections (`O(n^{−1/2})`, Lee et al. 2019, Theorem 2.1). With momentum `μ` the slow
/// modes move as with rate `η/(1 − μ)`.
///
/// Deterministic: the same settings, starting parameters and `random` (dropout masks, fresh at
/// every step) give the same run bit for bit at a given BLAS thread count. A run stays on the
/// calling thread (BLAS may use its own threads); an ensemble trains one member per work item in
/// `BLAS.concurrentPerform` (OpenBLAS on one thread), as `MonteCarloEstimator` samples. A step
/// allocates only the layers' activations (`batch × width` matrices); gradient, velocity and
/// records are reused.
public struct Trainer: Sendable {
  public let network: FiniteNetwork
  /// The training inputs `D` (`N × inputWidth`).
  public let inputs: Matrix
  /// The targets `y` (`N × outputWidth`).
  public let targets: Matrix
  public let settings: TrainingSettings
  /// The trainable parts of the parameter buffer, and per primitive whether it has any.
  private let trainable: (ranges: [Range<Int>], layers: [Bool])

  /// Throws for a network with a layer that has no backward pass, shapes that do
  /// not fit, non-finite data or settings out of their domains.
  public init(network: FiniteNetwork, inputs: Matrix, targets: Matrix, settings: TrainingSettings) throws {
    try network.requireBackward("trained")
    try settings.validate()
    guard inputs.rows >= 1 else { throw NeuralLimitsError.invalidArgument("training needs at least one input") }
    try network.validate(inputs: inputs)
    try network.validate(targets: targets, inputs: inputs, loss: settings.loss)
    self.network = network
    self.inputs = inputs
    self.targets = targets
    self.settings = settings
    trainable = try settings.mask.resolve(in: network)
  }

  /// `steps` steps of gradient descent from `initial` (e.g. `network.initialize(random:)`);
  /// `random` draws the dropout masks. Throws when the loss stops being finite (a learning rate
  /// too large for the kernel's largest eigenvalue, `η > 2|y|/λ_max` for MSE).
  public func train(from initial: [Double], steps: Int, random: RandomStream) throws -> TrainingRun {
    let count = network.parameterCount
    guard steps >= 0 else { throw NeuralLimitsError.invalidArgument("steps must be non-negative, got \(steps)") }
    try network.validate(initial, as: "starting parameters")
    let kept = settings.snapshotEvery.map { steps / $0 + 1 } ?? 0
    try MemoryBudget.require(Double(kept) * Double(count) * 8, for: "\(kept) snapshots of \(count) parameters",
                             hint: "take them less often")

    var theta = initial
    var gradient = [Double](repeating: 0, count: count)
    var velocity = [Double](repeating: 0, count: settings.momentum > 0 ? count : 0)
    var records: [FiniteNetwork.Record] = []
    records.reserveCapacity(network.primitiveCount)
    var residual = Matrix(rows: 0, columns: 0)
    var losses: [Double] = []
    losses.reserveCapacity(steps + 1)
    var snapshots: [ParameterSnapshot] = []
    snapshots.reserveCapacity(kept)

    for step in 0...steps {
      if let k = settings.snapshotEvery, step % k == 0 { snapshots.append(ParameterSnapshot(step: step, parameters: theta)) }
      records.removeAll(keepingCapacity: true)
      let f = theta.withUnsafeBufferPointer { network.forward(inputs, parameters: $0, random: random, records: &records) }
      let loss = settings.loss.evaluate(f, targets: targets, gradient: &residual)
      guard loss.isFinite else {
        throw NeuralLimitsError.accuracy(
          "training diverged: the loss is not finite at step \(step); lower the learning rate (\(settings.learningRate))")
      }
      losses.append(loss)
      guard step < steps else { break }
      theta.withUnsafeBufferPointer { p in
        gradient.withUnsafeMutableBufferPointer { g in
          for (block, on) in zip(network.parameterBlocks, trainable.layers) where on {
            UnsafeMutableBufferPointer(rebasing: g[block.range]).update(repeating: 0)
          }
          network.accumulateGradient(residual, parameters: p, records: records, trainable: trainable.layers, into: g)
        }
      }
      descend(&theta, gradient: gradient, velocity: &velocity, initial: initial)
    }
    return TrainingRun(parameters: theta, losses: losses, snapshots: snapshots)
  }

  /// One update of the trainable parameters: `g += λ(θ − θ*)`, `v ← μv + g`, `θ ← θ − η·v`.
  private func descend(_ theta: inout [Double], gradient: [Double], velocity: inout [Double], initial: [Double]) {
    let eta = settings.learningRate, mu = settings.momentum, lambda = settings.weightDecay.strength
    let anchored: Bool
    if case .towardsInitialization = settings.weightDecay { anchored = true } else { anchored = false }
    theta.withUnsafeMutableBufferPointer { t in
      gradient.withUnsafeBufferPointer { g in
        initial.withUnsafeBufferPointer { t0 in
          velocity.withUnsafeMutableBufferPointer { v in
            for range in trainable.ranges {
              for i in range {
                var step = g[i]
                if lambda != 0 { step += lambda * (anchored ? t[i] - t0[i] : t[i]) }
                if mu != 0 {
                  v[i] = mu * v[i] + step
                  step = v[i]
                }
                t[i] -= eta * step
              }
            }
          }
        }
      }
    }
  }
}

/// The parameters at one step of a run.
public struct ParameterSnapshot: Sendable {
  public let step: Int
  public let parameters: [Double]
}

/// What `Trainer.train` returns.
public struct TrainingRun: Sendable {
  /// The parameters after the last step.
  public let parameters: [Double]
  /// The data loss (without the penalty) at the parameters after `s` steps, `s = 0…steps`.
  public let losses: [Double]
  /// The parameters at steps `0, k, 2k, …` when `snapshotEvery = k`.
  public let snapshots: [ParameterSnapshot]
}
