import Foundation
import Testing
@testable import NeuralLimits

/// Small fixed inputs: 5 inputs of dimension 3.
let smallInputs = try! Matrix([[1, 2, 3], [0.5, -1, 2], [-1, 0.3, 0.2], [2, 2, -1], [0.1, 0.1, 0.1]])

@Suite("Kernels against closed forms")
struct ClosedFormTests {
  @Test("ReLU: NNGP diagonal q·w²/2 + b² and NTK diagonal with K̇ = ½, exactly")
  func reluDiagonal() throws {
    let (w, b) = (1.7, 0.3)
    let state = try ArchitectureParser.parse("dense(w_std=1.7, b_std=0.3) -> relu -> dense(w_std=1.7, b_std=0.3)")
      .kernels(smallInputs)
    for i in 0..<smallInputs.rows {
      let q0 = smallInputs.row(i).reduce(0) { $0 + $1 * $1 } / 3
      let q1 = w * w * q0 + b * b
      let q2 = w * w * q1 / 2 + b * b
      #expect(abs(state.nngp[i, i] - q2) <= 1e-15 * q2)
      #expect(abs(state.ntk![i, i] - (q2 + w * w * q1 / 2)) <= 1e-15 * q2)
    }
  }

  @Test("Arc-cosine kernel at c = 0 and c = ±1")
  func arcCosine() {
    let relu = ReLU()
    // Variances with exact roots, so that Σ = ±1 is exactly ρ = ±1.
    let v = PairVariances(q1: 4, q2: 0.25)
    let atZero = relu.dual(0, v)
    #expect(abs(atZero.nngp - 1 / (2 * Double.pi)) < 1e-16 && abs(atZero.derivative - 0.25) < 1e-16)
    let atOne = relu.dual(1, v)
    #expect(abs(atOne.nngp - 0.5) < 1e-16 && atOne.derivative == 0.5)
    let atMinusOne = relu.dual(-1, v)
    #expect(abs(atMinusOne.nngp) < 1e-16 && abs(atMinusOne.derivative) < 1e-16)
  }

  @Test("Stable ResNet: each block x + λ·W·relu(x) multiplies the variance by 1 + λ²w²/2",
        arguments: [("0.5", 0.5), ("1/sqrt(L)", 1 / 5.0.squareRoot()), ("decreasing", .nan)])
  func stableResNet(_ scale: (text: String, value: Double)) throws {
    let w = 1.3, blocks = 5
    let arch = "dense -> (residual(relu -> dense(w_std=1.3), scale=\(scale.text))) * \(blocks)"
    let state = try ArchitectureParser.parse(arch).kernels(smallInputs)
    for i in 0..<smallInputs.rows {
      var q = smallInputs.row(i).reduce(0) { $0 + $1 * $1 } / 3
      for l in 1...blocks {
        let lambda = scale.value.isNaN ? 1 / Double(l) : scale.value
        q *= 1 + lambda * lambda * w * w / 2
      }
      #expect(abs(state.nngp[i, i] - q) <= 1e-14 * q)
    }
  }

  @Test("Zero and identical inputs give no NaN; identical inputs give equal entries")
  func degenerateInputs() throws {
    let x = try Matrix([[0, 0, 0], [1, 2, 3], [1, 2, 3]])
    for arch in ["(dense -> relu) * 3 -> dense", "dense -> sign -> dense", "dense -> rectified_monomial(degree=2) -> dense",
                 "dense -> layernorm -> relu -> dense", "dense -> erf -> dense"] {
      let state = try ArchitectureParser.parse(arch).kernels(x)
      #expect(state.nngp.elements.allSatisfy(\.isFinite) && state.ntk!.elements.allSatisfy(\.isFinite), "\(arch)")
      #expect(state.nngp[1, 2] == state.nngp[1, 1] && state.ntk![1, 2] == state.ntk![1, 1], "\(arch)")
    }
    let relu = try ArchitectureParser.parse("(dense -> relu) * 3 -> dense").kernels(x)
    #expect(relu.nngp.row(0).allSatisfy { $0 == 0 })
  }

  @Test("Sign: the diagonal is exactly w² + b² after the last dense, at any depth")
  func signDiagonal() throws {
    let state = try ArchitectureParser.parse("(dense(w_std=1.5, b_std=0.05) -> sign) * 3 -> dense(w_std=1.5, b_std=0.05)")
      .kernels(smallInputs)
    for i in 0..<smallInputs.rows { #expect(abs(state.nngp[i, i] - (1.5 * 1.5 + 0.05 * 0.05)) < 1e-15) }
  }

  @Test("Cross kernels: K(x1, x2) is the off-diagonal block of K([x1; x2]), and K(x2, x1) its transpose")
  func crossKernels() throws {
    let x1 = smallInputs.rows(0..<3), x2 = smallInputs.rows(3..<5)
    let network = try ArchitectureParser.parse(
      "(dense(w_std=1.5, b_std=0.05) -> relu) * 3 -> residual(dense -> erf -> dense, scale=0.5) -> dropout(rate=0.2) -> dense")
    let full = try network.kernels(smallInputs)
    let cross = try network.kernels(x1, x2)
    let reversed = try network.kernels(x2, x1)
    for i in 0..<3 {
      for j in 0..<2 {
        #expect(abs(cross.nngp[i, j] - full.nngp[i, 3 + j]) <= 1e-13 * abs(full.nngp[i, 3 + j]))
        #expect(abs(cross.ntk![i, j] - full.ntk![i, 3 + j]) <= 1e-13 * abs(full.ntk![i, 3 + j]))
        #expect(reversed.nngp[j, i] == cross.nngp[i, j])
      }
    }
  }

  @Test("The Swift builder and the architecture language build the same network")
  func builderMatchesLanguage() throws {
    let built = Serial {
      Repeat(3) { Dense(wStd: 1.5, bStd: 0.05); ReLU() }
      Residual(scale: .inverseSqrtDepth) { Dense(); Erf(); Dense() }
      Dense(wStd: 1.5, bStd: 0.05)
    }
    let parsed = try ArchitectureParser.parse(
      "(dense(w_std=1.5, b_std=0.05) -> relu) * 3 -> residual(dense -> erf -> dense, scale=1/sqrt(L)) -> dense(w_std=1.5, b_std=0.05)")
    let a = try built.kernels(smallInputs), b = try parsed.kernels(smallInputs)
    #expect(a.nngp == b.nngp && a.ntk == b.ntk)
  }

  @Test("NNGP-only requests skip the NTK and give the same NNGP")
  func nngpOnly() throws {
    let network = try ArchitectureParser.parse("(dense(w_std=1.5) -> gelu) * 2 -> dense")
    let both = try network.kernels(smallInputs)
    let only = try network.kernels(smallInputs, get: .nngp)
    #expect(only.ntk == nil && only.nngp == both.nngp)
  }

  @Test("Bad inputs throw: NaN, mismatched widths, overflow, unplaceable layers")
  func badInputs() throws {
    let network = try ArchitectureParser.parse("dense -> relu -> dense")
    #expect(throws: NeuralLimitsError.self) { try network.kernels(try Matrix([[1, .nan]])) }
    #expect(throws: NeuralLimitsError.self) { try network.kernels(smallInputs, try Matrix([[1, 2]])) }
    #expect(throws: NeuralLimitsError.self) { try ArchitectureParser.parse("dense -> exp(b=40) -> dense").kernels(smallInputs) }
    #expect(throws: NeuralLimitsError.self) {
      try ArchitectureParser.parse("dense -> dense(parameterization=standard)").kernels(smallInputs)
    }
    #expect(throws: NeuralLimitsError.self) { try ArchitectureParser.parse("dense -> shaped_relu").kernels(smallInputs) }
  }

  /// Dual kernels hold for Gaussian pre-activations only (as in neural-tangents): an activation on
  /// raw inputs, on another activation's output, or after a residual whose skip is not Gaussian
  /// has no such kernel, and is refused with a message rather than computed wrongly.
  @Test("Activations need Gaussian inputs", arguments: [
    ("relu", "the raw input"), ("dense -> relu -> erf", "the output of relu"),
    ("dense -> relu -> residual(dense -> relu -> dense) -> layernorm", "a sum with a non-Gaussian term"),
    ("dense -> dropout(rate=0.1) -> relu", "the output of dropout"),
  ])
  func gaussianInputs(_ example: (arch: String, input: String)) throws {
    do {
      _ = try ArchitectureParser.parse(example.arch).kernels(smallInputs)
      Issue.record("\(example.arch) was accepted")
    } catch {
      #expect("\(error)".contains("needs Gaussian pre-activations, but its input is \(example.input)"), "\(error)")
    }
    // Dense layers, identity, dropout and sums of Gaussian terms keep the rule satisfied.
    _ = try ArchitectureParser.parse("identity -> dense -> identity -> relu -> dense -> residual(relu -> dense) -> erf")
      .kernels(smallInputs)
  }
}

@Suite("Branch-free arccos")
struct ArcCosineTests {
  @Test("Within 1 ulp of libm's arccos on [−1, 1], exact at ±1 and 0")
  func accuracy() {
    var worst = 0.0
    for k in 0...200_000 {
      let x = -1 + 2 * Double(k) / 200_000
      worst = max(worst, abs(ArcCosine.evaluate(x) - acos(x)) / max(acos(x), 1e-300) / Double.ulpOfOne)
    }
    for k in 1...60 {
      let x = 1 - pow(2, -Double(k))
      worst = max(worst, abs(ArcCosine.evaluate(x) - acos(x)) / acos(x) / Double.ulpOfOne)
    }
    #expect(worst <= 2, "worst error \(worst) ulp")
    #expect(ArcCosine.evaluate(1) == 0 && ArcCosine.evaluate(-1) == Double.pi && ArcCosine.evaluate(0) == Double.pi / 2)
  }
}

@Suite("Branch-free atan2")
struct ArctangentTests {
  @Test("Within 1 ulp of libm's atan2(y, x) for x ≥ 0: every reduction region, magnitudes 1e-300 … 1e300, signs, zeros")
  func accuracy() {
    var worst = 0.0
    let random = RandomStream(seed: 17)
    func check(_ y: Double, _ x: Double) {
      let exact = atan2(y, x)
      worst = max(worst, abs(Arctangent.evaluate(y, x) - exact) / max(abs(exact), .leastNormalMagnitude) / Double.ulpOfOne)
    }
    for _ in 0..<200_000 {
      let x = pow(10, 600 * random.uniform() - 300), t = pow(10, 8 * random.uniform() - 4)
      check(t * x, x)
      check(-t * x, x)
    }
    // Around the region boundaries t = 7/16, 11/16, 19/16, 39/16.
    for boundary in [0.4375, 0.6875, 1.1875, 2.4375] {
      for k in -1000...1000 { check(boundary * (1 + Double(k) * 1e-15), 1) }
    }
    #expect(worst <= 1, "worst error \(worst) ulp")
    #expect(Arctangent.evaluate(0, 1) == 0 && Arctangent.evaluate(0, 0) == 0 && Arctangent.evaluate(1, 0) == Double.pi / 2)
    #expect(Arctangent.evaluate(1, 1) == Double.pi / 4)
  }
}
