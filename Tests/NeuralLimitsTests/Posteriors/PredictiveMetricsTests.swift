import Foundation
import Testing
@testable import NeuralLimits

@Suite("Predictive metrics")
struct PredictiveMetricsTests {
  /// A predictive with means `mean` and independent variances `variances`, one output.
  func predictive(_ mean: [Double], _ variances: [Double]) throws -> GaussianPredictive {
    var covariance = Matrix(rows: mean.count, columns: mean.count)
    for (i, v) in variances.enumerated() { covariance[i, i] = v }
    return try GaussianPredictive(mean: Matrix(rows: mean.count, columns: 1, elements: mean), covariance: covariance)
  }

  @Test("RMSE, NLL and coverage against hand-computed values")
  func closedForms() throws {
    let p = try predictive([0, 1, 2, 3], [1, 4, 0.25, 1])
    let y = try Matrix(rows: 4, columns: 1, elements: [0.5, 1, 3, 0])  // residuals 0.5, 0, 1, −3
    let metrics = try PredictiveMetrics(p, targets: y, level: 0.9)
    #expect(abs(metrics.rootMeanSquaredError - (10.25 / 4).squareRoot()) < 1e-15)
    let nll = [(1.0, 0.5), (4, 0), (0.25, 1), (1, -3)].map { v, r in 0.5 * log(2 * Double.pi * v) + r * r / (2 * v) }
    #expect(abs(metrics.negativeLogLikelihood - nll.reduce(0, +) / 4) < 1e-14)
    // z(0.9) = 1.645: |r|/s = 0.5, 0, 2, 3 → two of four inside.
    #expect(metrics.coverage == 0.5 && metrics.level == 0.9)
  }

  @Test("Calibration error: near 0 for targets at the predictive's own quantiles, large for an overconfident one")
  func calibration() throws {
    let n = 400
    // Targets at the quantiles (i + ½)/n of N(μᵢ, sᵢ²): the PITs are evenly spread.
    let means = (0..<n).map { sin(Double($0)) }, variances = (0..<n).map { 0.5 + Double($0 % 7) }
    let targets = (0..<n).map { i in
      means[i] + variances[i].squareRoot() * -SpecialFunctions.normalUpperQuantile((Double(i) + 0.5) / Double(n))
    }
    let y = try Matrix(rows: n, columns: 1, elements: targets)
    let calibrated = try PredictiveMetrics(predictive(means, variances), targets: y)
    #expect(calibrated.calibrationError < 1.0 / Double(n))
    #expect(abs(calibrated.coverage - 0.95) <= 1.0 / Double(n))
    let overconfident = try PredictiveMetrics(predictive(means, variances.map { $0 / 100 }), targets: y)
    #expect(overconfident.calibrationError > 0.2 && overconfident.coverage < 0.3)
  }

  @Test("Zero variance, shape mismatch and a bad level throw")
  func refusals() throws {
    let y = try Matrix(rows: 2, columns: 1, elements: [0, 0])
    #expect(throws: NeuralLimitsError.self) { try PredictiveMetrics(predictive([0, 0], [1, 0]), targets: y) }
    #expect(throws: NeuralLimitsError.self) { try PredictiveMetrics(predictive([0, 0, 0], [1, 1, 1]), targets: y) }
    #expect(throws: NeuralLimitsError.self) { try PredictiveMetrics(predictive([0, 0], [1, 1]), targets: y, level: 1) }
  }

  @Test("The toy's trained ensemble: metrics on the held-out x sin x are finite and ordered as expected")
  func toy() throws {
    let data = try ToyRegression.data()
    let network = try ArchitectureParser.parse(ToyRegression.architecture)
    let posterior = try Posterior(network, data: data, mode: .ntkgp, noise: .absolute(ToyRegression.noiseVariance),
                                  observationNoise: true)
    let metrics = try PredictiveMetrics(posterior.predictive(), targets: data.testTargets!)
    #expect(metrics.rootMeanSquaredError.isFinite && metrics.negativeLogLikelihood.isFinite)
    #expect((0...1).contains(metrics.coverage) && (0...0.5).contains(metrics.calibrationError))
  }
}
