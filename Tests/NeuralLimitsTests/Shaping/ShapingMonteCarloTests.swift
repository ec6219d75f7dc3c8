import Foundation
import Testing
@testable import NeuralLimits

@Suite("TAT: finite-width networks against the predicted output correlation")
struct ShapingMonteCarloTests {
  /// `(dense -> tat_leaky_relu(eta=0.9, depth=20)) * 20 -> dense` on two inputs with `q = 1` and
  /// `c = 0`: the theory's output correlation is `C_f(0) = η = 0.9`. 64 networks of width 512,
  /// seed 11: the kernel by the compare verdict, and each network's own output correlation
  /// (mean ± standard error over the networks) within the two-sided Student-t threshold at level
  /// 0.1% of 0.9 — and beyond it for a wrong prediction 0.02 lower.
  @Test("output correlation 0.9 at c = 0 (seed 11, width 512, 64 samples); 0.88 rejected")
  func tatCorrelation() throws {
    let network = try ArchitectureParser.parse("(dense -> tat_leaky_relu(eta=0.9, depth=20)) * 20 -> dense")
    let x = try Matrix([[sqrt(2.0), 0], [0, sqrt(2.0)]])
    let settings = MonteCarloSettings(width: 512, samples: 64, seed: 11, kinds: .nngp, correlations: true)
    let comparison = try TheoryVersusSimulation.compare(network, x, settings: settings)[0]
    #expect(abs(comparison.theory.kernelCorrelation(0, 1) - 0.9) < 1e-12)
    #expect(abs(comparison.theory[0, 0] - 1) < 1e-12)
    #expect(comparison.verdict == .agree, "max|z| \(comparison.maxAbsZ) threshold \(comparison.threshold)")
    let correlation = try #require(comparison.simulation.correlation)
    let (mean, se) = (correlation.mean[0, 1], correlation.standardError[0, 1])
    let threshold = KernelComparison.bonferroniThreshold(entries: 1, level: 1e-3, degreesOfFreedom: 63)
    #expect(abs(mean - 0.9) / se <= threshold, "correlation \(mean) ± \(se), threshold \(threshold)")
    #expect(abs(mean - 0.88) / se > threshold, "correlation \(mean) ± \(se), threshold \(threshold)")
  }
}
