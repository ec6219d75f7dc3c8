import Foundation
import Testing
@testable import NeuralLimits

/// One block of a wide finite network against the SDE's drift and diffusion: `X` with columns
/// independent `N(0, V)` (`X = L·G`), `ΔV = X'X'ᵀ/n − XXᵀ/n` over fresh draws; then
/// `n·E[ΔV] ≈ b(V)` and `n·Cov(ΔV) ≈ Σ(V)`, up to `O(n^{−1/2})` relative corrections.
@Suite("One step of a wide network against drift and diffusion")
struct OneStepTests {
  /// `count` increments `ΔV` (as `m × m` matrices) of `block` at width `n` from `V`.
  static func increments(_ block: String, v: Matrix, width n: Int, count: Int, seed: UInt64) throws -> [Matrix] {
    let network = try FiniteNetwork(try ArchitectureParser.parse(block).graph, inputWidth: n, width: n, readoutWidth: n)
    let lower = try Cholesky(v).lower
    let workspace = SamplingWorkspace()
    return try (0..<count).map { s in
      let random = RandomStream(seed: seed, stream: UInt64(s))
      let x = lower * (try Matrix(rows: v.rows, columns: n, elements: random.gaussians(v.rows * n)))
      let y = network.sample(x, tokens: v.rows, random: random, workspace: workspace)
      return TokenCovariance.gram(y) - TokenCovariance.gram(x)
    }
  }

  /// `n·mean` and `n·covariance` (over all `m²` entries) of the increments.
  static func moments(_ increments: [Matrix], width n: Int) -> (mean: Matrix, covariance: Matrix) {
    let m = increments[0].rows, k = Double(increments.count)
    var mean = Matrix(rows: m, columns: m)
    for d in increments { mean = mean + d }
    mean = (1 / k) * mean
    var covariance = Matrix(rows: m * m, columns: m * m)
    for d in increments {
      let c = d - mean
      for a in 0..<(m * m) { for b in 0..<(m * m) { covariance[a, b] += c.elements[a] * c.elements[b] } }
    }
    return (Double(n) * mean, (Double(n) / (k - 1)) * covariance)
  }

  static let v = try! Matrix([[1, 0.3, -0.2], [0.3, 1.5, 0.4], [-0.2, 0.4, 0.8]])

  @Test("Shaped ReLU layer (c± = ±2, n = 256, 12,000 draws, seed 21): n·E[ΔV] = c·b_ReLU within 4σ; n·Cov(ΔV) = Σ_lin within 4σ + 6%")
  func mlp() throws {
    let n = 256
    let relu = ShapedReLU(cPlus: 2, cMinus: -2)
    let c = relu.normalisation(width: n)
    let increments = try OneStepTests.increments("shaped_relu(c_plus=2, c_minus=-2) -> dense(w_std=\(c.squareRoot()))",
                                                 v: OneStepTests.v, width: n, count: 12000, seed: 21)
    let (mean, covariance) = OneStepTests.moments(increments, width: n)
    let sde = ShapedMLPSDE(cPlus: 2, cMinus: -2)
    let exactCovariance = sde.diffusion(OneStepTests.v)
    var drift = [Double](repeating: 0, count: 9)
    OneStepTests.v.elements.withUnsafeBufferPointer { pv in
      drift.withUnsafeMutableBufferPointer { sde.drift(pv.baseAddress!, tokens: 3, into: $0.baseAddress!, workspace: SDEWorkspace(tokens: 3, gaussianCount: 6)) }
    }
    for a in 0..<9 {
      // The exact finite-n mean is c·b (c = 2/(s₊² + s₋²)); the standard error from Σ_lin.
      let error = (exactCovariance[a, a] * Double(n) / 12000).squareRoot()
      #expect(abs(mean.elements[a] - c * drift[a]) <= 4 * error, "entry \(a): \(mean.elements[a]) vs \(c * drift[a]) ± \(error)")
    }
    let relative = (covariance - exactCovariance).frobeniusNorm / exactCovariance.frobeniusNorm
    #expect(relative < 4 * (2.0 / 12000).squareRoot() + 0.06, "covariance off by \(relative)")
    // The drift is really there: without it the means are off by more than 4σ somewhere.
    #expect((0..<9).contains { abs(mean.elements[$0]) > 4 * (exactCovariance[$0, $0] * Double(n) / 12000).squareRoot() })
  }

  @Test("Shaped attention block (τ₀ = 0.5, γ = 0.8, n = 400, 12,000 draws, seed 22): n·Cov(ΔV) = γ²(2−γ²)Σ_lin + γ⁴τ₀⁻²𝒜 within 4σ + 6%, not without 𝒜",
        arguments: [false, true])
  func attention(_ causal: Bool) throws {
    let n = 400, gamma = 0.8, tau0 = 0.5
    let block = "residual(shaped_attention(tau0=\(tau0), causal=\(causal)), scale=\(gamma), skip=\((1 - gamma * gamma).squareRoot()))"
    let increments = try OneStepTests.increments(block, v: OneStepTests.v, width: n, count: 12000, seed: 22)
    let covariance = OneStepTests.moments(increments, width: n).covariance
    let sde = try ShapedAttentionSDE(tau0: tau0, gamma: gamma, causal: causal)
    let exact = sde.diffusion(OneStepTests.v)
    let linearOnly = LinearNoise.covariance(OneStepTests.v, scale: (gamma * gamma * (2 - gamma * gamma)).squareRoot())
    let tolerance = 4 * (2.0 / 12000).squareRoot() + 0.06
    let relative = (covariance - exact).frobeniusNorm / exact.frobeniusNorm
    #expect(relative < tolerance, "covariance off by \(relative)")
    let withoutAttention = (covariance - linearOnly).frobeniusNorm / exact.frobeniusNorm
    #expect(withoutAttention > tolerance, "Σ_lin alone is off by only \(withoutAttention)")
  }

  @Test("The first tokens have X₀X₀ᵀ/n = V₀ to 1e-12, and sampled dense outputs have Gram w²·XXᵀ/n_in in the mean (4σ)")
  func startAndSampling() throws {
    let v0 = equicorrelated(4, 0.3)
    let x0 = try TokenCovariance.initialTokens(v0, width: 50, random: RandomStream(seed: 23))
    #expect(TokenCovariance.gram(x0).maxAbsDifference(v0) < 1e-12)
    // Dense(w = 1.3) on x0: out·outᵀ/n_out has mean w²·x0x0ᵀ/n_in = w²·V0 and entry variance w⁴Σ_lin/n_out.
    let dense = Dense(wStd: 1.3)
    var out = Matrix(rows: 0, columns: 0)
    var total = Matrix(rows: 4, columns: 4)
    let draws = 2000
    for s in 0..<draws {
      dense.sampleForward(x0, outputWidth: 30, tokens: 4, random: RandomStream(seed: 24, stream: UInt64(s)), into: &out,
                          scratch: SamplingScratch())
      total = total + TokenCovariance.gram(out)
    }
    let mean = (1 / Double(draws)) * total
    for i in 0..<4 {
      for j in 0..<4 {
        let expected = 1.69 * v0[i, j]
        let error = 1.69 * ((v0[i, i] * v0[j, j] + v0[i, j] * v0[i, j]) / 30 / Double(draws)).squareRoot()
        #expect(abs(mean[i, j] - expected) <= 4 * error, "(\(i), \(j)) \(mean[i, j]) vs \(expected)")
      }
    }
  }
}
