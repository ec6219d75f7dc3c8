import Testing
@testable import NeuralLimits

/// The empirical NTK of sequence networks with attention (per-sequence cotangents) against the
/// analytic `Θ' = A₀·(w²Σ + w²Θ)·A₀ᵀ`, by the compare verdict rule.
@Suite("Attention NTK on sequences: Monte Carlo against theory")
struct AttentionNTKTests {
  /// Width 256, 64 networks, seed 13, both kernels, 2 sequences of 4 tokens, two outputs.
  static let settings = MonteCarloSettings(width: 256, samples: 64, seed: 13, readoutWidth: 2, kinds: [.nngp, .ntk],
                                           tokens: 4)

  @Test("NNGP and NTK agree for every kernel-exact attention variant and block", arguments: [
    "dense -> attention(q_std=0) -> dense",
    "dense -> relu -> attention(q_std=0, causal=true, v_std=1.3) -> dense",
    "dense -> shaped_attention(q_std=0) -> dense",
    "dense -> shaped_attention(causal=true) -> relu -> dense",
    "dense -> value_skipinit(alpha=0.8, beta=0.6) -> erf -> dense",
    "(dense -> espa(gamma_final=0.2, causal=true)) * 3 -> dense",
    "(dense -> uspa(rho_final=0.6)) * 2 -> dense",
    // Heads: the same kernel as one head (AttentionHeads.swift).
    "dense -> attention(q_std=0, heads=4) -> dense",
    "dense -> shaped_attention(causal=true, heads=2) -> relu -> dense",
    "dense -> residual(layernorm -> attention(q_std=0) -> dense, scale=0.5) -> residual(layernorm -> dense -> relu -> dense, scale=0.5) -> dense",
  ])
  func agrees(_ arch: String) throws {
    let network = try ArchitectureParser.parse(arch)
    let comparisons = try TheoryVersusSimulation.compare(network, sequenceInputs, settings: Self.settings)
    #expect(comparisons.map(\.name) == ["nngp", "ntk"])
    for comparison in comparisons {
      #expect(comparison.verdict == .agree,
              "\(arch) \(comparison.name): max|z| \(comparison.maxAbsZ) > \(comparison.threshold), rel. error \(comparison.relativeFrobeniusError)")
    }
  }

  @Test("The right NTK agrees and a deliberately wrong one is rejected (the attention layer's map without A₀)")
  func rejectsWrongNTK() throws {
    let arch = "dense -> attention(q_std=0, causal=true) -> dense"
    let theory = try ArchitectureParser.parse(arch).kernels(sequenceInputs, get: [.nngp, .ntk], tokens: 4)
    let simulation = try MonteCarlo.kernels(try ArchitectureParser.parse(arch), sequenceInputs, settings: Self.settings)
    let right = KernelComparison(name: "ntk", theory: try #require(theory.ntk), simulation: try #require(simulation.ntk),
                                 symmetric: true, biasScale: 2 / 256)
    #expect(right.verdict == .agree)
    // The same network with attention's A₀ left out (a bias-free dense layer in its place).
    let unmixed = try ArchitectureParser.parse("dense -> dense(b_std=0) -> dense").kernels(sequenceInputs, get: [.ntk], tokens: 4)
    let wrong = KernelComparison(name: "ntk", theory: try #require(unmixed.ntk), simulation: try #require(simulation.ntk),
                                 symmetric: true, biasScale: 2 / 256)
    #expect(wrong.verdict == .disagree)
  }
}
