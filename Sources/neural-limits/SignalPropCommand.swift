import ArgumentParser
import Foundation
import NeuralLimits

/// `neural-limits signalprop`: token-kernel diagnostics against depth.
struct SignalPropCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "signalprop",
    abstract: "Signal propagation over the tokens of one sequence: correlation and effective rank per depth.",
    discussion: """
      From Σ₀ = I on --tokens m orthogonal tokens, after each top-level block of --arch (nested chains \
      flattened; a residual or parallel block is one point): the mean diagonal, the mean off-diagonal \
      correlation (1 under rank collapse), the effective rank exp(−Σ p log p) of the normalised eigenvalues, \
      and the diagonal per position (which depends on the position under causal masking). With --simulate, \
      --samples finite networks of width --width (inputs of that width, X₀X₀ᵀ/n = I) give the same \
      summaries, each network's own then averaged, with standard errors. Causal masking is set per layer \
      (causal=true) or, with --causal, on every attention layer of --arch at once. --plot FILE draws the \
      mean correlation and the effective rank against depth (data and gnuplot script beside it).
      """)

  @Option(help: "The architecture, e.g. '(espa(gamma_final=0.2, causal=true) -> dense -> relu -> dense) * 32'.")
  var arch: String

  @Option(help: "Tokens per sequence m.")
  var tokens: Int

  @Flag(help: "Causally mask every attention layer of --arch (as if each were written with causal=true).")
  var causal = false

  @Flag(help: "Also simulate finite networks.")
  var simulate = false

  @Option(help: "Width n of the simulated networks.")
  var width: Int = 256

  @Option(help: "Number of simulated networks.")
  var samples: Int = 32

  @Option(help: "Random seed.")
  var seed: UInt64 = 0

  @Option(help: "Output format: table, json or csv.")
  var format: ComparisonFormat = .table

  @Option(help: "Write to this file (atomically) instead of standard output.")
  var out: String?

  @Option(help: "Also draw mean correlation and effective rank against depth to this .svg, .png or .pdf.")
  var plot: String?

  func run() throws {
    guard tokens >= 1 else { throw NeuralLimitsError.invalidArgument("--tokens must be at least 1, got \(tokens)") }
    if let plot { try GnuplotFigure.terminalCheck(plot) }
    let parsed = try ArchitectureParser.parse(arch)
    let network = causal ? Serial([parsed.graph.causallyMasked]) : parsed
    let theory = try SignalPropagationProfile.theory(network, tokens: tokens, hiddenWidth: simulate ? width : nil)
    var simulated: [SignalPropagationProfile.Simulated]?
    if simulate {
      guard samples >= 2 else { throw NeuralLimitsError.invalidArgument("--samples must be at least 2, got \(samples)") }
      simulated = try SignalPropagationProfile.simulate(network, tokens: tokens, width: width, samples: samples, seed: seed)
    }
    if let plot {
      try SignalPropagationFigure.render(to: plot, title: (causal ? "causal: " : "") + arch, tokens: tokens, theory: theory,
                                         simulated: simulated)
    }
    let number = { (x: Double) in String(format: "%.6g", x) }
    switch format {
    case .json:
      let rows: [JSONValue] = theory.enumerated().map { k, s in
        var row: [(String, JSONValue)] = [
          ("depth", .number(Double(k + 1))), ("mean_diagonal", .number(s.meanDiagonal)),
          ("mean_correlation", .number(s.meanCorrelation)), ("effective_rank", .number(s.effectiveRank)),
          ("diagonal", .array(s.diagonal.map(JSONValue.number))),
        ]
        if let sim = simulated?[k] {
          for (name, e) in [("mean_diagonal", sim.meanDiagonal), ("mean_correlation", sim.meanCorrelation),
                            ("effective_rank", sim.effectiveRank)] {
            row.append(("simulated_\(name)", .number(e.mean)))
            row.append(("simulated_\(name)_stderr", .number(e.error)))
          }
        }
        return .object(row)
      }
      let document: JSONValue = .object([
        ("architecture", .string(arch)), ("tokens", .number(Double(tokens))), ("depths", .array(rows)),
      ])
      try emit(document.serializedData(pretty: true) + Data("\n".utf8), to: out)
    case .csv, .table:
      var header = ["depth", "mean_diagonal", "mean_correlation", "effective_rank"]
      if simulate { header += ["sim_mean_diagonal", "se", "sim_mean_correlation", "se", "sim_effective_rank", "se"] }
      header += (1...tokens).map { "diag_\($0)" }
      let rows = theory.enumerated().map { k, s in
        [String(k + 1), number(s.meanDiagonal), number(s.meanCorrelation), number(s.effectiveRank)]
          + (simulated.map { sim in
            [sim[k].meanDiagonal, sim[k].meanCorrelation, sim[k].effectiveRank].flatMap { [number($0.mean), number($0.error)] }
          } ?? []) + s.diagonal.map(number)
      }
      let text: String
      if format == .csv {
        text = ([header] + rows).map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n"
      } else {
        let widths = header.indices.map { c in ([header] + rows).map { $0[c].count }.max()! }
        text = ([header] + rows).map { row in
          row.indices.map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
      }
      try emit(Data(text.utf8), to: out)
    }
  }
}
