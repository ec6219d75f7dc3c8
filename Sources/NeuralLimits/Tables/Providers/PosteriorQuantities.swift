/// `posterior` rows: a predictive of an infinitely wide network (`neural-limits posterior`) and,
/// with `simulate: true`, the finite ensemble trained to match it — the predictive's entries and
/// metrics on held-out targets, the ensemble's estimates with standard errors, its z-scores and
/// verdict (`PosteriorStudy`).
public struct PosteriorQuantities: QuantityProvider {
  public static let command = "posterior"
  public static let summary = "NNGP/NTKGP posterior or trained-ensemble predictive, metrics, and a trained finite ensemble against it"
  public static let isRandom = true
  public static let parameters = [
    TableParameter("arch", .text, .defaulted(ToyRegression.architecture), "the architecture (default: He et al.'s toy network)"),
    TableParameter("mode", .value(.choice(PredictiveMode.allCases.map(\.rawValue))), .required, "nngp, ntkgp or ensemble"),
    TableParameter("train_x", .text, .optional, "training inputs (CSV or .npy, relative to the configuration); none of the files: the toy"),
    TableParameter("train_y", .text, .optional, "training targets, one column per output"),
    TableParameter("test_x", .text, .optional, "test inputs"),
    TableParameter("test_y", .text, .optional, "held-out test targets, for the metrics (the toy has x sin x)"),
    TableParameter("noise", .value(.real(0...Double.infinity)), .optional, "σ² on the train diagonal (default: the toy's 0.01, else 0)"),
    TableParameter("time", .value(.real(0...Double.infinity)), .optional, "time t of gradient flow (default ∞; not with simulate)"),
    TableParameter("learning_rate", .value(.real(0...Double.infinity, lowerOpen: true)), .optional,
                   "η (default 1; with simulate Nk/λ_max)"),
    TableParameter("simulate", .value(.choice(["false", "true"])), .defaulted("false"), "also train the matching finite ensemble"),
    TableParameter("members", .value(.integer(2...Int.max)), .defaulted("64"), "ensemble members"),
    TableParameter("width", .value(.integer(1...Int.max)), .defaulted("512"), "hidden width of the members"),
    TableParameter("steps", .value(.integer(0...Int.max)), .defaulted("1000"), "gradient-descent steps per member"),
  ]

  static let metricNames = ["rmse", "nll", "coverage_95", "calibration_error"]
  static let comparisonNames = [
    ("mean_rel_error", "‖f̄ − μ‖ over the predictive's root mean square"), ("variance_rel_error", "‖s² − diag Σ‖/‖diag Σ‖"),
    ("mean_max_abs_z", "largest |z| of the ensemble's means"), ("variance_max_abs_z", "largest |z| of its variances"),
    ("threshold", "the Bonferroni Student-t threshold for both"), ("bias_scale", "L/n, the allowance of an inconclusive verdict"),
  ]
  public static let quantities: [QuantityDeclaration] = [
    QuantityDeclaration("mean", indexed: true, .number, "the predictive mean at test input i, output j"),
    QuantityDeclaration("cov", indexed: true, .number, "the predictive covariance of test inputs i and j"),
    QuantityDeclaration("learning_rate", .number, "the learning rate used"),
  ] + metricNames.map { QuantityDeclaration("theory.\($0)", .number, "the predictive's \($0) on the held-out targets") }
    + metricNames.map { QuantityDeclaration("simulation.\($0)", .number, "the ensemble's \($0) (its mean and variance as a Gaussian)") }
    + [QuantityDeclaration("simulation.mean", indexed: true, .estimated, "the ensemble's mean at test input i, output j"),
       QuantityDeclaration("simulation.variance", indexed: true, .estimated, "the ensemble's variance at test input i, output j")]
    + comparisonNames.map { QuantityDeclaration($0.0, .number, $0.1) }
    + [QuantityDeclaration("verdict", .text, "agree, inconclusive or disagree (neural-limits posterior --help)")]

  let network: any Layer
  let data: RegressionData
  let settings: PosteriorStudy.Settings
  let quantities: [QuantityName]

  public init(_ row: RowParameters, quantities: [QuantityName]) throws {
    network = try row.blame("arch") { try ArchitectureParser.parse(row.text("arch")) }
    let files = ["train_x", "train_y", "test_x"].map { row.optionalText($0) }
    let toy = files.allSatisfy { $0 == nil }
    guard toy || files.allSatisfy({ $0 != nil }) else {
      throw row.refuse("train_x", "train_x, train_y and test_x go together (none of them: the built-in toy)")
    }
    if toy, row.optionalText("test_y") != nil { throw row.refuse("test_y", "the toy has its own held-out targets") }
    data = try toy ? ToyRegression.data() : RegressionData(
      trainInputs: row.blame("train_x") { try readMatrix(row.path("train_x")) },
      trainTargets: row.blame("train_y") { try readMatrix(row.path("train_y")) },
      testInputs: row.blame("test_x") { try readMatrix(row.path("test_x")) },
      testTargets: row.optionalText("test_y") == nil ? nil : row.blame("test_y") { try readMatrix(row.path("test_y")) })
    let simulate = row.flag("simulate")
    if simulate, row.optionalReal("time") != nil { throw row.refuse("time", "with simulate the time is the ensemble's steps") }
    settings = PosteriorStudy.Settings(
      mode: PredictiveMode(rawValue: row.text("mode"))!, noise: .absolute(row.optionalReal("noise") ?? (toy ? ToyRegression.noiseVariance : 0)),
      time: row.optionalReal("time") ?? .infinity, learningRate: row.optionalReal("learning_rate"),
      simulation: simulate ? (row.integer("members"), row.integer("width"), row.integer("steps"), 0) : nil)
    let outputs = data.trainTargets.columns, tests = data.testInputs.rows
    for q in quantities {
      let needsSimulation = q.base.hasPrefix("simulation.") || q.base == "verdict" || Self.comparisonNames.contains { $0.0 == q.base }
      if needsSimulation, !simulate { throw row.refuse(q, "needs simulate: true") }
      if q.base.hasSuffix(metricNames: Self.metricNames), data.testTargets == nil { throw row.refuse(q, "needs held-out targets (test_y)") }
      if let i = q.indices.first, i >= tests { throw row.refuse(q, "test input \(i) is beyond the \(tests) test inputs (from 0)") }
      if q.indices.count == 2, q.base != "cov", q.indices[1] >= outputs {
        throw row.refuse(q, "output \(q.indices[1]) is beyond the \(outputs) outputs (from 0)")
      }
      if q.base == "cov", q.indices.count == 2, q.indices[1] >= tests {
        throw row.refuse(q, "test input \(q.indices[1]) is beyond the \(tests) test inputs (from 0)")
      }
    }
    self.quantities = quantities
  }

  public var inputFingerprint: String {
    TableInputs.fingerprint(data.trainInputs) + TableInputs.fingerprint(data.trainTargets) + TableInputs.fingerprint(data.testInputs)
      + (data.testTargets.map(TableInputs.fingerprint) ?? "")
  }

  public func compute(seed: UInt64, progress: (@Sendable (Int, Int) -> Void)?) throws -> [QuantityValue] {
    var settings = self.settings
    settings.simulation?.seed = seed
    let study = try PosteriorStudy(network, data: data, settings: settings, progress: progress)
    return quantities.map { q in
      let (i, j) = q.indices.count == 2 ? (q.indices[0], q.indices[1]) : (0, 0)
      let c = study.comparison
      switch q.base {
      case "mean": return .number(study.predictive.mean[i, j])
      case "cov": return .number(study.predictive.covariance[i, j])
      case "learning_rate": return .number(study.learningRate)
      case "simulation.mean": return .estimate(c!.estimate.mean[i, j], standardError: c!.estimate.meanStandardError[i, j])
      case "simulation.variance": return .estimate(c!.estimate.variance[i, j], standardError: c!.estimate.varianceStandardError[i, j])
      case "mean_rel_error": return .number(c!.meanRelativeError)
      case "variance_rel_error": return .number(c!.varianceRelativeError)
      case "mean_max_abs_z": return .number(c!.meanMaxAbsZ)
      case "variance_max_abs_z": return .number(c!.varianceMaxAbsZ)
      case "threshold": return .number(c!.meanThreshold)
      case "bias_scale": return .number(c!.biasScale)
      case "verdict": return .text(c!.verdict.rawValue)
      default:
        let parts = q.base.split(separator: ".").map(String.init)
        let m = parts[0] == "theory" ? study.metrics!.theory : study.metrics!.simulation!
        switch parts[1] {
        case "rmse": return .number(m.rootMeanSquaredError)
        case "nll": return .number(m.negativeLogLikelihood)
        case "coverage_95": return .number(m.coverage)
        default: return .number(m.calibrationError)
        }
      }
    }
  }
}

private extension String {
  /// Whether this is `theory.<m>` or `simulation.<m>` for a metric `m`.
  func hasSuffix(metricNames: [String]) -> Bool {
    metricNames.contains { self == "theory.\($0)" || self == "simulation.\($0)" }
  }
}
