import Foundation
import Testing
@testable import NeuralLimits

/// Two sequences of four tokens in three dimensions, input-major (row `i·4 + a`).
let sequenceInputs = try! Matrix([
  [1, 0.5, -0.3], [0.2, -1, 0.8], [-0.7, 0.4, 0.1], [0.3, 0.3, 1.2],
  [1.1, -0.2, 0.4], [-0.5, 0.9, 0.3], [0.6, 0.1, -1.0], [0.0, -0.8, 0.5],
])

/// `m` orthogonal tokens of squared norm `m` in `m` dimensions: `Σ₀ = x·xᵀ/m = I` exactly.
func orthonormalTokens(_ m: Int) -> Matrix { Double(m).squareRoot() * Matrix.identity(m) }

@Suite("Attention on sequences: kernel maps, E-SPA/U-SPA, rank collapse")
struct AttentionKernelTests {
  /// Width 256, 64 networks, seed 11; NNGP only (the NTK: `AttentionNTKTests`). The noise per
  /// entry is ~1/√(nS) ≈ 0.8%, the threshold the Bonferroni 99.9% quantile over 36 entries.
  static let settings = MonteCarloSettings(width: 256, samples: 64, seed: 11, readoutWidth: 2, kinds: [.nngp], tokens: 4)

  @Test("Every attention variant and block agrees with its kernel by the verdict rule", arguments: [
    "dense -> attention(q_std=0) -> dense",
    "dense -> relu -> attention(q_std=0, causal=true, v_std=1.3) -> dense",
    "dense -> shaped_attention(q_std=0) -> dense",
    "dense -> shaped_attention(causal=true) -> relu -> dense",
    "dense -> value_skipinit(alpha=0.8, beta=0.6) -> dense",
    "(dense -> espa(gamma_final=0.2, causal=true)) * 3 -> dense",
    "(dense -> espa(gamma_final=0.2)) * 2 -> dense",
    "(dense -> uspa(rho_final=0.6, causal=true)) * 2 -> dense",
    "(dense -> uspa(rho_final=0.6)) * 2 -> dense",
    // Pre-LN, Post-LN and parallel blocks with residual gains.
    "dense -> residual(layernorm -> attention(q_std=0) -> dense, scale=0.5) -> residual(layernorm -> dense -> relu -> dense, scale=0.5) -> dense",
    "dense -> residual(attention(q_std=0, causal=true) -> dense, scale=0.7) -> dense -> layernorm -> dense",
    "dense -> residual(parallel(attention(q_std=0) -> dense, dense -> relu -> dense), scale=0.6) -> dense",
  ])
  func agrees(_ arch: String) throws { try Self.expectAgreement(arch) }

  /// Theory against `settings`' networks for `arch`: every kernel's verdict must be agree.
  static func expectAgreement(_ arch: String) throws {
    let network = try ArchitectureParser.parse(arch)
    for comparison in try TheoryVersusSimulation.compare(network, sequenceInputs, settings: settings) {
      #expect(comparison.verdict == .agree,
              "\(comparison.name): max|z| \(comparison.maxAbsZ) > \(comparison.threshold), rel. error \(comparison.relativeFrobeniusError)")
    }
  }

  /// The NNGP verdict of `theory`'s kernel against `simulated`'s networks.
  static func verdict(theory: String, simulated: String) throws -> Verdict {
    let kernels = try ArchitectureParser.parse(theory).kernels(sequenceInputs, get: [.nngp], tokens: 4)
    let simulation = try MonteCarlo.kernels(try ArchitectureParser.parse(simulated), sequenceInputs, settings: settings)
    return KernelComparison(name: "nngp", theory: kernels.nngp, simulation: simulation.nngp, symmetric: true,
                            biasScale: 2 / 256).verdict
  }

  @Test("A deliberately wrong attention theory is rejected (uniform simulated, uniform-causal theory)")
  func rejectsWrongTheory() throws {
    #expect(try Self.verdict(theory: "dense -> attention(q_std=0, causal=true) -> dense",
                             simulated: "dense -> attention(q_std=0) -> dense") == .disagree)
  }

  @Test("Uniform-causal attention from Σ₀ = I has diagonal 1/i after one layer (exact)")
  func causalDiagonal() throws {
    let m = 6
    let state = try Attention(name: "attention", alpha: 0, beta: 1, gamma: 0, shapedTemperature: false, causal: true,
                              queryStd: 0).kernels(orthonormalTokens(m), get: [.nngp], tokens: m)
    for a in 0..<m {
      #expect(abs(state.nngp[a, a] - 1 / Double(a + 1)) < 1e-15)
      for b in 0..<m { #expect(abs(state.nngp[a, b] - 1 / Double(max(a, b) + 1)) < 1e-15) }
    }
    #expect(try TokenKernelSummary(state.nngp, tokens: m).diagonal.enumerated().allSatisfy { abs($1 - 1 / Double($0 + 1)) < 1e-15 })
  }

  @Test("E-SPA and U-SPA matrices reproduce their targets, causal and not", arguments: [
    SignalPropagationAttention.exponential(gammaFinal: 0.005), .exponential(gammaFinal: 0.3),
    .uniform(rhoFinal: 0.8), .uniform(rhoFinal: 0.3),
  ], [false, true])
  func reproducesTargets(_ spa: SignalPropagationAttention, causal: Bool) throws {
    for l in [1, 2, 16, 32] {
      #expect(try spa.reproductionError(layer: l, depth: 32, tokens: 8, causal: causal) < 1e-10)
    }
    // The whole stack from Σ₀ = I ends at Σ_L, through the layers' own D and B.
    let m = 8
    let arch = "(\(spa.name)(\(spa.specificationArgument), causal=\(causal))) * 32"
    let state = try ArchitectureParser.parse(arch).kernels(orthonormalTokens(m), get: [.nngp], tokens: m)
    #expect(state.nngp.maxAbsDifference(spa.target(layer: 32, depth: 32, tokens: m)) < 1e-9)
  }

  @Test("Rank collapse: uniform attention stacks go to correlation 1 and rank 1; E-SPA, U-SPA and shaped attention do not")
  func rankCollapse() throws {
    let m = 8, x = orthonormalTokens(m)
    func summary(_ arch: String) throws -> TokenKernelSummary {
      try TokenKernelSummary(try ArchitectureParser.parse(arch).kernels(x, get: [.nngp], tokens: m).nngp, tokens: m)
    }
    let vanilla = try summary("(dense -> relu -> dense -> attention(q_std=0)) * 32")
    #expect(vanilla.meanCorrelation > 1 - 1e-12)
    #expect(vanilla.effectiveRank < 1 + 1e-6)
    for arch in ["(espa(gamma_final=0.2, causal=true) -> dense) * 32", "(uspa(rho_final=0.8) -> dense) * 32",
                 "(shaped_attention -> dense) * 32"] {
      let s = try summary(arch)
      #expect(s.meanCorrelation < 0.9, "\(arch): \(s.meanCorrelation)")
      #expect(s.effectiveRank > 1.5, "\(arch): \(s.effectiveRank)")
    }
  }

  @Test("Settings without an exact kernel, and malformed sequences, are refused with one-line errors")
  func refusals() throws {
    #expect(throws: NeuralLimitsError.self) { try ArchitectureParser.parse("dense -> attention").kernels(sequenceInputs, tokens: 4) }
    #expect(throws: NeuralLimitsError.self) { try ArchitectureParser.parse("espa").kernels(sequenceInputs, tokens: 4) }
    #expect(throws: NeuralLimitsError.self) { try ArchitectureParser.parse("dense").kernels(sequenceInputs, tokens: 3) }
    #expect(throws: NeuralLimitsError.self) { try ArchitectureParser.parse("uspa(rho_final=1, layer=1, depth=2)") }
    #expect(throws: NeuralLimitsError.self) { try ArchitectureParser.parse("espa(layer=3, depth=2)") }
    // A matrix with a negative visible entry has no D·softmax(B) realisation.
    let negative = try Matrix([[1, -0.2], [0.3, 0.7]])
    let fixed = Attention(name: "fixed_attention", alpha: 0, beta: 1, gamma: 0, shapedTemperature: false, queryStd: 0,
                          pattern: .fixed(negative))
    #expect(throws: NeuralLimitsError.self) { try fixed.kernels(orthonormalTokens(2), tokens: 2) }
  }

  @Test("A fixed attention matrix given as data acts as A·Σ·Aᵀ on both sides")
  func fixedMatrix() throws {
    let a = try Matrix([[0.5, 0.5, 0], [0.2, 0.3, 0.5], [0, 0.1, 0.9]])
    let layer = Attention(name: "fixed_attention", alpha: 0, beta: 1, gamma: 0, shapedTemperature: false, queryStd: 0,
                          pattern: .fixed(a))
    #expect(try layer.zeroLogitMatrix(tokens: 3).maxAbsDifference(a) < 1e-15)
    let x = orthonormalTokens(3)
    #expect(try layer.kernels(x, get: [.nngp], tokens: 3).nngp.maxAbsDifference(a * a.transposed) < 1e-15)
  }

  @Test("Kernels between two sets of sequences are the cross block of the joint kernel")
  func crossKernels() throws {
    let network = try ArchitectureParser.parse("dense -> relu -> attention(q_std=0, causal=true) -> dense -> erf")
    let x1 = sequenceInputs.rows(0..<4), x2 = sequenceInputs.rows(4..<8)
    let joint = try network.kernels(sequenceInputs, tokens: 4)
    let cross = try network.kernels(x1, x2, tokens: 4)
    for i in 0..<4 {
      for j in 0..<4 {
        #expect(abs(cross.nngp[i, j] - joint.nngp[i, 4 + j]) < 1e-14)
        #expect(abs(cross.ntk![i, j] - joint.ntk![i, 4 + j]) < 1e-14)
      }
    }
  }
}

extension SignalPropagationAttention {
  /// `gamma_final=…` or `rho_final=…`, as the architecture language writes it.
  var specificationArgument: String {
    switch self {
    case .exponential(let g): return "gamma_final=\(g)"
    case .uniform(let r): return "rho_final=\(r)"
    }
  }
}
