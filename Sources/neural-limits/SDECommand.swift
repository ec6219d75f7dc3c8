import ArgumentParser
import Foundation
import NeuralLimits

/// `neural-limits sde`: the covariance SDE of a deep shaped network, and optionally the finite
/// networks it approximates.
struct SDECommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sde",
    abstract: "Simulate the covariance SDE of a deep shaped network (Euler-Maruyama) against finite networks.",
    discussion: """
      In the proportional limit (depth d = T·n, width n → ∞) the m × m covariance V = XXᵀ/n of m tokens \
      follows an SDE in t = depth/width (Li, Nica & Roy 2022; Noci, Li, Li et al. 2023, The Shaped \
      Transformer). Models: shaped-mlp (X ↦ σ_s(X)√(c/n)W, slopes 1 + c±/√n), shaped-resnet (λX + \
      γσ_s(XW/√n)√(c/n)W'), shaped-attention (λX + γ(I + softmax(Y/τ) − C)XW/√n, τ = τ₀√(n·n_k)), \
      shaped-transformer (an attention sub-block, then a ResNet sub-block with --gamma-mlp); λ² + γ² = 1.

      Both sides start from V₀ with unit diagonal and every correlation --rho0; the networks from \
      X₀ with X₀X₀ᵀ/n = V₀ exactly, depth round(T·n). Every path and network sample draws from its own \
      stream of (seed, index): results do not depend on the thread count.

      Verdict (with --simulate): \(CovarianceReport.rule)

      --dump-final DIR writes DIR/sde.npy (P' × m × m, the final V of every path that reached T) and, with \
      --simulate, DIR/network.npy (S × m × m). --plot FILE.svg|png|pdf draws the density of ρ¹² and the \
      mean correlation against t (FILE.dat and FILE.gp are written beside it).
      """)

  @Option(help: "shaped-mlp, shaped-resnet, shaped-attention or shaped-transformer.")
  var model: CovarianceModel.Kind

  @Option(help: "Number of tokens m (≥ 2).")
  var tokens: Int = 2

  @Option(name: .customLong("T"), help: "Final time T = depth/width.")
  var time: Double = 1

  @Option(help: "Euler-Maruyama step (T/dt rounded to whole steps).")
  var dt: Double = 0.01

  @Option(help: "Number of SDE paths.")
  var paths: Int = 1000

  @Option(help: "Random seed.")
  var seed: UInt64 = 0

  @Option(parsing: .unconditional, help: "Initial correlation of every pair of tokens.")
  var rho0: Double = 0.2

  @Option(parsing: .unconditional, help: "Shaped ReLU constant c₊ (slope 1 + c₊/√n for x > 0).")
  var cPlus: Double = 0

  @Option(parsing: .unconditional, help: "Shaped ReLU constant c₋ (slope 1 + c₋/√n for x < 0).")
  var cMinus: Double = -1

  @Option(help: "Residual branch weight γ in [0, 1] (λ = √(1 − γ²)); the attention sub-block's for the Transformer.")
  var gamma: Double = 0.5

  @Option(help: "The Transformer's MLP sub-block γ (default: --gamma).")
  var gammaMlp: Double?

  @Option(help: "Attention temperature constant τ₀.")
  var tau0: Double = 1

  @Flag(help: "Causal attention (token i attends to tokens 1…i).")
  var causal = false

  @Option(help: "A path stops when its mean diagonal leaves [0, window] (blow-up).")
  var window: Double = 1e6

  @Flag(help: "Also simulate finite networks and compare.")
  var simulate = false

  @Option(help: "Width n of the simulated networks.")
  var width: Int = 100

  @Option(help: "Number of simulated networks.")
  var samples: Int = 1000

  @Flag(help: "With --simulate, also the networks without shaping (plain ReLU / softmax attention): rank collapse.")
  var contrast = false

  @Flag(help: "Also rerun with dt/2 on the same Brownian paths and report how much the statistics change.")
  var checkDt = false

  @Option(help: "Write sde.npy (and network.npy) with the final covariances to this folder.")
  var dumpFinal: String?

  @Option(help: "Output format: table, json or csv.")
  var format: ComparisonFormat = .table

  @Option(help: "Write the report to this file (atomically) instead of standard output.")
  var out: String?

  @Option(help: "Draw a figure (.svg, .png or .pdf) with gnuplot.")
  var plot: String?

  @Flag(help: "No progress bar.")
  var quiet = false

  func run() throws {
    guard (0...1).contains(gamma), (0...1).contains(gammaMlp ?? gamma) else {
      throw NeuralLimitsError.invalidArgument("--gamma and --gamma-mlp must be in [0, 1] (λ² + γ² = 1), got \(gamma)")
    }
    guard tau0 > 0, tau0.isFinite else { throw NeuralLimitsError.invalidArgument("--tau0 must be positive, got \(tau0)") }
    guard [cPlus, cMinus, rho0].allSatisfy(\.isFinite) else { throw NeuralLimitsError.invalidArgument("--c-plus, --c-minus and --rho0 must be finite") }
    if simulate {
      guard width >= 1, samples >= 2 else {
        throw NeuralLimitsError.invalidArgument("--width must be ≥ 1 and --samples ≥ 2, got \(width) and \(samples)")
      }
      // A token matrix is m × n and a layer's queries, keys and values as many; a network sample
      // holds a handful of them per worker.
      let bytes = 8.0 * 16 * Double(tokens) * Double(width) * Double(ProcessInfo.processInfo.activeProcessorCount)
      guard bytes < 0.5 * Double(ProcessInfo.processInfo.physicalMemory), Double(tokens) * Double(width) < 1e9 else {
        throw NeuralLimitsError.resources("\(tokens) tokens at width \(width) do not fit in memory; lower --width or --tokens")
      }
    }
    let model = CovarianceModel(kind: self.model, cPlus: cPlus, cMinus: cMinus, gamma: gamma, mlpGamma: gammaMlp, tau0: tau0,
                                causal: causal)
    let settings = CovarianceStudy.Settings(
      model: model, tokens: tokens, rho0: rho0,
      sde: SDESettings(time: time, step: dt, paths: paths, seed: seed, window: window),
      simulation: simulate ? (width, samples) : nil, contrast: contrast && simulate, checkStep: checkDt)
    _ = try settings.initialCovariance()
    if let plot { try GnuplotFigure.terminalCheck(plot) }
    let bar = ProgressBar(enabled: !quiet)
    let study = try CovarianceStudy(settings, progress: bar.update)
    bar.finish()
    let report = CovarianceReport(study)
    if let dumpFinal {
      try makeFolder(dumpFinal)
      let m = tokens
      var files = [(path: dumpFinal + "/sde.npy", data: NPY.encode(stack: study.sde.finals, rows: m, columns: m))]
      if let network = study.network {
        files.append((path: dumpFinal + "/network.npy", data: NPY.encode(stack: network.finals, rows: m, columns: m)))
      }
      try AtomicFile.write(files)
    }
    if let plot { try report.plot(to: plot) }
    switch format {
    case .table: try emit(Data(report.table().utf8), to: out)
    case .csv: try emit(Data(report.csv().utf8), to: out)
    case .json: try emit(report.json().serializedData(pretty: true) + Data("\n".utf8), to: out)
    }
  }
}

extension CovarianceModel.Kind: ExpressibleByArgument {}
