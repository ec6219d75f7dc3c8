import ArgumentParser
import Foundation
import NeuralLimits

/// `neural-limits compare`: analytic kernels against finite-width Monte Carlo networks.
struct CompareCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compare",
    abstract: "Compare the infinite-width NNGP/NTK with finite-width networks sampled by Monte Carlo.",
    discussion: """
      Each of --samples networks of width --width is drawn from its own random stream (seed, sample), \
      so results do not depend on the thread count. Per kernel entry the report gives the theory, the \
      simulation mean and its standard error.

      Verdict: \(ComparisonReport.rule)

      Without --x the \(DefaultInputs.description) is used. Sequences (attention): a 3-D .npy (N, m, d), \
      or N·m rows with --tokens m, as for `kernel`; kernels are over (input, token) pairs, row i·m + a.

      JSON holds theory, simulation.mean, simulation.stderr, rel_frobenius_error, max_abs_z, \
      exact_mismatches and verdict, each keyed by kernel. The exit code is 0 whatever the verdict; errors exit with 2.

      --plot FILE.svg|png|pdf draws, at one width, every distinct entry's simulation mean (± standard error) \
      against the theory and its z-score against the threshold; with --widths, each kernel's relative error \
      against the width on log axes with the fitted a + b/n and the sampling noise (FILE.dat and FILE.gp \
      are written beside it).
      """)

  static let defaultArchitecture = "(dense(w_std=1.5, b_std=0.05) -> relu) * 3 -> dense(w_std=1.5, b_std=0.05)"

  @Option(help: "The architecture.")
  var arch: String = CompareCommand.defaultArchitecture

  @Option(help: "Inputs (CSV or .npy), one per row; default: the built-in set.")
  var x: String?

  @Option(help: "Second inputs (columns of the kernel); default: --x.")
  var x2: String?

  @Option(help: "Tokens per sequence: every m consecutive rows of --x form one sequence (a 3-D .npy says it itself).")
  var tokens: Int?

  @Option(help: "Hidden width n of the simulated networks.")
  var width: Int = 512

  @Option(help: "Comma-separated widths for a sweep with extrapolation to infinite width, e.g. 64,128,256,512,1024.")
  var widths: String?

  @Option(help: "Number of sampled networks (per width).")
  var samples: Int = 64

  @Option(help: "Random seed.")
  var seed: UInt64 = 0

  @Option(help: "Outputs of a final dense layer (the NTK averages over them).")
  var readout: Int = 1

  @Option(help: "Kernels to compare: nngp, ntk or nngp,ntk.")
  var get: String = "nngp,ntk"

  @Option(help: "Output format: table, json or csv.")
  var format: ComparisonFormat = .table

  @Option(help: "Write the report to this file (atomically) instead of standard output.")
  var out: String?

  @Option(help: "Draw a figure (.svg, .png or .pdf) with gnuplot: entries against the theory with error bars, or a sweep's error against width.")
  var plot: String?

  @Flag(help: "No progress bar.")
  var quiet = false

  func run() throws {
    let kinds = try parseKinds(get)
    guard width >= 1 else { throw NeuralLimitsError.invalidArgument("--width must be at least 1, got \(width)") }
    guard samples >= 2 else { throw NeuralLimitsError.invalidArgument("--samples must be at least 2, got \(samples)") }
    guard readout >= 1 else { throw NeuralLimitsError.invalidArgument("--readout must be at least 1, got \(readout)") }
    let sweepWidths = try widths.map(parseWidths)
    if let plot { try GnuplotFigure.terminalCheck(plot) }
    let network = try ArchitectureParser.parse(arch)
    let (x1, m) = try x.map { try readSequences($0, tokens: tokens) } ?? (DefaultInputs.spiral(), tokens ?? 1)
    let x2Matrix = try x2.map { try readSequences($0, tokens: m).matrix }
    let settings = MonteCarloSettings(width: sweepWidths?.last ?? width, samples: samples, seed: seed,
                                      readoutWidth: readout, kinds: kinds, tokens: m)
    let bar = ProgressBar(enabled: !quiet)
    let comparisons: [KernelComparison]
    let sweeps: [WidthSweep]
    if let sweepWidths {
      sweeps = try TheoryVersusSimulation.sweep(network, x1, x2Matrix, widths: sweepWidths, settings: settings,
                                                progress: bar.update)
      comparisons = sweeps.map { $0.comparisons.last! }
    } else {
      comparisons = try TheoryVersusSimulation.compare(network, x1, x2Matrix, settings: settings, progress: bar.update)
      sweeps = []
    }
    bar.finish()
    let finite = try FiniteNetwork(network.graph, inputWidth: x1.columns, width: settings.width, readoutWidth: readout,
                                   tokens: m)
    let report = ComparisonReport(
      setup: .init(architecture: arch, inputs: x.map { "\($0)" + (x2.map { " × \($0)" } ?? "") } ?? DefaultInputs.description,
                   settings: settings, nngpEstimator: finite.nngpEstimator, outputs: finite.outputWidth,
                   narrowestWidth: finite.narrowestHiddenWidth),
      comparisons: comparisons, sweeps: sweeps)
    if let plot { try report.plot(to: plot) }
    switch format {
    case .table: try emit(Data(report.table().utf8), to: out)
    case .csv: try emit(Data(report.csv().utf8), to: out)
    case .json: try emit(report.json().serializedData(pretty: true) + Data("\n".utf8), to: out)
    }
  }
}

enum ComparisonFormat: String, ExpressibleByArgument, CaseIterable {
  case table, json, csv
}

/// `--widths 64,128,256`.
func parseWidths(_ text: String) throws -> [Int] {
  let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
  let values = parts.compactMap { Int($0) }
  guard values.count == parts.count, values.count >= 2, values.allSatisfy({ $0 >= 1 }), Set(values).count == values.count else {
    throw NeuralLimitsError.invalidArgument("--widths takes at least two distinct positive widths separated by commas, got '\(text)'")
  }
  return values.sorted()
}
