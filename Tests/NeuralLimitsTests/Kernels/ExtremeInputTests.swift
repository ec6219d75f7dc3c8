import Foundation
import Testing
@testable import NeuralLimits

/// One case of `Data/reference/extreme_norms.json` (mpmath, 40 digits).
struct ExtremeNormCase: CustomTestStringConvertible, Sendable {
  let name: String
  let arch: String
  let x: Matrix
  /// `nil` entries overflow float64.
  let nngp: [[Double?]]
  let ntk: [[Double?]]
  var testDescription: String { name }

  static let all: [ExtremeNormCase] = {
    let url = repositoryRoot.appendingPathComponent("Data/reference/extreme_norms.json")
    let root = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    return (root["cases"] as! [[String: Any]]).map { c in
      func values(_ key: String) -> [[Double?]] {
        (c[key] as! [[String]]).map { $0.map { $0 == "overflow" ? nil : Double($0)! } }
      }
      return ExtremeNormCase(name: c["name"] as! String, arch: c["arch"] as! String,
                             x: try! Matrix((c["x"] as! [[NSNumber]]).map { $0.map(\.doubleValue) }),
                             nngp: values("nngp"), ntk: values("ntk"))
    }
  }()
}

@Suite("Kernels at extreme inputs")
struct ExtremeInputTests {
  @Test("Every closed-form activation at input norms 1e-150, 1 and 1e150 matches 40-digit values to 1e-13 (or is refused when they overflow)",
        arguments: ExtremeNormCase.all)
  func extremeNorms(_ reference: ExtremeNormCase) throws {
    let network = try ArchitectureParser.parse(reference.arch)
    let overflows = (reference.nngp + reference.ntk).joined().contains { $0 == nil }
    guard !overflows else {
      #expect(throws: NeuralLimitsError.self) { try network.kernels(reference.x) }
      return
    }
    let state = try network.kernels(reference.x)
    for (name, ours, exact) in [("NNGP", state.nngp, reference.nngp), ("NTK", state.ntk!, reference.ntk)] {
      for i in 0..<3 {
        for j in 0..<3 {
          let e = exact[i][j]!
          // Below the smallest normal number only the absolute error is meaningful.
          let error = abs(ours[i, j] - e), allowed = 1e-13 * abs(e) + 1e-307
          #expect(error <= allowed, "\(name)[\(i), \(j)]: \(ours[i, j]) vs exact \(e)")
        }
      }
    }
  }

  /// `E[g(√q·z)]`, `z ~ N(0, 1)`, by GSL's adaptive quadrature on `(−∞, −a]`, `[−a, a]` and
  /// `[a, ∞)` with `a = 10/√q`, so that the features of `g` near 0 (a width of `1/√q` in `z`)
  /// have an interval of their own however large `q` is (every expectation here is above 0.1,
  /// so an absolute tolerance of 1e-17 serves the nearly empty tails).
  static func gaussianExpectation(_ q: Double, _ g: @escaping (Double) -> Double) throws -> Double {
    let s = q.squareRoot(), a = 10 / s
    let density = { (z: Double) in g(s * z) * exp(-z * z / 2) / (2 * Double.pi).squareRoot() }
    return try [(-Double.infinity, -a), (-a, a), (a, Double.infinity)].reduce(0) { sum, interval in
      sum + (try Quadrature.integrate(density, from: interval.0, to: interval.1, absoluteTolerance: 1e-17,
                                      relativeTolerance: 1e-13)).value
    }
  }

  @Test("Deep chaotic networks: the diagonal follows the exact 1-D recursion to 1e-9 at depth 100",
        arguments: [("erf", 3.0, 0.5), ("sin", 2.0, 0.0), ("gelu", 3.0, 0.5)])
  func chaoticDiagonal(_ example: (activation: String, w: Double, b: Double)) throws {
    let depth = 100
    let dense = "dense(w_std=\(example.w), b_std=\(example.b))"
    let network = try ArchitectureParser.parse("(\(dense) -> \(example.activation)) * \(depth) -> \(dense)")
    let x = try Matrix([[1, -0.5, 2], [0.3, 0.2, -0.1]])
    let state = try network.kernels(x)
    guard case .primitive(let layer) = try ArchitectureParser.parse(example.activation).graph.primitives.first.map({ LayerGraph.primitive($0) }),
          let phi = layer as? any Activation else { Issue.record("not an activation"); return }
    let (w2, b2) = (example.w * example.w, example.b * example.b)
    for i in 0..<x.rows {
      // The 1-D recursions by adaptive quadrature of φ and φ' themselves.
      var q = x.row(i).reduce(0) { $0 + $1 * $1 } / 3, theta = 0.0
      for _ in 0..<depth {
        q = w2 * q + b2
        theta = q + w2 * theta
        let m2 = try ExtremeInputTests.gaussianExpectation(q) { let y = phi.value($0); return y * y }
        let d2 = try ExtremeInputTests.gaussianExpectation(q) { let y = phi.derivative($0); return y * y }
        (q, theta) = (m2, theta * d2)
      }
      q = w2 * q + b2
      theta = q + w2 * theta
      #expect(abs(state.nngp[i, i] - q) <= 1e-9 * q, "\(example.activation) NNGP[\(i), \(i)] \(state.nngp[i, i]) vs \(q)")
      #expect(abs(state.ntk![i, i] - theta) <= 1e-9 * theta, "\(example.activation) NTK[\(i), \(i)] \(state.ntk![i, i]) vs \(theta)")
    }
  }

  @Test("Depth 50 of the chaotic erf network is finite (~2e17), not refused as overflow")
  func chaoticFinite() throws {
    let network = try ArchitectureParser.parse("(dense(w_std=3.0, b_std=0.5) -> erf) * 50 -> dense(w_std=3.0, b_std=0.5)")
    let state = try network.kernels(try Matrix([[1, -0.5, 2], [0.3, 0.2, -0.1]]))
    #expect(state.ntk!.isFinite && state.ntk![0, 0] > 1e16)
  }

  @Test("--x2 equal to --x is the same inputs: with dropout the kernels are those of x alone, bit for bit")
  func x2EqualToX() throws {
    let network = try ArchitectureParser.parse("dense -> relu -> dropout(rate=0.3) -> dense -> erf -> dense")
    let alone = try network.kernels(smallInputs)
    let twice = try network.kernels(smallInputs, smallInputs)
    #expect(twice.nngp == alone.nngp && twice.ntk == alone.ntk && twice.isSymmetric)
  }

  @Test("Equal inputs give exactly the diagonal value; dropout decorrelates them")
  func equalInputs() throws {
    let x = try Matrix([[0, 0, 0], [1, 2, 3], [0.5, -1, 2], [1, 2, 3], [0, 0, 0]])
    for arch in ["(dense(b_std=0.1) -> relu) * 3 -> dense", "dense -> erf -> dense -> gelu -> dense -> sin -> dense",
                 "dense -> layernorm -> relu -> residual(dense -> tanh(tol=1e-6) -> dense, scale=0.5) -> dense"] {
      let state = try ArchitectureParser.parse(arch).kernels(x)
      for (i, j) in [(1, 3), (0, 4)] {
        #expect(state.nngp[i, j] == state.nngp[i, i] && state.ntk![i, j] == state.ntk![i, i], "\(arch) (\(i), \(j))")
      }
      let cross = try ArchitectureParser.parse(arch).kernels(x.rows(0..<2), x.rows(3..<5))
      #expect(cross.nngp[1, 0] == state.nngp[1, 1] && cross.ntk![1, 0] == state.ntk![1, 1], "\(arch) cross")
    }
    let dropout = try ArchitectureParser.parse("dense -> relu -> dropout(rate=0.5) -> dense").kernels(x)
    #expect(dropout.nngp[1, 3] < dropout.nngp[1, 1])
  }

  /// Near `ρ = 1` the ReLU family's `E[φ'φ']` depends on `θ = arccos ρ ≈ √(2(1 − ρ))`, so a
  /// rounding of one ulp in a kernel entry moves it by `ε/θ`: about `2·10⁻⁹` relative at
  /// `θ ≈ 4.5·10⁻⁸`. Rounding ρ towards 1 (as an earlier version did within 10⁻¹⁵) biases every
  /// such entry the same way; without it the errors stay at that conditioning limit — measured
  /// smallest eigenvalues −1.4·10⁻¹⁰ (one hidden layer) to −7.8·10⁻¹⁰ (five) relative, against
  /// −8.2·10⁻¹⁰ to −4.4·10⁻⁹ with the rounding.
  @Test("ReLU kernels of rows at cosine 1 − 1e-15: NNGP PSD to 1e-15, NTK to its conditioning (2e-9)")
  func nearlyParallel() throws {
    var rows: [[Double]] = []
    for k in 0..<12 {
      // Perturbations of 4e-8 relative: pairwise cosines 1 − O(1e-15).
      let t = 4e-8 * Double(k)
      rows.append([1 + t * 0.3, 2 - t * 0.7, 3 + t * 1.1, -1 + t * 0.2])
    }
    let network = try ArchitectureParser.parse("(dense(w_std=1.5, b_std=0.05) -> relu) * 5 -> dense(w_std=1.5, b_std=0.05)")
    let state = try network.kernels(try Matrix(rows))
    for (kernel, tolerance) in [(state.nngp, 1e-15), (state.ntk!, 2e-9)] {
      let values = try SymmetricEigen(kernel).values
      let largest = values.map(abs).max()!
      #expect(values.min()! >= -tolerance * largest, "smallest eigenvalue \(values.min()! / largest) relative")
    }
  }
}
