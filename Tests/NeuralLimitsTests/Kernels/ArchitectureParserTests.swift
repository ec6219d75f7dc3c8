import Foundation
import Testing
@testable import NeuralLimits

@Suite("Architecture language")
struct ArchitectureParserTests {
  @Test("Valid specifications parse", arguments: [
    "relu", "dense", "(dense(w_std=1.5, b_std=0.05) -> relu) * 10 -> dense(w_std=1.5, b_std=0.05)",
    "residual(dense -> relu -> dense, scale=0.5)", "(residual(relu -> dense, scale=1/sqrt(L))) * 4",
    "(residual(relu -> dense, scale=decreasing(alpha=0.75))) * 4", "parallel(dense -> relu, dense -> erf)",
    "dense(parameterization=standard, width=3, w_std=2)", "(dense -> (relu -> dense) * 2) * 2", "dense(b_std=1e-3)",
  ])
  func parses(_ spec: String) throws {
    _ = try ArchitectureParser.parse(spec)
  }

  @Test("Errors name the column and the problem", arguments: [
    ("dense -> rleu", "column 10: unknown layer 'rleu' (did you mean 'relu'?)"),
    ("dense relu", "column 7: expected '->' or the end of the architecture, found 'relu'"),
    ("(dense -> relu) * 0", "column 19: the repetition count must be at least 1, found 0"),
    ("(dense -> relu) * x", "column 19: expected a whole number of repetitions after '*', found 'x'"),
    ("dense(w_std=-1)", "column 1: dense(w_std=-1): w_std must be a real in [0.0, inf)"),
    ("leaky_relu(alpha=2)", "column 1: leaky_relu(alpha=2): alpha must be a real in [0.0, 1.0]"),
    ("dense(w_sd=1)", "column 1: dense has no parameter 'w_sd' (it takes w_std, b_std, parameterization, width)"),
    ("dense(w_std=1, w_std=2)", "column 16: dense sets 'w_std' twice"),
    ("relu(alpha=1)", "column 1: relu has no parameter 'alpha' (it takes none)"),
    ("(dense -> relu", "column 15: expected ')', found the end"),
    ("residual(dense, scale=big)", "column 23: expected a scale: a number, 1/sqrt(L) or decreasing, found 'big'"),
    ("parallel(dense)", "parallel needs at least two branches separated by ','"),
    ("dense(parameterization=mean_field)", "parameterization must be a ntk|standard"),
    ("dense -> ", "column 10: expected a layer name or '(', found the end"),
    ("dense -> $", "column 10: expected a layer name or '(', found '$'"),
    ("monomial(degree=1.5)", "degree must be a integer in [0, 10]"),
  ])
  func rejects(_ example: (spec: String, message: String)) {
    do {
      _ = try ArchitectureParser.parse(example.spec)
      Issue.record("\(example.spec) parsed")
    } catch {
      #expect("\(error)".contains(example.message), "\(error)")
    }
  }

  @Test("Every catalogue layer parses with its defaults and describes itself back")
  func catalogue() throws {
    // A layer that needs a file (fixed_attention) gets a 2 × 2 matrix.
    let matrix = temporaryFolder() + "/A.csv"
    try CSV.write(Matrix.identity(2), to: matrix)
    for entry in LayerCatalogue.entries {
      let needsFile = entry.parameters.contains { if case .path = $0.domain { return $0.defaultValue == nil }; return false }
      let layer = try ArchitectureParser.parse(needsFile ? "\(entry.name)(file=\"\(matrix)\")" : entry.name)
      let primitive = try #require(layer.graph.primitives.first)
      let reparsed = try ArchitectureParser.parse(primitive.specification)
      #expect(reparsed.graph.primitives.first?.specification == primitive.specification)
    }
  }

  @Test("Repetition gives each block its residual scale: 1/sqrt(L) and decreasing")
  func schedules() throws {
    func scales(_ spec: String) throws -> [Double] {
      guard case .serial(let outer) = try ArchitectureParser.parse(spec).graph,
            case .serial(let blocks) = outer[0] else { return [] }
      return blocks.compactMap { block in
        guard case .serial(let items) = block, case .sum(let branches) = items[0] else { return nil }
        return branches[1].scale.value(block: 1, depth: 1)
      }
    }
    #expect(try scales("(residual(relu -> dense, scale=1/sqrt(L))) * 4") == [0.5, 0.5, 0.5, 0.5])
    #expect(try scales("(residual(relu -> dense, scale=decreasing)) * 3") == [1, 0.5, 1.0 / 3])
  }
}

@Suite("Architecture language limits")
struct ArchitectureLimitTests {
  func message(_ spec: String) -> String {
    do {
      _ = try ArchitectureParser.parse(spec)
      return "parsed"
    } catch {
      return "\(error)"
    }
  }

  @Test("Nesting beyond the limit is refused, not a stack overflow; 100 levels parse in linear time")
  func nesting() throws {
    let deep = String(repeating: "(", count: 30_000) + "dense" + String(repeating: ")", count: 30_000)
    #expect(message(deep).contains("nested more than 100 levels"))
    let residuals = String(repeating: "residual(", count: 12_000) + "dense" + String(repeating: ")", count: 12_000)
    #expect(message(residuals).contains("nested more than 100 levels"))
    // 30 levels took exponential time once (a lazy compactMap evaluated twice per level).
    let start = Date()
    let hundred = String(repeating: "(", count: 100) + "dense" + String(repeating: ")", count: 100)
    _ = try ArchitectureParser.parse(hundred).kernels(try Matrix([[1, 2]]))
    #expect(Date().timeIntervalSince(start) < 1)
  }

  @Test("Networks beyond the layer limit are refused before expansion, with the count", arguments: [
    ("(dense) * 99999999999", "would have 99999999999 layers"),
    ("(dense) * 100000000", "would have 100000000 layers"),
    ("(residual(relu -> dense, scale=0.5)) * 9223372036854775807", "would have more than 9223372036854775807 layers"),
    ("((dense -> relu) * 100000) * 100000", "would have 20000000000 layers"),
    ("(dense -> relu) * 4611686018427387904", "would have more than 9223372036854775807 layers"),
    ("(dense) * 99999999999999999999999", "repetition count 99999999999999999999999 is beyond the limit"),
  ])
  func layerLimit(_ example: (spec: String, message: String)) {
    let start = Date()
    #expect(message(example.spec).contains(example.message), "\(message(example.spec))")
    #expect(Date().timeIntervalSince(start) < 1)
  }

  @Test("A network at the layer limit parses")
  func atLimit() throws {
    let network = try ArchitectureParser.parse("(dense -> relu) * \(ArchitectureParser.maximumLayers / 2)")
    #expect(network.graph.primitives.count == ArchitectureParser.maximumLayers)
  }
}
