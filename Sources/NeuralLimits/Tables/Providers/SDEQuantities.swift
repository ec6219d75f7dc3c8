/// `sde` rows: the covariance SDE of a shaped network (`neural-limits sde`), optionally against
/// finite networks: per statistic of the final covariance its mean, variance and quantiles with
/// standard errors on each side, the Kolmogorov–Smirnov tests and the verdict.
public struct SDEQuantities: QuantityProvider {
  public static let command = "sde"
  public static let summary = "covariance SDE of a shaped network against finite networks: summaries with standard errors, KS tests, verdict"
  public static let isRandom = true
  public static let parameters = [
    TableParameter("model", .value(.choice(CovarianceModel.Kind.allCases.map(\.rawValue))), .required, "the shaped network"),
    TableParameter("tokens", .value(.integer(2...4096)), .defaulted("2"), "number of tokens m"),
    TableParameter("T", .value(.real(0...Double.infinity, lowerOpen: true)), .defaulted("1"), "final time T = depth/width"),
    TableParameter("dt", .value(.real(0...Double.infinity, lowerOpen: true)), .defaulted("0.01"), "Euler–Maruyama step"),
    TableParameter("paths", .value(.integer(2...Int.max)), .defaulted("1000"), "number of SDE paths"),
    TableParameter("rho0", .value(.real(-1...1)), .defaulted("0.2"), "initial correlation of every pair of tokens"),
    TableParameter("c_plus", .value(.real(-.infinity...Double.infinity)), .defaulted("0"), "shaped ReLU c₊ (slope 1 + c₊/√n for x > 0)"),
    TableParameter("c_minus", .value(.real(-.infinity...Double.infinity)), .defaulted("-1"), "shaped ReLU c₋ (slope 1 + c₋/√n for x < 0)"),
    TableParameter("gamma", .value(.real(0...1)), .defaulted("0.5"), "residual branch weight γ (λ = √(1 − γ²))"),
    TableParameter("gamma_mlp", .value(.real(0...1)), .optional, "the Transformer's MLP sub-block γ (default: gamma)"),
    TableParameter("tau0", .value(.real(0...Double.infinity, lowerOpen: true)), .defaulted("1"), "attention temperature constant τ₀"),
    TableParameter("causal", .value(.choice(["false", "true"])), .defaulted("false"), "causal attention"),
    TableParameter("window", .value(.real(0...Double.infinity, lowerOpen: true)), .defaulted("1e6"), "a path stops when its mean diagonal leaves [0, window]"),
    TableParameter("simulate", .value(.choice(["false", "true"])), .defaulted("false"), "also simulate finite networks and compare"),
    TableParameter("width", .value(.integer(1...Int.max)), .defaulted("100"), "width n of the simulated networks"),
    TableParameter("samples", .value(.integer(2...Int.max)), .defaulted("1000"), "number of simulated networks"),
    TableParameter("contrast", .value(.choice(["false", "true"])), .defaulted("false"), "also the unshaped networks (rank collapse)"),
  ]

  static let statistics = ["rho_12", "mean_rho", "V_11", "mean_diagonal"]
  static let summaries = ["mean", "variance", "q05", "q25", "q50", "q75", "q95"]
  public static let quantities: [QuantityDeclaration] = ["sde", "network"].flatMap { side in
    statistics.flatMap { statistic in
      summaries.map { QuantityDeclaration("\(side).\(statistic).\($0)", .estimated, "the \(side == "sde" ? "SDE paths'" : "networks'") \($0) of \(statistic) at T") }
    } + [QuantityDeclaration("\(side).abs_rho_12.q95", .estimated, "the 95th percentile of |ρ¹²| at T (\(side))"),
         QuantityDeclaration("\(side).mean_correlation_T", .estimated, "the mean correlation over pairs at T (\(side))")]
  } + statistics.flatMap { statistic in
    [QuantityDeclaration("ks.\(statistic).D", .number, "Kolmogorov–Smirnov statistic of \(statistic), SDE against networks"),
     QuantityDeclaration("ks.\(statistic).p", .number, "its p-value")]
  } + [
    QuantityDeclaration("ks.threshold", .number, "the Bonferroni threshold every p-value must reach"),
    QuantityDeclaration("verdict", .text, "agree or disagree (neural-limits sde --help)"),
    QuantityDeclaration("unshaped.mean_correlation_T", .estimated, "the unshaped networks' mean correlation at T (contrast)"),
    QuantityDeclaration("stopped_fraction", .number, "the fraction of SDE paths that left the window"),
    QuantityDeclaration("projections", .number, "steps projected onto the PSD cone"),
  ]

  let settings: CovarianceStudy.Settings
  let quantities: [QuantityName]

  public init(_ row: RowParameters, quantities: [QuantityName]) throws {
    let model = CovarianceModel(kind: CovarianceModel.Kind(rawValue: row.text("model"))!, cPlus: row.real("c_plus"),
                                cMinus: row.real("c_minus"), gamma: row.real("gamma"), mlpGamma: row.optionalReal("gamma_mlp"),
                                tau0: row.real("tau0"), causal: row.flag("causal"))
    let simulate = row.flag("simulate")
    settings = CovarianceStudy.Settings(
      model: model, tokens: row.integer("tokens"), rho0: row.real("rho0"),
      sde: SDESettings(time: row.real("T"), step: row.real("dt"), paths: row.integer("paths"), window: row.real("window")),
      simulation: simulate ? (row.integer("width"), row.integer("samples")) : nil, contrast: row.flag("contrast") && simulate)
    _ = try row.blame("rho0") { [settings] in try settings.initialCovariance() }
    try row.blame("dt") { [settings] in try settings.sde.validate() }
    if simulate, row.integer("width") < row.integer("tokens") {
      throw row.refuse("width", "the networks' width must be at least the number of tokens (\(row.integer("tokens")))")
    }
    for q in quantities {
      if q.base.hasPrefix("network.") || q.base.hasPrefix("ks.") || q.base == "verdict", !simulate {
        throw row.refuse(q, "needs simulate: true")
      }
      if q.base.hasPrefix("unshaped."), !(simulate && row.flag("contrast")) { throw row.refuse(q, "needs simulate: true and contrast: true") }
      if q.base.contains(".mean_rho."), settings.tokens < 3 { throw row.refuse(q, "mean_rho needs at least 3 tokens") }
    }
    self.quantities = quantities
  }

  public var inputFingerprint: String { "" }

  public func compute(seed: UInt64, progress: (@Sendable (Int, Int) -> Void)?) throws -> [QuantityValue] {
    var settings = self.settings
    settings.sde.seed = seed
    let study = try CovarianceStudy(settings, progress: progress)
    let sde = Dictionary(uniqueKeysWithValues: study.sdeSummaries.map { ($0.name, $0.summary) })
    let compared = study.comparison.map { c in Dictionary(uniqueKeysWithValues: c.statistics.map { ($0.name, $0) }) } ?? [:]
    let final = study.correlationProfile.last!
    func summary(_ s: SampleSummary, _ name: String) -> QuantityValue {
      if name == "mean" { return .estimate(s.mean, standardError: s.meanError) }
      if name == "variance" { return .estimate(s.variance, standardError: s.varianceError) }
      let q = s.quantiles[SDEQuantities.summaries.firstIndex(of: name)! - 2]
      return .estimate(q.value, standardError: q.error)
    }
    return quantities.map { q in
      let parts = q.base.split(separator: ".").map(String.init)
      switch q.base {
      case "verdict": return .text(study.comparison!.verdict.rawValue)
      case "ks.threshold": return .number(study.comparison!.threshold)
      case "stopped_fraction": return .number(study.sde.stoppedFraction)
      case "projections": return .number(Double(study.sde.projections))
      case "sde.abs_rho_12.q95": return .estimate(study.absoluteCorrelation95.sde.0, standardError: study.absoluteCorrelation95.sde.1)
      case "network.abs_rho_12.q95":
        return .estimate(study.absoluteCorrelation95.network!.0, standardError: study.absoluteCorrelation95.network!.1)
      case "sde.mean_correlation_T": return .estimate(final.sde.0, standardError: final.sde.1)
      case "network.mean_correlation_T": return .estimate(final.network!.0, standardError: final.network!.1)
      case "unshaped.mean_correlation_T": return .estimate(final.unshaped!.0, standardError: final.unshaped!.1)
      default:
        if parts[0] == "ks" {
          let test = compared[parts[1]]!.test
          return .number(parts[2] == "D" ? test.statistic : test.pValue)
        }
        return summary(parts[0] == "sde" ? sde[parts[1]]! : compared[parts[1]]!.network, parts[2])
      }
    }
  }
}
