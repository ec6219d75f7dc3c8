import ArgumentParser
import Foundation
import NeuralLimits

/// `neural-limits posterior`: the Gaussian predictive of an infinitely wide network on test
/// inputs, given training data.
struct PosteriorCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "posterior",
    abstract: "The predictive of an infinitely wide network: NNGP or NTKGP posterior, or the trained ensemble.",
    discussion: """
      Modes (K the NNGP, Θ the NTK, D the training inputs, * the test inputs, σ² --noise): nngp is \
      the GP posterior with prior K: mean K*D (KDD + σ²I)⁻¹ Y, covariance K** − K*D (KDD + σ²I)⁻¹ KD*; \
      ntkgp the same with Θ (He, Lakshminarayanan & Teh 2020); ensemble the infinite ensemble of \
      networks trained by gradient flow on MSE (Lee et al. 2019): mean Θ*D (ΘDD + σ²I)⁻¹ Y, covariance \
      K** + Θ*D Θ̃⁻¹ KDD Θ̃⁻¹ ΘD* − (Θ*D Θ̃⁻¹ KD* + transpose). Conventions are neural-tangents' \
      (gp_inference, gradient_descent_mse_ensemble): --time t of gradient flow on the loss \
      (1/2Nk)‖f − Y‖² (N training inputs, k outputs) enters as exp(−η t Θ/(Nk)); no --time is t = ∞.

      Without --train-x, --train-y and --test-x: \(ToyRegression.description), with σ² = \
      \(ToyRegression.noiseVariance) unless --noise or --noise-scaled says otherwise. Inputs are CSV \
      or .npy files, one input per row; targets have one column per output.

      Formats: json (default, to stdout or --out FILE) is {"mean": [...], "cov": [[...]]}, the mean a \
      flat list for one output, M × k rows for k; csv writes '# mean' and '# cov' sections to stdout, \
      or DIR/mean.csv and DIR/cov.csv with --out DIR; npy needs --out DIR and writes DIR/mean.npy \
      (M × k) and DIR/cov.npy; table prints aligned columns. --plot FILE.svg|png|pdf draws the mean \
      ± 2 standard deviations on one-dimensional inputs (FILE.dat and FILE.gp beside it).

      --simulate trains the matching finite ensemble: --members networks of hidden width --width, \
      each by --steps steps of full-batch gradient descent at --learning-rate (ensemble: every \
      parameter; ntkgp: plus the untrainable δ(x) = J_θ₀(x)·θ̃, θ̃ ~ N(0, I) with the readout zeroed; \
      nngp: the readout only; with σ² > 0 a penalty (σ²/2Nk)‖θ − θ₀‖² and, for nngp and ntkgp, targets \
      noised by N(0, σ²)); --learning-rate defaults to Nk/λ_max (the largest rate at which no mode \
      oscillates; twice that diverges). The predictive is then the one after those --steps discrete steps (the \
      limit of the same training as the width grows; --time does not apply), and the JSON gains \
      "simulation": the ensemble's mean and variance per test input with standard errors (csv and npy: \
      ensemble_mean, ensemble_mean_se, ensemble_variance, ensemble_variance_se beside mean and cov), max |z| \
      against their thresholds, relative errors and a verdict (agree, inconclusive or disagree) by \
      compare's rule; a one-line summary goes to standard error. With held-out targets (the toy), \
      "metrics" holds RMSE, NLL, 95% coverage and calibration error of the predictive and of the \
      ensemble (mean and variance as a Gaussian).
      """)

  @Option(help: "The architecture (default: the toy's erf network).")
  var arch: String = ToyRegression.architecture

  @Option(help: "Training inputs (CSV or .npy), one per row.")
  var trainX: String?

  @Option(help: "Training targets (CSV or .npy), one row per training input, one column per output.")
  var trainY: String?

  @Option(help: "Test inputs (CSV or .npy), one per row.")
  var testX: String?

  @Option(help: "nngp, ntkgp or ensemble.")
  var mode: PredictiveMode

  @Option(parsing: .unconditional, help: "Training time t (default: ∞).")
  var time: Double?

  @Option(parsing: .unconditional,
          help: "Learning rate η: time enters as η·t (default 1; with --simulate Nk/λ_max, the largest rate at which no mode oscillates).")
  var learningRate: Double?

  @Option(parsing: .unconditional, help: "σ² added to the train-train kernel's diagonal (default 0; the toy's 0.01).")
  var noise: Double?

  @Option(parsing: .unconditional, help: "Instead of --noise: r times the mean of the train-train kernel's diagonal.")
  var noiseScaled: Double?

  @Flag(help: "Add σ² to the predictive variance too: noisy observations y* rather than f(x*).")
  var observationNoise = false

  @Option(help: "Output format: json, csv, npy or table.")
  var format: OutputFormat = .json

  @Option(help: "Output file (json, table) or folder (csv, npy).")
  var out: String?

  @Option(help: "Draw the mean ± 2 std (.svg, .png or .pdf; one-dimensional inputs, one output).")
  var plot: String?

  @Flag(help: "Train the matching finite ensemble and compare it with the predictive.")
  var simulate = false

  @Option(help: "Ensemble members (with --simulate).")
  var members: Int = 64

  @Option(help: "Hidden width of the members (with --simulate).")
  var width: Int = 512

  @Option(help: "Gradient-descent steps per member (with --simulate).")
  var steps: Int = 1000

  @Option(help: "Random seed of the ensemble (with --simulate).")
  var seed: UInt64 = 0

  @Flag(help: "No progress bar or summary line.")
  var quiet = false

  func run() throws {
    try check()
    let files = [trainX, trainY, testX]
    let toy = files.allSatisfy { $0 == nil }
    guard toy || files.allSatisfy({ $0 != nil }) else {
      throw NeuralLimitsError.invalidArgument("--train-x, --train-y and --test-x go together (none of them: the built-in toy)")
    }
    let noise: DiagonalNoise = noiseScaled.map { .scaled($0) } ?? .absolute(self.noise ?? (toy ? ToyRegression.noiseVariance : 0))
    if let plot { try GnuplotFigure.terminalCheck(plot) }
    if format == .npy && out == nil { throw NeuralLimitsError.invalidArgument("--format npy needs --out DIR") }
    let data = try toy ? ToyRegression.data()
      : RegressionData(trainInputs: readMatrix(trainX!), trainTargets: readMatrix(trainY!), testInputs: readMatrix(testX!))
    if plot != nil { try PredictiveFigure.check(data) }
    let network = try ArchitectureParser.parse(arch)
    let bar = ProgressBar(enabled: !quiet && simulate)
    let study = try PosteriorStudy(network, data: data, settings: PosteriorStudy.Settings(
      mode: mode, noise: noise, time: time ?? .infinity, learningRate: learningRate, observationNoise: observationNoise,
      simulation: simulate ? (members, width, steps, seed) : nil), progress: bar.update)
    bar.finish()
    let (predictive, comparison, learningRate) = (study.predictive, study.comparison, study.learningRate)
    if let comparison, !quiet { FileHandle.standardError.write(Data((summary(comparison, learningRate: learningRate) + "\n").utf8)) }
    if format == .json {
      var fields: [(String, JSONValue)] = [("mean", column(predictive.mean)), ("cov", .matrix(predictive.covariance))]
      if let comparison { fields.append(("simulation", simulationJSON(comparison, learningRate: learningRate))) }
      if let metrics = study.metrics { fields.append(("metrics", metricsJSON(metrics))) }
      try emit(JSONValue.object(fields).serializedData(pretty: true) + Data("\n".utf8), to: out)
    } else {
      var named = [("mean", predictive.mean), ("cov", predictive.covariance)]
      if let e = comparison?.estimate {
        named += [("ensemble_mean", e.mean), ("ensemble_mean_se", e.meanStandardError), ("ensemble_variance", e.variance),
                  ("ensemble_variance_se", e.varianceStandardError)]
      }
      try write(named, format: format, out: out, quadratureErrorEstimate: nil)
    }
    if let plot {
      let name = switch mode {
      case .nngp: "NNGP posterior"
      case .ntkgp: "NTKGP posterior"
      case .ensemble: "trained ensemble"
      }
      let eta = String(format: "%.3g", learningRate)
      let when = simulate ? "\(steps) steps at η = \(eta) against \(members) networks of width \(width)"
        : time.flatMap { $0.isFinite ? "t = \($0), η = \(eta)" : nil } ?? "t = ∞"
      let truth: (name: String, function: (Double) -> Double)? = toy ? ("x sin x", { ToyRegression.function($0) }) : nil
      try PredictiveFigure.render(predictive, data: data, title: "\(name), \(when), σ² = \(study.noiseVariance)\\n\(arch)",
                                  truth: truth, ensemble: comparison?.estimate, to: plot)
    }
  }

  /// Checks the options before any kernel is computed.
  func check() throws {
    guard noise == nil || noiseScaled == nil else {
      throw NeuralLimitsError.invalidArgument("--noise and --noise-scaled exclude each other")
    }
    guard (time ?? 0) >= 0, (learningRate ?? 1) > 0, (learningRate ?? 1).isFinite,
          [noise, noiseScaled].allSatisfy({ ($0 ?? 0) >= 0 && ($0 ?? 0).isFinite }) else {
      throw NeuralLimitsError.invalidArgument(
        "--time must be ≥ 0, --learning-rate positive and finite, --noise and --noise-scaled finite and ≥ 0")
    }
    guard !simulate || time == nil else {
      throw NeuralLimitsError.invalidArgument(
        "--simulate compares after --steps steps of gradient descent at --learning-rate; --time does not apply")
    }
    guard !simulate || (members >= 2 && width >= 1 && steps >= 0) else {
      throw NeuralLimitsError.invalidArgument("--members must be at least 2, --width at least 1 and --steps at least 0")
    }
  }

  /// A mean as a flat list for one output, else as rows.
  func column(_ m: Matrix) -> JSONValue {
    m.columns == 1 ? .array(m.elements.map { .number($0) }) : .matrix(m)
  }

  func simulationJSON(_ c: EnsembleComparison, learningRate: Double) -> JSONValue {
    .object([
      ("members", .integer(members)), ("width", .integer(width)), ("steps", .integer(steps)),
      ("learning_rate", .number(learningRate)), ("seed", .string(String(seed))),
      ("mean", column(c.estimate.mean)), ("mean_se", column(c.estimate.meanStandardError)),
      ("variance", column(c.estimate.variance)), ("variance_se", column(c.estimate.varianceStandardError)),
      ("mean_max_abs_z", .number(c.meanMaxAbsZ)), ("mean_threshold", .number(c.meanThreshold)),
      ("mean_rel_error", .number(c.meanRelativeError)),
      ("variance_max_abs_z", .number(c.varianceMaxAbsZ)), ("variance_threshold", .number(c.varianceThreshold)),
      ("variance_rel_error", .number(c.varianceRelativeError)),
      ("exact_mismatches", .integer(c.exactMismatches)), ("bias_scale", .number(c.biasScale)),
      ("verdict", .string(c.verdict.rawValue)),
    ])
  }

  func metricsJSON(_ metrics: (theory: PredictiveMetrics, simulation: PredictiveMetrics?)) -> JSONValue {
    func object(_ m: PredictiveMetrics) -> JSONValue {
      .object([("rmse", .number(m.rootMeanSquaredError)), ("nll", .number(m.negativeLogLikelihood)),
               ("coverage_95", .number(m.coverage)), ("calibration_error", .number(m.calibrationError))])
    }
    return .object([("theory", object(metrics.theory))] + (metrics.simulation.map { [("simulation", object($0))] } ?? []))
  }

  func summary(_ c: EnsembleComparison, learningRate: Double) -> String {
    String(format: "%@ against %d networks of width %d after %d steps at η = %.4g: mean max|z| %.2f (threshold %.2f, rel. error %.3g), "
             + "variance max|z| %.2f (threshold %.2f, rel. error %.3g) → %@",
           mode.rawValue, members, width, steps, learningRate, c.meanMaxAbsZ, c.meanThreshold, c.meanRelativeError,
           c.varianceMaxAbsZ, c.varianceThreshold, c.varianceRelativeError, c.verdict.rawValue)
  }
}

extension PredictiveMode: ExpressibleByArgument {}
