import Foundation
import Testing
@testable import NeuralLimits

/// `fixed_attention(file=…)`: a given attention matrix, read by the strict readers.
@Suite("Fixed attention matrices from files")
struct FixedAttentionTests {
  /// A causal-compatible 4 × 4 matrix with non-negative entries.
  static let matrix = try! Matrix([[1, 0, 0, 0], [0.3, 0.7, 0, 0], [0.2, 0.2, 0.6, 0], [0.1, 0.4, 0.1, 0.4]])

  @Test("A matrix from CSV or .npy acts as A·Σ·Aᵀ, and Monte Carlo agrees for both kernels")
  func agrees() throws {
    let folder = temporaryFolder()
    try CSV.write(Self.matrix, to: folder + "/A.csv")
    try NPY.write(Self.matrix, to: folder + "/A.npy")
    for file in ["A.csv", "A.npy"] {
      let spec = "fixed_attention(file=\"\(folder)/\(file)\", causal=true)"
      let layer = try #require(try ArchitectureParser.parse(spec).graph.primitives.first as? Attention)
      #expect(layer.specification == spec)
      let x = orthonormalTokens(4)
      let kernel = try layer.kernels(x, get: [.nngp], tokens: 4).nngp
      #expect(kernel.maxAbsDifference(Self.matrix * Self.matrix.transposed) < 1e-14)
    }
    let network = try ArchitectureParser.parse("dense -> relu -> fixed_attention(file='\(folder)/A.csv', v_std=1.2) -> dense")
    let settings = MonteCarloSettings(width: 256, samples: 64, seed: 17, readoutWidth: 2, kinds: [.nngp, .ntk], tokens: 4)
    for comparison in try TheoryVersusSimulation.compare(network, sequenceInputs, settings: settings) {
      #expect(comparison.verdict == .agree, "\(comparison.name): max|z| \(comparison.maxAbsZ) > \(comparison.threshold)")
    }
  }

  @Test("Missing, non-square, non-finite, negative, wrongly sized or unquoted matrices are refused in one line")
  func refusals() throws {
    let folder = temporaryFolder()
    try "1,0\n0,1\n0,0\n".write(toFile: folder + "/tall.csv", atomically: true, encoding: .utf8)
    try "1,nan\n0,1\n".write(toFile: folder + "/nan.csv", atomically: true, encoding: .utf8)
    try "1,-0.5\n0,1\n".write(toFile: folder + "/negative.csv", atomically: true, encoding: .utf8)
    try CSV.write(Matrix.identity(3), to: folder + "/three.csv")
    func message(_ spec: String, tokens: Int = 2) -> String {
      do {
        _ = try ArchitectureParser.parse(spec).kernels(orthonormalTokens(tokens), tokens: tokens)
        return "accepted"
      } catch { return "\(error)" }
    }
    let cases: [(String, String)] = [
      ("fixed_attention(file=\"\(folder)/none.csv\")", "none.csv"),
      ("fixed_attention(file=\"\(folder)/tall.csv\")", "is 3 × 2, not a square attention matrix"),
      ("fixed_attention(file=\"\(folder)/nan.csv\")", "fixed_attention's \(folder)/nan.csv: a non-finite entry"),
      ("fixed_attention(file=\"\(folder)/negative.csv\")", "entrywise positivity fails"),
      ("fixed_attention(file=\"\(folder)/three.csv\")", "the attention matrix is 3 × 3, the sequences have 2 tokens"),
      ("fixed_attention(file=A)", "expected a quoted path for file"),
      ("fixed_attention(file=\"unterminated)", "expected a value for file"),
      ("fixed_attention", "fixed_attention needs file="),
      ("dense(w_std=\"1\")", "expected a number or a name for w_std"),
    ]
    for (spec, expected) in cases {
      let text = message(spec)
      #expect(text.contains(expected) && !text.contains("\n"), "\(spec): \(text)")
    }
  }
}
