/// `signalprop --plot`: the mean off-diagonal correlation and the effective rank of the token
/// kernel against depth (top-level block), the theory as lines and, when simulated, the finite
/// networks' means as points with ± one standard error bars; drawn by gnuplot, with the data
/// (`FIGURE.dat`) and script (`FIGURE.gp`) beside the figure.
public enum SignalPropagationFigure {
  /// The data file: `block, theory correlation, theory rank[, simulated correlation, its error,
  /// simulated rank, its error]`, one line per block.
  static func data(theory: [TokenKernelSummary], simulated: [SignalPropagationProfile.Simulated]?) -> String {
    var lines = ["# block mean_correlation effective_rank" + (simulated == nil ? "" : " sim_correlation se sim_rank se")]
    for (k, s) in theory.enumerated() {
      var fields = [k + 1].map(String.init) + [s.meanCorrelation, s.effectiveRank].map { "\($0)" }
      if let sim = simulated?[k] {
        fields += [sim.meanCorrelation.mean, sim.meanCorrelation.error, sim.effectiveRank.mean, sim.effectiveRank.error].map { "\($0)" }
      }
      lines.append(fields.joined(separator: " "))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// Draws `path` (`.svg`, `.png` or `.pdf`) for `title` (the architecture, shortened).
  public static func render(to path: String, title: String, tokens m: Int, theory: [TokenKernelSummary],
                            simulated: [SignalPropagationProfile.Simulated]?) throws {
    // Quoted for gnuplot's single quotes, underscores escaped from enhanced text's subscripts.
    let shown = (title.count > 110 ? String(title.prefix(107)) + "…" : title)
      .replacingOccurrences(of: "'", with: "''").replacingOccurrences(of: "_", with: "\\_")
    func panel(_ column: Int, _ simulatedColumn: Int, _ label: String, _ range: String) -> String {
      var plot = "plot 'DATA' using 1:\(column) with linespoints lw 2 pt 7 ps 0.5 lc rgb '#1f77b4' title 'theory (infinite width)'"
      if simulated != nil {
        plot += ", '' using 1:\(simulatedColumn):\(simulatedColumn + 1) with yerrorbars pt 6 ps 0.9 lc rgb '#d62728' title 'finite networks ± se'"
      }
      return "set ylabel '\(label)'\nset yrange \(range)\n\(plot)"
    }
    let script = """
      set multiplot layout 1,2 title '\(shown) (m = \(m) tokens, Σ₀ = I)' font ',11'
      set xlabel 'depth (top-level layer or block)'
      set grid
      set key bottom right
      \(panel(2, 4, "mean off-diagonal correlation", "[-0.05:1.05]"))
      set key top right
      \(panel(3, 6, "effective rank", "[0:\(Double(m) * 1.05)]"))
      unset multiplot
      """
    try GnuplotFigure.render(to: path, data: data(theory: theory, simulated: simulated), script: script)
  }
}
