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

  @Option(parsing: .unconditional, help: "Learning rate η: time enters as η·t.")
  var learningRate: Double = 1

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

  func run() throws {
    guard noise == nil || noiseScaled == nil else {
      throw NeuralLimitsError.invalidArgument("--noise and --noise-scaled exclude each other")
    }
    // The settings' own checks, before any kernel is computed.
    guard (time ?? 0) >= 0, learningRate > 0, learningRate.isFinite,
          [noise, noiseScaled].allSatisfy({ ($0 ?? 0) >= 0 && ($0 ?? 0).isFinite }) else {
      throw NeuralLimitsError.invalidArgument(
        "--time must be ≥ 0, --learning-rate positive and finite, --noise and --noise-scaled finite and ≥ 0")
    }
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
    let posterior = try Posterior(network, data: data, mode: mode, noise: noise, learningRate: learningRate,
                                  observationNoise: observationNoise)
    let predictive = try posterior.predictive(at: time ?? .infinity)
    if format == .json {
      let mean = predictive.mean.columns == 1 ? JSONValue.array(predictive.mean.elements.map { .number($0) }) : .matrix(predictive.mean)
      try emit(JSONValue.object([("mean", mean), ("cov", .matrix(predictive.covariance))]).serializedData(pretty: true)
                 + Data("\n".utf8), to: out)
    } else {
      try write([("mean", predictive.mean), ("cov", predictive.covariance)], format: format, out: out, quadratureErrorEstimate: nil)
    }
    if let plot {
      let name = switch mode {
      case .nngp: "NNGP posterior"
      case .ntkgp: "NTKGP posterior"
      case .ensemble: "trained ensemble"
      }
      let when = time.flatMap { $0.isFinite ? "t = \($0), η = \(learningRate)" : nil } ?? "t = ∞"
      let truth: (name: String, function: (Double) -> Double)? = toy ? ("x sin x", { ToyRegression.function($0) }) : nil
      try PredictiveFigure.render(predictive, data: data, title: "\(name), \(when), σ² = \(posterior.noiseVariance)\\n\(arch)",
                                  truth: truth, to: plot)
    }
  }
}

extension PredictiveMode: ExpressibleByArgument {}
