import Foundation
import Testing
@testable import NeuralLimits

/// `(…) * inf` in the architecture language: what parses, what is refused (one line naming the
/// problem), and the Monte Carlo side, which has no network of infinite depth to sample.
@Suite("Infinite depth in the architecture language")
struct InfiniteDepthLanguageTests {
  static let stable = "dense -> (residual(relu -> dense(w_std=1.4), scale=1/sqrt(L))) * inf -> dense"

  func message(_ body: () throws -> Void) -> String {
    do {
      try body()
      return "accepted"
    } catch {
      return "\(error)"
    }
  }

  @Test("'* inf' parses into one infinite-depth node; it counts as the block's own layers")
  func parses() throws {
    let network = try ArchitectureParser.parse(Self.stable)
    guard case .serial(let items) = network.graph, case .infiniteDepth(let block) = items[1] else {
      Issue.record("no infinite-depth node in \(network.graph)")
      return
    }
    #expect(try block.infiniteDepthBranches().count == 1)
    #expect(network.graph.primitives.count == 4)
    #expect(message { _ = try ArchitectureParser.parse(Self.stable, maximumLayers: 3) }
      .contains("the network would have 4 layers once repetitions are expanded; the limit is 3"))
    _ = try ArchitectureParser.parse("dense -> (residual(relu -> dense, scale=1/sqrt(L)) -> residual(erf -> dense, scale=1/sqrt(L))) * inf")
  }

  @Test("Blocks without an ODE limit, and other spellings of inf, are refused with one line naming the problem", arguments: [
    ("dense -> (residual(relu -> dense, scale=0.5)) * inf",
     "column 49: under '* inf' a residual needs scale=1/sqrt(L), found scale=0.5 (L blocks of a fixed scale have no limit)"),
    ("dense -> (residual(relu -> dense, scale=decreasing)) * inf",
     "under '* inf' a residual needs scale=1/sqrt(L), found scale=decreasing (its limit is an infinite product, not an ODE"),
    ("dense -> (residual(relu -> dense, scale=decreasing(alpha=0.75))) * inf", "found scale=decreasing(alpha=0.75)"),
    ("dense -> (residual(relu -> dense)) * inf", "found scale=1.0"),
    ("(dense -> relu) * inf",
     "column 19: under '* inf' every item of the block must be residual(…, scale=1/sqrt(L)), x + f(x)/√L, whose L → ∞ limit is an ODE; found dense(w_std=1.0, b_std=0.0)"),
    ("dense -> (residual(relu -> dense, scale=1/sqrt(L)) -> layernorm) * inf", "found layernorm"),
    ("dense -> (parallel(relu -> dense, erf -> dense)) * inf", "found a sum that is not a residual (parallel)"),
    ("dense -> ((residual(relu -> dense, scale=1/sqrt(L))) * inf) * inf", "found another '* inf'"),
    ("dense -> (residual(residual(relu -> dense, scale=1/sqrt(L)) -> dense, scale=1/sqrt(L))) * inf",
     "under '* inf' scale=1/sqrt(L) inside a residual's branch would vanish as L → ∞; give it a number"),
    ("dense -> (residual(relu -> dense, scale=1/sqrt(L))) * Inf", "column 55: write infinite depth as 'inf', found 'Inf'"),
    ("dense -> (residual(relu -> dense, scale=1/sqrt(L))) * infinity", "write infinite depth as 'inf', found 'infinity'"),
  ])
  func refused(_ example: (spec: String, message: String)) {
    let text = message { _ = try ArchitectureParser.parse(example.spec) }
    #expect(text.contains(example.message), "\(text)")
    #expect(!text.contains("\n"))
  }

  @Test("The rules of the discrete blocks hold: Gaussian inputs for activations, equal widths")
  func compileRules() {
    // The branch's last relu makes the state non-Gaussian after the first block, as for `* 2`.
    let relu = "dense -> (residual(relu -> dense -> relu, scale=1/sqrt(L))) * "
    for depth in ["2", "inf"] {
      #expect(message { _ = try ArchitectureParser.parse(relu + depth).kernels(smallInputs) }
        .contains("relu needs Gaussian pre-activations, but its input is a sum with a non-Gaussian term"))
    }
    #expect(message { _ = try ArchitectureParser.parse("(residual(dense, scale=1/sqrt(L))) * inf").kernels(smallInputs) }
      .contains("branches of a sum have different widths [\"3\", \"∞\"]"))
  }

  @Test("The Swift API refuses a block without a limit when the kernels are computed")
  func swiftAPI() {
    let network = Serial { Dense(); InfiniteDepth { Dense(); ReLU() } }
    #expect(message { _ = try network.kernels(smallInputs) }
      == "architecture: under '* inf' every item of the block must be residual(…, scale=1/sqrt(L)), x + f(x)/√L, "
      + "whose L → ∞ limit is an ODE; found dense(w_std=1.0, b_std=0.0)")
  }

  @Test("Monte Carlo refuses: a network of infinite depth has no finite-width sample")
  func monteCarlo() throws {
    let network = try ArchitectureParser.parse(Self.stable)
    let expected = "architecture: a network of infinite depth has no finite-width sample; give a depth ('* 100' rather than '* inf')"
    #expect(message { _ = try FiniteNetwork(network.graph, inputWidth: 3, width: 16) } == expected)
    #expect(message {
      _ = try TheoryVersusSimulation.compare(network, smallInputs, settings: MonteCarloSettings(width: 16, samples: 2, seed: 0))
    } == expected)
  }

  @Test("Through the command-line tool: kernel gives the limit, compare refuses with exit 2")
  func commandLine() throws {
    let tool = try CommandLineTool()
    let folder = temporaryFolder()
    let x = folder + "/x.csv", out = folder + "/kernel.json"
    _ = FileManager.default.createFile(atPath: x, contents: Data("1,2,3\n0.5,-1,2\n".utf8))
    let (kernel, kernelError) = try tool.run(["kernel", "--arch", Self.stable, "--x", x], stdout: out, timeout: 30)
    #expect(kernel == .exited(0), "\(kernelError)")
    let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any])
    let nngp = try #require(json["nngp"] as? [[Double]])
    let q = 14.0 / 3 * exp(1.4 * 1.4 / 2)
    #expect(abs(nngp[0][0] - q) <= 1e-12 * q)
    let (compare, compareError) = try tool.run(["compare", "--arch", Self.stable, "--x", x], timeout: 30)
    #expect(compare == .exited(2))
    #expect(compareError.contains("a network of infinite depth has no finite-width sample") && compareError.filter { $0 == "\n" }.count == 1,
            "\(compareError)")
  }
}
