/// Theory (the kernel evaluator) against simulation (the Monte Carlo sampler) for one network.
///
/// The theory is evaluated at the simulation's width `n` for width-dependent layers (standard
/// parameterization, shaped ReLU) and in the limit otherwise — the same `LayerGraph` on both
/// sides.
public enum TheoryVersusSimulation {
  /// One width: a comparison per requested kernel (NNGP first).
  public static func compare(
    _ layer: any Layer, _ x1: Matrix, _ x2: Matrix? = nil, settings: MonteCarloSettings,
    progress: (@Sendable (Int, Int) -> Void)? = nil
  ) throws -> [KernelComparison] {
    let x2 = distinctSecondInputs(x1, x2)
    let theory = try layer.kernels(x1, x2, get: settings.kinds, hiddenWidth: settings.width, tokens: settings.tokens)
    let simulation = try MonteCarlo.kernels(layer, x1, x2, settings: settings, progress: progress)
    let narrowest = try FiniteNetwork(layer.graph, inputWidth: x1.columns, width: settings.width,
                                      readoutWidth: settings.readoutWidth, tokens: settings.tokens).narrowestHiddenWidth
    let bias = Double(max(nonlinearDepth(layer.graph), 1)) / Double(narrowest)
    var result: [KernelComparison] = []
    if settings.kinds.contains(.nngp) {
      result.append(KernelComparison(name: "nngp", theory: theory.nngp, simulation: simulation.nngp,
                                     symmetric: x2 == nil, biasScale: bias))
    }
    if let ntkTheory = theory.ntk, let ntkSimulation = simulation.ntk {
      result.append(KernelComparison(name: "ntk", theory: ntkTheory, simulation: ntkSimulation,
                                     symmetric: x2 == nil, biasScale: bias))
    }
    return result
  }

  /// Several widths, each compared, then extrapolated to infinite width per kernel.
  /// `progress` receives `(samples done, total samples)` over the whole sweep.
  public static func sweep(
    _ layer: any Layer, _ x1: Matrix, _ x2: Matrix? = nil, widths: [Int], settings: MonteCarloSettings,
    progress: (@Sendable (Int, Int) -> Void)? = nil
  ) throws -> [WidthSweep] {
    let x2 = distinctSecondInputs(x1, x2)
    guard widths.count >= 2, Set(widths).count == widths.count else {
      throw NeuralLimitsError.invalidArgument("--widths needs at least two distinct widths, got \(widths)")
    }
    var perWidth: [[KernelComparison]] = []
    for (index, width) in widths.enumerated() {
      var s = settings
      s.width = width
      let offset = index * settings.samples, total = widths.count * settings.samples
      perWidth.append(try compare(layer, x1, x2, settings: s, progress: progress.map { report in
        { @Sendable done, _ in report(offset + done, total) }
      }))
    }
    return try perWidth[0].indices.map { k in
      try WidthSweep(name: perWidth[0][k].name, widths: widths, comparisons: perWidth.map { $0[k] }, symmetric: x2 == nil)
    }
  }
}
