import Foundation
import Testing
@testable import NeuralLimits

/// A seeded mutation fuzzer for the architecture language, run in the suite for a bounded time:
/// every mutant of a corpus of valid specifications must either parse — and then give finite
/// kernels or a thrown `NeuralLimitsError` — or be refused with a `NeuralLimitsError`; none may
/// crash, and parsing must stay linear (no mutant takes more than a second).
@Suite("Architecture language under fuzzing")
struct ArchitectureFuzzTests {
  static let corpus = [
    "relu", "dense", "(dense(w_std=1.5, b_std=0.05) -> relu) * 10 -> dense(w_std=1.5, b_std=0.05)",
    "residual(dense -> relu -> dense, scale=0.5)", "dense -> (residual(relu -> dense, scale=1/sqrt(L))) * 4",
    "dense -> (residual(relu -> dense, scale=decreasing(alpha=0.75))) * 4", "parallel(dense -> relu, dense -> erf)",
    "dense(parameterization=standard, width=3, w_std=2) -> relu -> dense(parameterization=standard)",
    "(dense -> (relu -> dense) * 2) * 2", "dense(b_std=1e-3) -> tanh(tol=1e-4) -> dense",
    "dense -> layernorm -> gelu -> dropout(rate=0.2) -> dense", "dense -> monomial(degree=3) -> dense",
    "dense -> sin(a=1, b=2, c=0.5) -> dense -> rbf(gamma=0.5)", "dense -> shaped_relu(c=1, width=64) -> dense",
    "dense -> (residual(relu -> dense(w_std=1.4), scale=1/sqrt(L))) * inf -> dense",
    "(residual(dense -> shaped_relu(c_plus=0, c_minus=-1) -> dense, scale=0.6, skip=0.8)) * 3",
    "(residual(shaped_attention(tau0=1, causal=true), scale=0.5, skip=0.866)) * 2 -> dense",
    "residual(layernorm -> attention(keys=8), scale=1) -> dense",
  ]

  /// Pieces of the language, and of hostile input, that mutations insert.
  static let fragments = [
    "(", ")", "->", "*", ",", "=", "/", " ", "residual(", "parallel(", "dense", "relu", "erf", "(dense)",
    "1e308", "-1", "0", "1", "7", "99999999999999999999", "9223372036854775807", "4611686018427387904",
    "nan", "inf", "scale=", "w_std=", "width=", "sqrt(L)", "1/sqrt(L)", "decreasing(alpha=", "é", "\u{0}",
    "٣", "½", "-", ">", "\n", "* 100000", "* 1000", ")*", "((((((((((", "))))))))))", "* inf", "skip=", "causal=true",
  ]

  /// A small deterministic generator (SplitMix64), so the test needs no GSL state.
  struct Generator {
    var state: UInt64
    mutating func next(_ bound: Int) -> Int {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return Int((z ^ (z >> 31)) % UInt64(bound))
    }
  }

  static func mutate(_ spec: String, _ g: inout Generator) -> String {
    var chars = Array(spec)
    for _ in 0...g.next(3) {
      let at = g.next(chars.count + 1)
      switch g.next(6) {
      case 0: chars.insert(contentsOf: Array(fragments[g.next(fragments.count)]), at: at)
      case 1: if at < chars.count { chars.removeSubrange(at..<min(chars.count, at + 1 + g.next(8))) }
      case 2: if at < chars.count { chars.insert(contentsOf: chars[at..<min(chars.count, at + 1 + g.next(20))], at: at) }
      case 3: if at < chars.count { chars[at] = Array(fragments[g.next(fragments.count)])[0] }
      case 4:
        let depth = g.next(2) == 0 ? g.next(120) : g.next(3000)
        chars = Array(repeating: "(", count: depth) + chars + Array(repeating: ")", count: depth)
      default: chars = ["("] + chars + Array(") * \([7, 100000, 99999999999, Int.max][g.next(4)])")
      }
    }
    return String(chars)
  }

  @Test("3,000 mutants (seed 20261129): each parses into finite kernels or is refused with a message, in linear time")
  func mutants() throws {
    var g = Generator(state: 20_261_129)
    let x = try Matrix([[1, 2, 3], [0.5, -1, 2]])
    var parsed = 0, refused = 0
    for iteration in 0..<3000 {
      let spec = ArchitectureFuzzTests.mutate(ArchitectureFuzzTests.corpus[g.next(ArchitectureFuzzTests.corpus.count)], &g)
      let start = Date()
      do {
        // A lower layer limit than the default keeps the run short; the limit path is the same.
        let network = try ArchitectureParser.parse(spec, maximumLayers: 20_000)
        parsed += 1
        if network.graph.primitives.count <= 2000 {
          do {
            let k = try network.kernels(x, get: [.nngp, .ntk], hiddenWidth: 16)
            #expect(k.nngp.isFinite && (k.ntk?.isFinite ?? true), "\(spec)")
          } catch is NeuralLimitsError {}
        }
      } catch let error as NeuralLimitsError {
        refused += 1
        #expect(!"\(error)".contains("\n"), "multi-line message for \(spec.prefix(80))")
      }
      let elapsed = Date().timeIntervalSince(start)
      #expect(elapsed < 1, "mutant \(iteration) took \(elapsed) s: \(spec.prefix(120))")
    }
    // The mutations must exercise both outcomes.
    #expect(parsed > 100 && refused > 1000, "parsed \(parsed), refused \(refused)")
  }
}
