import Foundation
import Testing
@testable import NeuralLimits

/// Impossible sizes are one-line errors before any allocation, never a crash.
@Suite("Impossible sizes are refused before anything is allocated")
struct MemoryBudgetTests {
  @Test("An ensemble of 10⁸ members of width 10⁸ is a resources error naming the parameters")
  func ensemble() throws {
    let data = try randomRegression(n: 4, m: 2, d: 2, seed: 1)
    let network = try ArchitectureParser.parse("dense -> erf -> dense")
    #expect {
      try FiniteEnsemble(network, data: data, mode: .ensemble, noiseVariance: 0,
                         settings: EnsembleSettings(members: 100_000_000, width: 100_000_000, steps: 1, learningRate: 1))
    } throws: { error in
      guard case NeuralLimitsError.resources(let message) = error else { return false }
      return message.contains("300000000 parameters each")
    }
  }

  @Test("Signal propagation on 10⁹ tokens is a resources error, in theory and in simulation")
  func tokens() throws {
    let network = try ArchitectureParser.parse("espa(gamma_final=0.16) -> dense")
    #expect(throws: NeuralLimitsError.self) { try SignalPropagationProfile.theory(network, tokens: 1_000_000_000) }
    #expect(throws: NeuralLimitsError.self) {
      try SignalPropagationProfile.simulate(network, tokens: 200, width: 100_000_000, samples: 1_000_000, seed: 0)
    }
  }

  @Test("Kernels of 300,000 inputs and a posterior on 200,000 are resources errors naming the sizes")
  func kernelsAndPosterior() throws {
    let network = try ArchitectureParser.parse("dense -> erf -> dense")
    let x = randomMatrix(300_000, 2, seed: 2)
    #expect {
      try network.kernels(x, get: [.nngp])
    } throws: { error in
      guard case NeuralLimitsError.resources(let message) = error else { return false }
      return message.contains("the NNGP of 300000 × 300000 inputs")
    }
    #expect {
      try PredictiveKernels(network, train: x.rows(0..<200_000), test: x.rows(0..<3), mode: .ntkgp)
    } throws: { error in
      guard case NeuralLimitsError.resources(let message) = error else { return false }
      return message.contains("200000 training and 3 test inputs")
    }
  }

  @Test("Kernel shaping: depth beyond the architecture language's limit is refused; a deep DKS chain still solves")
  func shapingDepth() throws {
    #expect(throws: NeuralLimitsError.self) { try GlobalMap.chain(depth: ArchitectureParser.maximumLayers + 1, activation: ReLU()) }
    // At depth L the local slope is ζ^{1/L} (dense layers leave c alone): ξ^L = ζ to the solver's
    // 1e-15 in ξ, amplified L-fold.
    let depth = 50_000
    let xi = try DKS.localSlopeTarget(zeta: 1.5, network: GlobalMap.chain(depth: depth, activation: ReLU()))
    #expect(abs(pow(xi, Double(depth)) / 1.5 - 1) < 1e-9, "ξ = \(xi)")
  }
}
