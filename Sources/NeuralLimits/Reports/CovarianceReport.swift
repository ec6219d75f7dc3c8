import Foundation

/// Renders a `CovarianceStudy` as a table, CSV, JSON or a gnuplot figure.
public struct CovarianceReport: Sendable {
  public let study: CovarianceStudy

  public init(_ study: CovarianceStudy) { self.study = study }

  public static let rule = """
    one value per path and statistic (ρ¹² of the first two tokens, the mean correlation over pairs, V¹¹, the mean \
    diagonal); each statistic's SDE and network samples are compared by the two-sample Kolmogorov–Smirnov test; \
    agree when every p-value is at least 0.001/k for k statistics (Bonferroni), else disagree. SDE paths that \
    left the window are left out and counted.
    """

  private var settings: CovarianceStudy.Settings { study.settings }

  private func setupLines() -> [String] {
    let s = settings, e = study.sde
    var lines = [
      "model:        \(try! s.model.sde().description)",
      "start:        \(s.tokens) tokens, unit diagonal, every correlation ρ₀ = \(s.rho0)",
      "SDE:          \(s.sde.paths) paths to T = \(s.sde.time), dt = \(s.sde.time / Double(e.steps)) (\(e.steps) steps), seed \(s.sde.seed); "
        + String(format: "stopped %.1f%%", 100 * e.stoppedFraction)
        + (e.stoppingTimes.isEmpty ? "" : String(format: " (median time %.3g)", e.stoppingTimes.sorted()[e.stoppingTimes.count / 2]))
        + ", \(e.projections) projections onto the PSD cone",
    ]
    if let sim = s.simulation {
      lines.append("network:      width \(sim.width), depth \(s.depth(width: sim.width)) blocks, \(sim.samples) samples, seed \(s.sde.seed)"
        + (s.contrast ? "; unshaped contrast likewise" : ""))
    }
    return lines
  }

  private static func format(_ x: Double) -> String { String(format: "%.4g", x) }
  private static func plusMinus(_ x: Double, _ e: Double) -> String { "\(format(x)) ± \(String(format: "%.2g", e))" }

  public func table() -> String {
    var out = setupLines().joined(separator: "\n") + "\n\n"
    let head = "statistic      source    mean                 variance             5%                 median             95%"
    out += head + (study.comparison == nil ? "" : "              KS D     p") + "\n"
    let rows: [(String, SampleSummary, SampleSummary?, KolmogorovSmirnov?)] = study.comparison.map { c in
      c.statistics.map { ($0.name, $0.sde, Optional($0.network), Optional($0.test)) }
    } ?? study.sdeSummaries.map { ($0.name, $0.summary, nil, nil) }
    func line(_ name: String, _ source: String, _ s: SampleSummary) -> String {
      let q = s.quantiles
      return name.padding(toLength: 15, withPad: " ", startingAt: 0) + source.padding(toLength: 10, withPad: " ", startingAt: 0)
        + [CovarianceReport.plusMinus(s.mean, s.meanError), CovarianceReport.plusMinus(s.variance, s.varianceError),
           CovarianceReport.plusMinus(q[0].value, q[0].error), CovarianceReport.plusMinus(q[2].value, q[2].error),
           CovarianceReport.plusMinus(q[4].value, q[4].error)].map { $0.padding(toLength: 19, withPad: " ", startingAt: 0) }
        .joined(separator: "  ")
    }
    for (name, sde, network, test) in rows {
      out += line(name, "SDE", sde) + "\n"
      if let network, let test {
        out += line("", "network", network) + String(format: "  %.4f   %.3g", test.statistic, test.pValue) + "\n"
      }
    }
    let p = study.absoluteCorrelation95
    out += "\n95th percentile of |ρ¹²|: SDE \(CovarianceReport.plusMinus(p.sde.0, p.sde.1))"
      + (p.network.map { ", network \(CovarianceReport.plusMinus($0.0, $0.1))" } ?? "") + "\n"
    if let c = study.comparison {
      out += "verdict: \(c.verdict.rawValue) (threshold p ≥ \(String(format: "%.3g", c.threshold)))\nrule: \(CovarianceReport.rule)\n"
    }
    if let convergence = study.convergence {
      out += "\nhalving dt on the same paths (\(convergence.pairedPaths) paths): change of each statistic's mean (weak) and path-wise RMS (strong)\n"
      for c in convergence.changes {
        out += "  " + c.name.padding(toLength: 14, withPad: " ", startingAt: 0)
          + "\(CovarianceReport.plusMinus(c.change, c.changeError))   rms \(CovarianceReport.format(c.rmsChange))   (mean at dt/2 \(CovarianceReport.format(c.fine)))\n"
      }
    }
    out += "\nmean correlation over pairs against t = depth/width (± standard error)\n"
    out += "t        SDE                  " + (settings.simulation == nil ? "" : "network              ") + (settings.contrast ? "unshaped network" : "") + "\n"
    for row in study.correlationProfile {
      out += String(format: "%-8.4g ", row.t) + CovarianceReport.plusMinus(row.sde.0, row.sde.1).padding(toLength: 21, withPad: " ", startingAt: 0)
      if let n = row.network { out += CovarianceReport.plusMinus(n.0, n.1).padding(toLength: 21, withPad: " ", startingAt: 0) }
      if let u = row.unshaped { out += CovarianceReport.plusMinus(u.0, u.1) }
      out += "\n"
    }
    return out
  }

  /// `statistic,source,count,mean,mean_se,variance,variance_se,q05,q05_se,q25,q25_se,q50,q50_se,q75,q75_se,q95,q95_se,ks_d,ks_p`.
  public func csv() -> String {
    var out = "statistic,source,count,mean,mean_se,variance,variance_se,q05,q05_se,q25,q25_se,q50,q50_se,q75,q75_se,q95,q95_se,ks_d,ks_p\n"
    func row(_ name: String, _ source: String, _ s: SampleSummary, _ test: KolmogorovSmirnov?) -> String {
      ([name, source, "\(s.count)", "\(s.mean)", "\(s.meanError)", "\(s.variance)", "\(s.varianceError)"]
        + s.quantiles.flatMap { ["\($0.value)", "\($0.error)"] }
        + [test.map { "\($0.statistic)" } ?? "", test.map { "\($0.pValue)" } ?? ""]).joined(separator: ",") + "\n"
    }
    if let c = study.comparison {
      for s in c.statistics { out += row(s.name, "sde", s.sde, s.test) + row(s.name, "network", s.network, s.test) }
    } else {
      for s in study.sdeSummaries { out += row(s.name, "sde", s.summary, nil) }
    }
    return out
  }

  public func json() -> JSONValue {
    func summary(_ s: SampleSummary) -> JSONValue {
      .object([("count", .integer(s.count)), ("mean", .number(s.mean)), ("mean_se", .number(s.meanError)),
               ("variance", .number(s.variance)), ("variance_se", .number(s.varianceError)),
               ("quantiles", .array(s.quantiles.map { .object([("p", .number($0.probability)), ("value", .number($0.value)),
                                                                ("se", .number($0.error))]) }))])
    }
    let s = settings, e = study.sde
    var members: [(String, JSONValue)] = [
      ("model", .string(try! s.model.sde().description)), ("kind", .string(s.model.kind.rawValue)),
      ("settings", .object([
        ("tokens", .integer(s.tokens)), ("rho0", .number(s.rho0)), ("T", .number(s.sde.time)),
        ("dt", .number(s.sde.time / Double(e.steps))), ("steps", .integer(e.steps)), ("paths", .integer(s.sde.paths)),
        ("seed", .integer(Int(truncatingIfNeeded: s.sde.seed))), ("window", .number(s.sde.window)),
        ("c_plus", .number(s.model.cPlus)), ("c_minus", .number(s.model.cMinus)), ("gamma", .number(s.model.gamma)),
        ("gamma_mlp", .number(s.model.mlpGamma)), ("tau0", .number(s.model.tau0)), ("causal", .bool(s.model.causal)),
        ("width", s.simulation.map { .integer($0.width) } ?? .null), ("depth", s.simulation.map { .integer(s.depth(width: $0.width)) } ?? .null),
        ("samples", s.simulation.map { .integer($0.samples) } ?? .null),
      ])),
      ("stopped_fraction", .number(e.stoppedFraction)), ("stopping_times", .array(e.stoppingTimes.map(JSONValue.number))),
      ("projections", .integer(e.projections)),
      ("sde", .object(study.sdeSummaries.map { ($0.name, summary($0.summary)) })),
      ("abs_rho_12_q95", .object([("sde", .array([.number(study.absoluteCorrelation95.sde.0), .number(study.absoluteCorrelation95.sde.1)])),
                                  ("network", study.absoluteCorrelation95.network.map { .array([.number($0.0), .number($0.1)]) } ?? .null)])),
    ]
    if let c = study.comparison {
      members.append(("network", .object(c.statistics.map { ($0.name, summary($0.network)) })))
      members.append(("ks", .object(c.statistics.map { ($0.name, .object([("D", .number($0.test.statistic)), ("p", .number($0.test.pValue))])) })))
      members.append(("threshold", .number(c.threshold)))
      members.append(("verdict", .string(c.verdict.rawValue)))
      members.append(("rule", .string(CovarianceReport.rule)))
    }
    if let convergence = study.convergence {
      members.append(("dt_check", .object(convergence.changes.map {
        ($0.name, .object([("change", .number($0.change)), ("change_se", .number($0.changeError)), ("rms_change", .number($0.rmsChange)),
                           ("mean_at_half_dt", .number($0.fine))]))
      })))
    }
    members.append(("mean_correlation", .array(study.correlationProfile.map { row in
      .object([("t", .number(row.t)), ("sde", .array([.number(row.sde.0), .number(row.sde.1)])),
               ("network", row.network.map { .array([.number($0.0), .number($0.1)]) } ?? .null),
               ("unshaped", row.unshaped.map { .array([.number($0.0), .number($0.1)]) } ?? .null)])
    })))
    return .object(members)
  }

  /// Two panels: the density of `ρ¹²` at `T` (SDE, network: histograms on 40 bins of [−1, 1]) and
  /// the mean correlation against `t` with error bars (SDE, network, unshaped network).
  public func plot(to path: String) throws {
    let bins = 40
    func histogram(_ vs: [Matrix]) -> [Double] {
      var counts = [Double](repeating: 0, count: bins)
      for v in vs {
        let rho = CovarianceComparison.statistics(v)[0].1
        counts[min(bins - 1, max(0, Int((rho + 1) / 2 * Double(bins))))] += 1
      }
      return counts.map { $0 / Double(vs.count) / (2 / Double(bins)) }
    }
    let sdeDensity = histogram(study.sde.finals), networkDensity = study.network.map { histogram($0.finals) }
    var data = "# rho  sde_density  network_density\n"
    for k in 0..<bins {
      data += "\(-1 + (Double(k) + 0.5) * 2 / Double(bins)) \(sdeDensity[k]) \(networkDensity?[k] ?? .nan)\n"
    }
    data += "\n\n# t  sde  sde_se  network  network_se  unshaped  unshaped_se\n"
    for row in study.correlationProfile {
      data += "\(row.t) \(row.sde.0) \(row.sde.1) \(row.network?.0 ?? .nan) \(row.network?.1 ?? .nan) \(row.unshaped?.0 ?? .nan) \(row.unshaped?.1 ?? .nan)\n"
    }
    var density = "plot 'DATA' index 0 using 1:2 with steps lw 2 lc rgb '#1f77b4' title 'SDE'"
    if networkDensity != nil { density += ", '' index 0 using 1:3 with steps lw 2 lc rgb '#d62728' title 'network'" }
    var profile = "plot 'DATA' index 1 using 1:2:3 with yerrorlines lw 2 lc rgb '#1f77b4' title 'SDE'"
    if settings.simulation != nil { profile += ", '' index 1 using 1:4:5 with yerrorlines lw 2 lc rgb '#d62728' title 'network'" }
    if settings.contrast { profile += ", '' index 1 using 1:6:7 with yerrorlines lw 2 dt 2 lc rgb '#7f7f7f' title 'unshaped network'" }
    let title = (try? settings.model.sde().description) ?? settings.model.kind.rawValue
    let script = """
      set multiplot layout 1,2 title "\(title.replacingOccurrences(of: "\"", with: "'")), \(settings.tokens) tokens, ρ₀ = \(settings.rho0), T = \(settings.sde.time)"
      set key top left
      set xlabel 'ρ¹² at T'
      set ylabel 'density'
      set xrange [-1:1]
      \(density)
      set xlabel 't = depth / width'
      set key center right
      set ylabel 'mean correlation over pairs'
      set autoscale x
      set autoscale y
      \(profile)
      unset multiplot
      """
    try GnuplotFigure.render(to: path, data: data, script: script)
  }
}
