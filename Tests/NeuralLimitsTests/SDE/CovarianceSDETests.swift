import Foundation
import Testing
@testable import NeuralLimits

/// `V₀` with unit diagonal and every off-diagonal `ρ₀`.
func equicorrelated(_ m: Int, _ rho0: Double) -> Matrix {
  var v = Matrix(rows: m, columns: m, repeating: rho0)
  for i in 0..<m { v[i, i] = 1 }
  return v
}

/// The first two tokens' correlation of each `V`.
func correlations(_ vs: [Matrix]) -> [Double] { vs.map { $0[0, 1] / ($0[0, 0] * $0[1, 1]).squareRoot() } }

/// A model with a deliberately wrong drift (the correct one times `factor`), the same noise.
struct ScaledDriftSDE: CovarianceSDE {
  let base: any CovarianceSDE
  let factor: Double
  var description: String { "\(base.description), drift ×\(factor)" }
  func gaussianCount(tokens m: Int) -> Int { base.gaussianCount(tokens: m) }
  func diffusion(_ v: Matrix) -> Matrix { base.diffusion(v) }
  func drift(_ v: UnsafePointer<Double>, tokens m: Int, into drift: UnsafeMutablePointer<Double>, workspace: SDEWorkspace) {
    base.drift(v, tokens: m, into: drift, workspace: workspace)
    for k in 0..<(m * m) { drift[k] *= factor }
  }
  func noise(_ v: UnsafePointer<Double>, root: UnsafePointer<Double>, triangular: Bool, tokens m: Int,
             gaussians g: UnsafePointer<Double>, into noise: UnsafeMutablePointer<Double>, workspace: SDEWorkspace) {
    base.noise(v, root: root, triangular: triangular, tokens: m, gaussians: g, into: noise, workspace: workspace)
  }
}

/// Full-depth comparisons at fixed seeds: SDE paths against finite networks of width `n` and
/// depth `d = T·n` from the shared layers (`TokenCovariance`), judged by `CovarianceComparison`
/// (Kolmogorov–Smirnov per statistic, Bonferroni at family-wise 0.1%).
@Suite("Covariance SDEs against finite networks")
struct CovarianceSDETests {
  /// `shaped_relu -> dense(√c)` blocks, as `neural-limits sde` builds them.
  static func mlp(n: Int, d: Int, cPlus: Double, cMinus: Double) throws -> any Layer {
    let c = ShapedReLU(cPlus: cPlus, cMinus: cMinus).normalisation(width: n)
    return try ArchitectureParser.parse("(shaped_relu(c_plus=\(cPlus), c_minus=\(cMinus)) -> dense(w_std=\(c.squareRoot()))) * \(d)")
  }

  static func resnet(n: Int, d: Int, cPlus: Double, cMinus: Double, gamma: Double) throws -> any Layer {
    let c = ShapedReLU(cPlus: cPlus, cMinus: cMinus).normalisation(width: n)
    return try ArchitectureParser.parse("(residual(dense -> shaped_relu(c_plus=\(cPlus), c_minus=\(cMinus)) -> dense(w_std=\(c.squareRoot())), "
      + "scale=\(gamma), skip=\((1 - gamma * gamma).squareRoot()))) * \(d)")
  }

  @Test("Shaped MLP, m = 2, n = d = 100 (seeds 1/2, 1,500 samples each): agree; drift ×2 (a wrong ν) rejected")
  func mlp() throws {
    let v0 = equicorrelated(2, 0.2), settings = SDESettings(time: 1, step: 0.01, paths: 1500, seed: 2)
    let network = try TokenCovariance.simulate(try CovarianceSDETests.mlp(n: 100, d: 100, cPlus: 1, cMinus: -1), initial: v0,
                                               width: 100, samples: 1500, seed: 1)
    let sde = ShapedMLPSDE(cPlus: 1, cMinus: -1)
    let right = try CovarianceComparison(sde: try EulerMaruyama.simulate(sde, initial: v0, settings: settings).finals,
                                         network: network.finals)
    #expect(right.verdict == .agree, "\(right.statistics.map { "\($0.name) p \($0.test.pValue)" })")
    let wrong = try CovarianceComparison(
      sde: try EulerMaruyama.simulate(ScaledDriftSDE(base: sde, factor: 2), initial: v0, settings: settings).finals,
      network: network.finals)
    #expect(wrong.verdict == .disagree, "\(wrong.statistics.map { "\($0.name) p \($0.test.pValue)" })")
  }

  @Test("Shaped ResNet, γ = 0.6, m = 2, n = d = 100: agree; γ² dropped from the drift rejected")
  func resnet() throws {
    let gamma = 0.6, v0 = equicorrelated(2, 0.2), settings = SDESettings(time: 1, step: 0.01, paths: 1500, seed: 4)
    let network = try TokenCovariance.simulate(try CovarianceSDETests.resnet(n: 100, d: 100, cPlus: 1, cMinus: -1, gamma: gamma),
                                               initial: v0, width: 100, samples: 1500, seed: 3)
    let sde = try ShapedResNetSDE(cPlus: 1, cMinus: -1, gamma: gamma)
    let right = try CovarianceComparison(sde: try EulerMaruyama.simulate(sde, initial: v0, settings: settings).finals,
                                         network: network.finals)
    #expect(right.verdict == .agree, "\(right.statistics.map { "\($0.name) p \($0.test.pValue)" })")
    let dropped = ScaledDriftSDE(base: sde, factor: 1 / (gamma * gamma))
    let wrong = try CovarianceComparison(sde: try EulerMaruyama.simulate(dropped, initial: v0, settings: settings).finals,
                                         network: network.finals)
    #expect(wrong.verdict == .disagree, "\(wrong.statistics.map { "\($0.name) p \($0.test.pValue)" })")
  }

  @Test("Shaped attention, m = 3, τ₀ = 1, γ = 0.5, n = d = 100, causal and not: agree (blow-ups counted)",
        arguments: [false, true])
  func attention(_ causal: Bool) throws {
    let gamma = 0.5, v0 = equicorrelated(3, 0.2)
    let block = "residual(shaped_attention(tau0=1, causal=\(causal)), scale=\(gamma), skip=\((1 - gamma * gamma).squareRoot()))"
    let network = try TokenCovariance.simulate(try ArchitectureParser.parse("(\(block)) * 100"), initial: v0, width: 100,
                                               samples: 1000, seed: 5)
    let sde = try EulerMaruyama.simulate(try ShapedAttentionSDE(tau0: 1, gamma: gamma, causal: causal), initial: v0,
                                         settings: SDESettings(time: 1, step: 0.01, paths: 1000, seed: 6))
    #expect(sde.stoppedFraction < 0.05)
    let comparison = try CovarianceComparison(sde: sde.finals, network: network.finals)
    #expect(comparison.verdict == .agree, "\(comparison.statistics.map { "\($0.name) p \($0.test.pValue)" })")
  }

  @Test("The scalar correlation SDE has the matrix SDE's law of ρ (MLP and ResNet; 3,000 paths, KS p ≥ 0.001)")
  func scalar() throws {
    let settings = SDESettings(time: 1, step: 0.01, paths: 3000, seed: 7)
    let mlp = ShapedMLPSDE(cPlus: 1, cMinus: -1), resnet = try ShapedResNetSDE(cPlus: 1, cMinus: -1, gamma: 0.7)
    for (matrix, scalar) in [(mlp as any CovarianceSDE, CorrelationSDE(mlp)), (resnet, CorrelationSDE(resnet))] {
      let a = correlations(try EulerMaruyama.simulate(matrix, initial: equicorrelated(2, 0.2), settings: settings).finals)
      var other = settings
      other.seed = 8
      let b = try scalar.simulate(rho0: 0.2, settings: other)
      #expect(try KolmogorovSmirnov(a, b).pValue >= 1e-3, "\(matrix.description)")
    }
  }

  @Test("The explicit-covariance path (O(m⁶)) and the noise map give the same law (attention, m = 3)")
  func explicit() throws {
    let sde = try ShapedAttentionSDE(tau0: 1, gamma: 0.6)
    let settings = SDESettings(time: 0.5, step: 0.02, paths: 1500, seed: 9)
    var other = settings
    other.seed = 10
    let a = try EulerMaruyama.simulate(sde, initial: equicorrelated(3, 0.3), settings: settings)
    let b = try EulerMaruyama.simulate(ExplicitNoiseSDE(sde), initial: equicorrelated(3, 0.3), settings: other)
    #expect(try CovarianceComparison(sde: a.finals, network: b.finals).verdict == .agree)
  }

  @Test("Each path is a work item: a path's result does not depend on how many paths run; same seed, same numbers")
  func reproducible() throws {
    let sde = try ShapedAttentionSDE(tau0: 1, gamma: 0.5)
    let few = try EulerMaruyama.simulate(sde, initial: equicorrelated(3, 0.2), settings: SDESettings(time: 0.3, step: 0.01, paths: 5, seed: 11))
    let many = try EulerMaruyama.simulate(sde, initial: equicorrelated(3, 0.2), settings: SDESettings(time: 0.3, step: 0.01, paths: 17, seed: 11))
    #expect(Array(many.pathFinals.prefix(5)) == few.pathFinals)
  }

  @Test("Halving dt: ρ's mean moves by < 0.01 at dt = 0.01; the path-wise change shrinks at order ½ to 1 (16× the step: 4× to 16×)")
  func stepConvergence() throws {
    let sde = try ShapedResNetSDE(cPlus: 1, cMinus: -1, gamma: 0.7)
    let fine = try StepConvergence(sde, initial: equicorrelated(2, 0.2), settings: SDESettings(time: 1, step: 0.01, paths: 2000, seed: 12))
    #expect(abs(fine.changes[0].change) < 0.01, "change \(fine.changes[0].change) ± \(fine.changes[0].changeError)")
    let coarse = try StepConvergence(sde, initial: equicorrelated(2, 0.2), settings: SDESettings(time: 1, step: 0.16, paths: 2000, seed: 12))
    // Euler–Maruyama's strong order is at least ½ (and 1 where the noise is nearly commutative):
    // 16 times the step gives 4 to 16 times the path-wise change (measured: 8.7).
    let ratio = coarse.changes[0].rmsChange / fine.changes[0].rmsChange
    #expect(ratio > 3 && ratio < 20, "rms change ratio \(ratio)")
  }

  @Test("Paths that blow up stop and are counted; the others stay finite")
  func blowUp() throws {
    let sde = try ShapedAttentionSDE(tau0: 0.3, gamma: 1)
    let run = try EulerMaruyama.simulate(sde, initial: equicorrelated(3, 0.2),
                                         settings: SDESettings(time: 1, step: 0.005, paths: 300, seed: 13, window: 1e4))
    #expect(run.stoppedFraction > 0 && run.stoppingTimes.allSatisfy { $0 > 0 && $0 <= 1 })
    #expect(run.finals.allSatisfy(\.isFinite) && run.finals.count + run.stoppingTimes.count == 300)
  }

  @Test("Settings out of range are refused with a message")
  func refusals() {
    let sde = ShapedMLPSDE(cPlus: 0, cMinus: -1)
    for settings in [SDESettings(time: 0, step: 0.1, paths: 3), SDESettings(time: 1, step: 0, paths: 3),
                     SDESettings(time: 1, step: 2, paths: 3), SDESettings(time: 1, step: 0.1, paths: 0)] {
      #expect(throws: NeuralLimitsError.self) { try EulerMaruyama.simulate(sde, initial: equicorrelated(2, 0.2), settings: settings) }
    }
    #expect(throws: NeuralLimitsError.self) { try ShapedResNetSDE(cPlus: 0, cMinus: -1, gamma: 1.5) }
    #expect(throws: NeuralLimitsError.self) {
      try EulerMaruyama.simulate(sde, initial: Matrix(rows: 1, columns: 1, repeating: 1), settings: SDESettings(time: 1, step: 0.1, paths: 3))
    }
  }
}

@Suite("Contrast blocks")
struct ContrastBlockTests {
  @Test("Pre-LN softmax attention blocks collapse the tokens' correlation; shaped attention keeps it (n = 64, 60 samples)")
  func preLayerNorm() throws {
    let v0 = equicorrelated(3, 0.2)
    let preLN = try TokenCovariance.simulate(
      try ArchitectureParser.parse("(residual(layernorm -> attention, scale=0.7, skip=0.714)) * 40"), initial: v0, width: 64,
      samples: 60, seed: 31)
    let shaped = try TokenCovariance.simulate(
      try ArchitectureParser.parse("(residual(shaped_attention, scale=0.7, skip=0.714)) * 40"), initial: v0, width: 64,
      samples: 60, seed: 31)
    let mean = { (e: TokenCovariance.Ensemble) in e.meanCorrelations.last!.reduce(0, +) / Double(e.finals.count) }
    #expect(mean(preLN) > 0.9 && abs(mean(shaped) - 0.2) < 0.1, "Pre-LN \(mean(preLN)), shaped \(mean(shaped))")
    // Softmax attention has a backward pass: kernel Monte Carlo gives its empirical NTK too.
    let kernels = try MonteCarlo.kernels(try ArchitectureParser.parse("dense -> attention"), monteCarloInputs,
                                         settings: MonteCarloSettings(width: 8, samples: 2, kinds: [.nngp, .ntk]))
    #expect(kernels.ntk?.mean.isFinite == true)
  }
}
