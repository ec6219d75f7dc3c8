import ArgumentParser
import Foundation
import NeuralLimits

/// `neural-limits table`: a sweep over a grid of any subcommand's figures, written as Markdown,
/// CSV, LaTeX and JSON, resumable row by row, with gnuplot figures.
struct TableCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "table",
    abstract: "Sweep a grid of theory and simulation quantities into Markdown, CSV, LaTeX and JSON tables and figures.",
    discussion: """
      The configuration (YAML, or JSON) names a command (kernel, compare, sde), its parameters, a grid and \
      the quantities, e.g.

        command: compare
        seed: 0
        parameters: {arch: '(dense(w_std=1.5, b_std=0.05) -> relu) * {depth} -> dense(w_std=1.5, b_std=0.05)', samples: 64}
        grid: {depth: [1, 2, 4], width: {from: 64, to: 512, factor: 2}}
        quantities: [nngp.rel_error, nngp.verdict, ntk.rel_error, ntk.verdict]
        plots: [{file: errors.svg, x: width, y: [nngp.rel_error, ntk.rel_error]}]

      One row per grid point (the first axis slowest); a grid axis is a parameter or fills {axis} in a text \
      parameter. Rows run in parallel; row k's seed is SplitMix64(seed, k), so a row's values do not depend \
      on the others nor on the thread count. \
      Everything is checked before any row runs; errors name the line and key.

      Writes OUT/<name>.md, .csv, .tex (booktabs) and .json, each with the command line, version, \
      configuration hash and seeds; estimates carry standard errors. Each finished row is stored at once in \
      OUT/.rows/<name>/ (atomically): an interrupted run (Ctrl-C, SIGTERM: exit 130/143) is resumed by running \
      it again, computing only the missing rows; --force computes every row. Figures (the configuration's \
      plots, under OUT, and --plot) are drawn with gnuplot, with FIGURE.dat and FIGURE.gp beside them.

      'neural-limits table --list' prints every command's parameters and quantities.
      """)

  @Option(help: "The table's configuration (.yaml, .yml or .json).")
  var config: String?

  @Option(help: "Folder for the tables, the configuration's figures and the stored rows (.rows/).")
  var out: String = "."

  @Flag(help: "Recompute every row, even those stored by an earlier run.")
  var force = false

  @Option(help: "Also draw quantities against a grid axis, one line per series, into this .svg, .png or .pdf.")
  var plot: String?

  @Option(name: .customLong("plot-x"), help: "The grid axis along x of --plot (default: the first numeric axis).")
  var plotX: String?

  @Option(name: .customLong("plot-y"), help: "Comma-separated quantities drawn by --plot (default: the first numeric one).")
  var plotY: String?

  @Flag(help: "List every command's parameters and quantities, and exit.")
  var list = false

  @Flag(help: "No progress bar and no summary line.")
  var quiet = false

  func run() throws {
    if list { return try StandardOutput.write(Data(TableCommand.listing().utf8)) }
    guard let config else { throw NeuralLimitsError.invalidArgument("table needs --config FILE (or --list)") }
    guard plot != nil || (plotX == nil && plotY == nil) else {
      throw NeuralLimitsError.invalidArgument("--plot-x and --plot-y go with --plot FILE")
    }
    if let plot { try GnuplotFigure.terminalCheck(plot) }
    let plan = try TablePlan(try TableConfig(path: config))
    let extra = plot.map { TablePlot.Spec(file: $0, x: plotX, y: plotY.map(QuantityName.split) ?? []) }
    try extra?.check(config: plan.config, declarations: plan.declarations)
    try makeFolder(out)
    let bar = ProgressBar(enabled: !quiet)
    let results = try plan.run(output: out, force: force, progress: bar.updateFraction)
    bar.finish()
    try TableDocument(results, commandLine: TableCommand.commandLine()).write(to: out)
    for spec in plan.config.plots {
      let path = out + "/" + spec.file
      try makeFolder(URL(fileURLWithPath: path).deletingLastPathComponent().path)
      try TablePlot.render(spec, results, to: path)
    }
    if let extra { try TablePlot.render(extra, results, to: extra.file) }
    if !quiet {
      let computed = plan.rows.count - results.reused
      FileHandle.standardError.write(Data(("neural-limits: table \(plan.config.name): \(plan.rows.count) rows, \(computed) computed, "
        + "\(results.reused) reused from \(out)/.rows/\(plan.config.name); wrote \(out)/\(plan.config.name).{md,csv,tex,json}\n").utf8))
    }
  }

  /// This run's command line as a shell would take it, the program named `neural-limits`.
  static func commandLine() -> String {
    (["neural-limits"] + CommandLine.arguments.dropFirst()).map { argument in
      argument.allSatisfy({ $0.isLetter || $0.isNumber || "_./=:,+-@%".contains($0) }) && !argument.isEmpty
        ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }.joined(separator: " ")
  }

  /// Every provider: its parameters and quantities.
  static func listing() -> String {
    QuantityProviders.all.map { provider in
      "\(provider.command): \(provider.summary)\(provider.isRandom ? " (random: each row has a seed)" : "")\n  parameters:\n"
        + provider.parameters.map { "    \($0.usage)\n" }.joined() + "  quantities:\n"
        + provider.quantities.map { q in
          let kind = switch q.kind { case .number: ""; case .estimated: " (± standard error)"; case .text: " (text)" }
          return "    \(q.usage)\(kind) — \(q.summary)\n"
        }.joined()
    }.joined(separator: "\n")
  }
}
