import Foundation

/// A finite ensemble trained from the shared layer definitions, the simulation side of a
/// `Posterior`: `settings.members` networks of width `settings.width`, each trained as
/// `EnsembleMember` says for `mode`, in parallel over members (one per work item, OpenBLAS on one
/// thread), and their outputs on the test inputs.
///
/// ```swift
/// let ensemble = try FiniteEnsemble(network, data: data, mode: .ntkgp, noiseVariance: 0.01,
///                                   settings: EnsembleSettings(members: 64, width: 512, steps: 2000, learningRate: 0.5))
/// let theory = try posterior.trajectory().predictive(afterSteps: 2000)
/// let verdict = EnsembleComparison(theory: theory, ensemble: ensemble).verdict
/// ```
public struct FiniteEnsemble: Sendable {
  public let mode: PredictiveMode
  public let settings: EnsembleSettings
  /// Each member's outputs on the test inputs (`M × k`), in member order.
  public let outputs: [Matrix]
  /// The finite-width bias scale `L/n` (nonlinear layers over the narrowest hidden width).
  public let biasScale: Double

  /// Trains the ensemble; `progress` hears `(members done, members)`. Throws for a network that
  /// cannot be trained as `mode` asks (see `EnsembleMember`), settings out of range, or a member
  /// whose training diverges.
  public init(_ network: some Layer, data: RegressionData, mode: PredictiveMode, noiseVariance: Double,
              settings: EnsembleSettings, progress: (@Sendable (Int, Int) -> Void)? = nil) throws {
    try settings.validate()
    guard noiseVariance >= 0, noiseVariance.isFinite else {
      throw NeuralLimitsError.invalidArgument("the noise variance must be finite and ≥ 0, got \(noiseVariance)")
    }
    let graph = network.graph
    let finite = try FiniteNetwork(graph, inputWidth: data.trainInputs.columns, width: settings.width,
                                   readoutWidth: data.trainTargets.columns)
    let member = try EnsembleMember(network: finite, data: data, mode: mode, noiseVariance: noiseVariance,
                                    settings: settings, graph: graph)
    let members = settings.members
    let workers = min(ProcessInfo.processInfo.activeProcessorCount, members)
    // Per training member: its activations and, for the parameters, θ₀, θ, gradient, velocity,
    // the NTKGP tangent and the trained copy; and every member's outputs.
    try MemoryBudget.require(
      Double(workers) * (MonteCarlo.workingMemory(finite, batch: max(data.trainInputs.rows, data.testInputs.rows), ntk: false)
                         + 8 * 6 * Double(finite.parameterCount))
        + 8 * Double(members) * Double(data.testInputs.rows * data.trainTargets.columns),
      for: "\(members) members of width \(settings.width) (\(finite.parameterCount) parameters each, \(workers) trained at a time)",
      hint: "lower the width or the number of members")
    let streamSeed = RandomStream.mix(settings.seed, UInt64(settings.width))
    let results = TaskSlots<Matrix>(count: members)
    let counter = TaskCounter(total: members, report: progress)
    let failure = TaskSlots<Error>(count: members)
    BLAS.concurrentPerform(iterations: workers) { worker in
      for s in stride(from: worker, to: members, by: workers) {
        do {
          results.set(s, try member.train(random: RandomStream(seed: streamSeed, stream: UInt64(s))))
        } catch {
          failure.set(s, error)
          return
        }
        counter.advance()
      }
    }
    if let error = failure.values.first { throw error }
    self.mode = mode
    self.settings = settings
    outputs = results.values
    biasScale = Double(nonlinearDepth(graph)) / Double(finite.narrowestHiddenWidth)
  }

  /// The members' mean and variance on each test input and output, with standard errors.
  public var estimate: EnsembleEstimate { EnsembleEstimate(outputs) }
}
