import Foundation
import Testing
@testable import NeuralLimits

/// The transformer blocks of *Simplifying Transformer Blocks* (He & Hofmann 2023) and *Deep
/// Transformers without Shortcuts* (He et al. 2023), written in the architecture language
/// (README, "Blocks"), against finite networks by the compare verdict rule.
@Suite("Transformer blocks: SAS, SAS-P, Value-SkipInit, skipless E-SPA/U-SPA")
struct TransformerBlockTests {
  /// The MLP sub-block of the skipless blocks: leaky ReLU of slope 0.9 between dense layers, the
  /// second of scale √(2/(1 + 0.9²)) so that the sub-block keeps the variance.
  static let mlp = "dense -> leaky_relu(alpha=0.9) -> dense(w_std=1.0512)"
  /// SAS: `x ↦ a + 0.1·MLP(LN(a))`, `a = ShapedAttn(LN(x))` (no attention skip).
  static let sas = "layernorm -> shaped_attention(q_std=0) -> residual(layernorm -> dense -> relu -> dense, scale=0.1)"
  /// SAS-P: `x ↦ ShapedAttn(LN(x)) + 0.1·MLP(LN(x))` (no skip at all).
  static let sasP = "layernorm -> parallel(shaped_attention(q_std=0), residual(dense -> relu -> dense, scale=0.1, skip=0))"

  // Monte Carlo: `AttentionKernelTests.settings` — width 256, 64 networks, seed 11, NNGP (attention
  // has no backward pass here), two sequences of four tokens: noise per entry ~1/√(nS) ≈ 0.8%, the
  // threshold the Bonferroni 99.9% quantile over the 36 distinct entries (`KernelComparison`).

  @Test("Each block, causal or not, agrees with its kernel by the verdict rule", arguments: [
    "dense -> (\(sas)) * 3 -> dense",
    "dense -> (\(sas.replacingOccurrences(of: "q_std=0", with: "q_std=0, causal=true"))) * 2 -> dense",
    "dense -> (\(sasP)) * 3 -> dense",
    "dense -> (shaped_attention(causal=true) -> residual(dense -> relu -> dense, scale=0.3)) * 2 -> dense",
    "dense -> (value_skipinit(alpha=1, beta=0.5) -> \(mlp)) * 2 -> dense",
    "dense -> (value_skipinit(alpha=0.6, beta=0.8, causal=true) -> \(mlp)) * 2 -> dense",
    "dense -> (espa(gamma_final=0.3, causal=true) -> \(mlp)) * 3 -> dense",
    "dense -> (uspa(rho_final=0.6) -> \(mlp)) * 3 -> dense",
  ])
  func agrees(_ arch: String) throws { try AttentionKernelTests.expectAgreement(arch) }

  @Test("A wrong SAS theory (shaped attention without its centring C) is rejected")
  func rejectsWrongTheory() throws {
    let wrong = Self.sas.replacingOccurrences(of: "q_std=0", with: "q_std=0, gamma=0")
    #expect(try AttentionKernelTests.verdict(theory: "dense -> (\(wrong)) * 2 -> dense", simulated: "dense -> (\(Self.sas)) * 2 -> dense")
      == .disagree)
  }

  @Test("At W_Q = 0 shaped attention is the identity (I + C − C): SAS and SAS-P keep Σ₀ = I up to the MLP's small term")
  func shapedAttentionIsIdentityAtInitialisation() throws {
    let m = 8
    for block in [Self.sas, Self.sasP] {
      let profile = try SignalPropagationProfile.theory(try ArchitectureParser.parse("dense -> (\(block)) * 32"), tokens: m)
      // ReLU's C-map moves a correlation c = 0 to 1/π per MLP; weighted 0.1² against the
      // skip's 1 it adds ≈ 0.01·(1/π)/(1.01) per block at first.
      #expect(profile.last!.meanCorrelation > 0 && profile.last!.meanCorrelation < 0.15)
      #expect(profile.last!.effectiveRank > 0.9 * Double(m))
    }
  }

  @Test("Rank collapse: skipless uniform attention stacks reach correlation 1, E-SPA/U-SPA/Value-SkipInit do not (depth 32)")
  func rankCollapse() throws {
    let m = 8
    func final(_ attention: String) throws -> TokenKernelSummary {
      try SignalPropagationProfile.theory(try ArchitectureParser.parse("(\(attention) -> \(Self.mlp)) * 32"), tokens: m).last!
    }
    #expect(try final("attention(q_std=0)").meanCorrelation > 1 - 1e-12)
    #expect(try final("attention(q_std=0, causal=true)").meanCorrelation > 0.9999)
    // The targets' mean correlations (exp(−0.005|i−j|) over 8 tokens: 0.9826; ρ_L = 0.8), plus
    // what the 32 MLPs' own leaky-ReLU C-maps add (0.054 from c = 0, measured on Value-SkipInit).
    #expect(abs(try final("espa(gamma_final=0.005, causal=true)").meanCorrelation - 0.9826) < 0.01)
    #expect(abs(try final("uspa(rho_final=0.8)").meanCorrelation - 0.8) < 0.02)
    #expect(try final("value_skipinit(alpha=1, beta=0)").meanCorrelation < 0.06)
  }
}
