import Foundation

extension ComparisonReport {
  /// Draws the comparison with gnuplot (`GnuplotFigure`: `FILE.dat` and `FILE.gp` beside it).
  ///
  /// One width: the simulation mean of every distinct entry against the theory, ± one standard
  /// error, with the line `mean = theory`; beside it each entry's `z = (mean − theory)/stderr`
  /// with the kernel's threshold `±t*`. A sweep: each kernel's relative Frobenius error against
  /// the width on log axes, the fitted `‖a + b/n‖/‖theory‖` through it and the sampling noise
  /// `‖stderr‖/‖theory‖` it cannot go below.
  public func plot(to path: String) throws {
    if sweeps.isEmpty { try plotEntries(to: path) } else { try plotSweep(to: path) }
  }

  private static let colors = ["#1f77b4", "#d62728"]

  private var title: String {
    "\(setup.architecture), \(setup.settings.samples) samples: \(verdict.rawValue)".replacingOccurrences(of: "\"", with: "'")
  }

  private func plotEntries(to path: String) throws {
    var data = ""
    for (k, c) in comparisons.enumerated() {
      data += (k > 0 ? "\n\n" : "") + "# \(c.name): theory mean stderr z\n"
      // A symmetric kernel (one input set) has each entry once: the upper triangle.
      let symmetric = c.theory.rows == c.theory.columns
        && (0..<c.theory.rows).allSatisfy { i in (0..<i).allSatisfy { j in c.theory[i, j] == c.theory[j, i] } }
      for i in 0..<c.theory.rows {
        for j in (symmetric ? i : 0)..<c.theory.columns {
          let t = c.theory[i, j], m = c.simulation.mean[i, j], se = c.simulation.standardError[i, j]
          data += "\(t) \(m) \(se) \(se > 0 ? (m - t) / se : 0)\n"
        }
      }
    }
    let entries = comparisons.enumerated().map { k, c in
      "\(k == 0 ? "'DATA'" : "''") index \(k) using 1:2:3 with yerrorbars pt 7 ps 0.6 lw 1.5 lc rgb '\(Self.colors[k % 2])' title '\(c.name)'"
    }.joined(separator: ", ")
    let scores = comparisons.enumerated().map { k, c in
      "'' index \(k) using 1:4 with points pt 7 ps 0.6 lc rgb '\(Self.colors[k % 2])' title '\(c.name)', "
        + "\(c.threshold) with lines dt 2 lc rgb '\(Self.colors[k % 2])' title sprintf('\(c.name): ±t* = %.2f', \(c.threshold)), "
        + "-\(c.threshold) with lines dt 2 lc rgb '\(Self.colors[k % 2])' notitle"
    }.joined(separator: ", ")
    // Room above the thresholds for the key.
    let zLimit = max(comparisons.map(\.threshold).max() ?? 1, comparisons.map(\.maxAbsZ).max() ?? 1)
    let script = """
      set multiplot layout 1,2 title "\(title)" noenhanced
      set key top left
      set grid lc rgb '#dddddd'
      set xlabel 'theory (infinite width)'
      set ylabel 'simulation mean ± standard error (width \(setup.settings.width))'
      plot \(entries), x with lines lc rgb '#7f7f7f' dt 3 title 'mean = theory'
      set xlabel 'theory (infinite width)'
      set ylabel 'z = (mean − theory) / standard error'
      set key top right opaque
      set yrange [\(-1.15 * zLimit):\(1.9 * zLimit)]
      plot \(scores.replacingOccurrences(of: "'' index 0", with: "'DATA' index 0"))
      unset multiplot
      """
    try GnuplotFigure.render(to: path, data: data, script: script)
  }

  private func plotSweep(to path: String) throws {
    var data = ""
    let lo = Double(sweeps[0].widths.first!), hi = Double(sweeps[0].widths.last!)
    for (k, sweep) in sweeps.enumerated() {
      let norm = max(sweep.comparisons.last!.theory.frobeniusNorm, .leastNormalMagnitude)
      data += (k > 0 ? "\n\n" : "") + "# \(sweep.name): width rel_frobenius_error noise_level\n"
      for (n, c) in zip(sweep.widths, sweep.comparisons) {
        data += "\(n) \(c.relativeFrobeniusError) \(c.simulation.standardError.frobeniusNorm / max(c.theory.frobeniusNorm, .leastNormalMagnitude))\n"
      }
      data += "\n\n# \(sweep.name): width fitted ‖a + b/n‖/‖theory‖\n"
      for step in 0...60 {
        let n = lo * pow(hi / lo, Double(step) / 60)
        let fitted = zip(sweep.intercept.elements, sweep.widthCoefficient.elements).reduce(0) { $0 + pow($1.0 + $1.1 / n, 2) }
        data += "\(n) \(fitted.squareRoot() / norm)\n"
      }
    }
    let clauses = sweeps.enumerated().flatMap { k, sweep -> [String] in
      let color = "lc rgb '\(Self.colors[k % 2])'"
      return [
        "\(k == 0 ? "'DATA'" : "''") index \(2 * k) using 1:2 with points pt 7 ps 1 \(color) title '\(sweep.name): relative error'",
        "'' index \(2 * k + 1) using 1:2 with lines lw 2 \(color) title sprintf('\(sweep.name): fit a + b/n (n → ∞: \(sweep.verdict.rawValue), slope %.2f)', \(sweep.errorSlope))",
        "'' index \(2 * k) using 1:3 with linespoints dt 2 pt 6 \(color) title '\(sweep.name): noise ‖stderr‖/‖theory‖'",
      ]
    }
    let script = """
      set title "\(title)" noenhanced
      set logscale xy
      set grid lc rgb '#dddddd'
      set key below title ' '
      set xrange [\(lo / 1.25):\(hi * 1.25)]
      set xlabel 'width n'
      set ylabel 'relative Frobenius error ‖mean − theory‖ / ‖theory‖'
      set xtics (\(sweeps[0].widths.map(String.init).joined(separator: ", ")))
      plot \(clauses.joined(separator: ", \\\n     "))
      """
    try GnuplotFigure.render(to: path, data: data, script: script, size: (900, 650))
  }
}
