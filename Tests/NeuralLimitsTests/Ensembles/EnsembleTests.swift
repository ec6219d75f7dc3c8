import Foundation
import Testing
@testable import NeuralLimits

/// Finite ensembles trained from the shared layer definitions against the predictives they should
/// follow (`EnsembleMember`), by the verdict rule of `EnsembleComparison`: Bonferroni-corrected
/// Student-t thresholds at family-wise level 0.001 over the 2·4 mean and variance tests.
///
/// Setting: 6 training and 4 test inputs in 3 dimensions (well-conditioned `Θ_DD`, so width 384
/// resolves every mode training reaches; `EnsembleComparison` says why that matters), one hidden
/// erf layer, 256 members trained for 60 steps at η = 1, seed 2026. Measured with these settings:
/// every true pairing has `max|z|` ≤ 2.74 (mean ≤ 1.63, variance ≤ 2.74) against the threshold
/// 3.90, relative errors ≤ 0.045 (mean) and ≤ 0.12 (variance); the NNGP posterior against the
/// NTKGP ensemble has variance `max|z|` 9.6, the NTKGP posterior against the standard ensemble 65.
@Suite("Trained finite ensembles against their predictives")
struct EnsembleTests {
  static let architecture = "dense(w_std=1.5, b_std=0.1) -> erf -> dense(w_std=1.5, b_std=0.1)"
  static let settings = EnsembleSettings(members: 256, width: 384, steps: 60, learningRate: 1, seed: 2026)

  static let data: RegressionData = {
    let random = RandomStream(seed: 5)
    let x = try! Matrix(rows: 6, columns: 3, elements: random.gaussians(18))
    let test = try! Matrix(rows: 4, columns: 3, elements: random.gaussians(12))
    let y = try! Matrix(rows: 6, columns: 1, elements: (0..<6).map { sin(x.row($0).reduce(0, +)) })
    return try! RegressionData(trainInputs: x, trainTargets: y, testInputs: test)
  }()

  /// The ensemble trained as `simulated` asks, compared with the predictive of `theory` after
  /// the same steps.
  static func comparison(theory: PredictiveMode, simulated: PredictiveMode, noise: Double) throws -> EnsembleComparison {
    let network = try ArchitectureParser.parse(architecture)
    let posterior = try Posterior(network, data: data, mode: theory, noise: .absolute(noise), learningRate: settings.learningRate)
    let ensemble = try FiniteEnsemble(network, data: data, mode: simulated, noiseVariance: noise, settings: settings)
    return try EnsembleComparison(theory: posterior.trajectory().predictive(afterSteps: settings.steps), ensemble: ensemble)
  }

  @Test("Each ensemble agrees with its predictive: standard ↔ ensemble, NTKGP ↔ ntkgp, readout-only ↔ nngp",
        arguments: PredictiveMode.allCases, [0, 0.05])
  func agrees(_ mode: PredictiveMode, _ noise: Double) throws {
    let c = try Self.comparison(theory: mode, simulated: mode, noise: noise)
    #expect(c.verdict == .agree, "mean max|z| \(c.meanMaxAbsZ), variance max|z| \(c.varianceMaxAbsZ), threshold \(c.meanThreshold)")
  }

  @Test("A wrong predictive is rejected: the NNGP posterior against the NTKGP ensemble")
  func wrongPredictive() throws {
    let c = try Self.comparison(theory: .nngp, simulated: .ntkgp, noise: 0)
    #expect(c.verdict == .disagree, "mean max|z| \(c.meanMaxAbsZ), variance max|z| \(c.varianceMaxAbsZ)")
  }

  @Test("A wrong predictive is rejected: the NTKGP posterior against the standard ensemble (Σ_NTKGP ⪰ Σ_ensemble)")
  func ntkgpAgainstStandardEnsemble() throws {
    let c = try Self.comparison(theory: .ntkgp, simulated: .ensemble, noise: 0)
    #expect(c.verdict == .disagree, "mean max|z| \(c.meanMaxAbsZ), variance max|z| \(c.varianceMaxAbsZ)")
  }

  @Test("Members are reproducible and independent of the thread count: the same seed gives the same outputs")
  func reproducible() throws {
    let network = try ArchitectureParser.parse(Self.architecture)
    let small = EnsembleSettings(members: 3, width: 16, steps: 5, learningRate: 1, seed: 7)
    let a = try FiniteEnsemble(network, data: Self.data, mode: .ntkgp, noiseVariance: 0.01, settings: small)
    let b = try FiniteEnsemble(network, data: Self.data, mode: .ntkgp, noiseVariance: 0.01, settings: small)
    #expect(a.outputs == b.outputs)
    #expect(a.outputs[0] != a.outputs[1])
  }

  @Test("Networks no predictive describes are refused with a message",
        arguments: ["dense(w_std=1.5) -> erf -> dense(parameterization=standard)",
                    "dense -> erf -> dropout(rate=0.5) -> dense",
                    "dense -> erf"])
  func refused(_ arch: String) throws {
    let network = try ArchitectureParser.parse(arch)
    #expect(throws: NeuralLimitsError.self) {
      try FiniteEnsemble(network, data: Self.data, mode: .ensemble, noiseVariance: 0,
                         settings: EnsembleSettings(members: 2, width: 8, steps: 1, learningRate: 1))
    }
  }

  @Test("The standard errors of an ensemble's mean and variance match their closed forms on Gaussian outputs")
  func standardErrors() throws {
    // n = 20,000 N(0, 4) draws (seed 11). se(mean) = 2/√n: the estimate's relative error is that
    // of s, √(1/2n); se(s²) = s²·√(2/(n − 1)) for a Gaussian: the estimate's relative error comes
    // from the sample kurtosis (standard error √(24/n)), a quarter of it in the ratio. 4σ each.
    let n = 20_000.0
    let random = RandomStream(seed: 11)
    let outputs = random.gaussians(Int(n), std: 2).map { try! Matrix(rows: 1, columns: 1, elements: [$0]) }
    let estimate = EnsembleEstimate(outputs)
    #expect(abs(estimate.meanStandardError[0, 0] / (2 / n.squareRoot()) - 1) < 4 * (1 / (2 * n)).squareRoot())
    let gaussian = estimate.variance[0, 0] * (2 / (n - 1)).squareRoot()
    #expect(abs(estimate.varianceStandardError[0, 0] / gaussian - 1) < 4 * 0.25 * (24 / n).squareRoot())
  }
}
