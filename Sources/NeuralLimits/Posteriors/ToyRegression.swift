import Foundation

/// The one-dimensional regression toy of He, Lakshminarayanan & Teh 2020 (*Bayesian Deep
/// Ensembles via the Neural Tangent Kernel*, Figure 1): `y = x sin x + ε`, `ε ~ N(0, 0.1²)`, at
/// 20 training inputs, 10 drawn uniformly from each of `[−2, −2/3]` and `[2/3, 2]`; an erf
/// network with two hidden layers, `W_std = 1.5`, `b_std = 0.05`, and noise `σ² = 0.01` on the
/// train diagonal.
public enum ToyRegression {
  public static let architecture = "(dense(w_std=1.5, b_std=0.05) -> erf) * 2 -> dense(w_std=1.5, b_std=0.05)"
  /// `σ² = 0.1²`, the targets' noise variance.
  public static let noiseVariance = 0.01
  /// The test inputs span `[−range, range]`: the two training intervals, the gap between them
  /// and the regions beyond.
  public static let range = 5.0

  /// The noiseless function `x sin x`.
  public static func function(_ x: Double) -> Double { x * sin(x) }

  /// The training set drawn from `RandomStream(seed: seed)` (uniforms for the inputs, then
  /// Gaussians for the noise); `testPoints` evenly spaced test inputs on `[−range, range]` with
  /// the noiseless function as their held-out targets.
  public static func data(seed: UInt64 = 0, testPoints: Int = 201) throws -> RegressionData {
    guard testPoints >= 2 else { throw NeuralLimitsError.invalidArgument("the toy needs at least 2 test points, got \(testPoints)") }
    let stream = RandomStream(seed: seed)
    let x = stream.uniforms(20).enumerated().map { k, u in (k < 10 ? -2 : 2.0 / 3) + u * 4 / 3 }
    let y = zip(x, stream.gaussians(20, std: noiseVariance.squareRoot())).map { function($0) + $1 }
    let test = (0..<testPoints).map { -range + 2 * range * Double($0) / Double(testPoints - 1) }
    return try RegressionData(
      trainInputs: Matrix(rows: 20, columns: 1, elements: x), trainTargets: Matrix(rows: 20, columns: 1, elements: y),
      testInputs: Matrix(rows: testPoints, columns: 1, elements: test),
      testTargets: Matrix(rows: testPoints, columns: 1, elements: test.map(function)))
  }

  public static let description =
    "built-in toy of He et al. 2020: y = x sin x + N(0, 0.1²) at 20 inputs in [−2, −2/3] ∪ [2/3, 2], 201 test inputs on [−5, 5]"
}
