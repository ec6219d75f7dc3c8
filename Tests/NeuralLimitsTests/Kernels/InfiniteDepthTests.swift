import Foundation
import Testing
@testable import NeuralLimits

/// The largest difference between two symmetric states' entries, NNGP and NTK, each relative to
/// `√(K(x,x)·K(x',x'))` of `reference`.
func largestRelativeDifference(_ state: KernelState, _ reference: KernelState) -> Double {
  func worst(_ a: Matrix, _ b: Matrix) -> Double {
    var result = 0.0
    for i in 0..<b.rows {
      for j in 0..<b.columns { result = max(result, abs(a[i, j] - b[i, j]) / (b[i, i] * b[j, j]).squareRoot()) }
    }
    return result
  }
  return max(worst(state.nngp, reference.nngp), worst(state.ntk!, reference.ntk!))
}

/// `(residual(f, scale=1/sqrt(L))) * inf` against `* L` and against closed forms. `L` blocks are
/// Euler's method with step `1/L` for the flow `dS/dt = F(S)` (see `InfiniteDepth`), so their
/// error is `c₁/L + c₂/L² + …`: it halves as `L` doubles, and Richardson's extrapolation of the
/// discrete kernels converges to the flow's solution.
@Suite("Infinite depth: the ODE limit of Stable ResNet")
struct InfiniteDepthTests {
  static let block = "residual(relu -> dense(w_std=1.4), scale=1/sqrt(L))"

  @Test("* L converges to * inf with error ∝ 1/L (log–log slope −1); extrapolated, to 1e-11")
  func discreteRecursion() throws {
    let limit = try ArchitectureParser.parse("dense -> (\(Self.block)) * inf").kernels(smallInputs)
    let depths = (0..<8).map { 10 << $0 }  // 10, 20, …, 1280
    let discrete = try depths.map { try ArchitectureParser.parse("dense -> (\(Self.block)) * \($0)").kernels(smallInputs) }
    let errors = discrete.map { largestRelativeDifference($0, limit) }
    // Least-squares slope of log(error) against log(L).
    let x = depths.map { log(Double($0)) }, y = errors.map { log($0) }
    let (mx, my) = (x.reduce(0, +) / Double(x.count), y.reduce(0, +) / Double(y.count))
    let slope = zip(x, y).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) } / x.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
    #expect(abs(slope + 1) < 0.05, "slope \(slope), errors \(errors)")
    for (coarse, fine) in zip(errors, errors.dropFirst().dropFirst()) {
      #expect(abs(coarse / fine - 4) < 0.4, "errors \(errors)")  // ×4 per two doublings (within 10% from L = 10)
    }
    // Richardson: eliminate c₁/L, c₂/L², … level by level (Neville's table, step ratio 2).
    var table = discrete.map { $0.nngp.elements + $0.ntk!.elements }
    for level in 1..<table.count {
      let factor = pow(2, Double(level)) - 1
      table = zip(table, table.dropFirst()).map { coarse, fine in zip(coarse, fine).map { $1 + ($1 - $0) / factor } }
    }
    let n = smallInputs.rows
    var extrapolated = limit
    extrapolated.nngp = try Matrix(rows: n, columns: n, elements: Array(table[0][0..<(n * n)]))
    extrapolated.ntk = try Matrix(rows: n, columns: n, elements: Array(table[0][(n * n)...]))
    let difference = largestRelativeDifference(extrapolated, limit)
    #expect(difference < 1e-11, "extrapolated discrete kernels differ from the ODE by \(difference)")
  }

  /// Along the flow of `relu -> dense(w_std=w, b_std=b)` the diagonal obeys, with `a = w²/2`
  /// (ReLU's `E[φ(u)²] = q/2` and `E[φ'(u)²] = 1/2`; NTK parameterisation, `Θ' = w²Θ·½ + K'`):
  /// `dq/dt = a·q + b²` and `dΘ/dt = a·(Θ + q) + b²`, so that `q(1) = eᵃ(q₀ + b²/a) − b²/a` and
  /// `Θ(1) = eᵃ(Θ₀ + a·q₀ + b²)` — the limits of Stable ResNet's `∏(1 + a/L)` (Hayou et al. 2021).
  @Test("ReLU branch: NNGP and NTK diagonals in closed form, to 1e-12", arguments: [(1.4, 0.0), (0.8, 0.3), (2.5, 1.0)])
  func reluDiagonal(_ parameters: (w: Double, b: Double)) throws {
    let (w, b) = parameters
    let state = try ArchitectureParser.parse(
      "dense -> (residual(relu -> dense(w_std=\(w), b_std=\(b)), scale=1/sqrt(L))) * inf").kernels(smallInputs)
    let a = w * w / 2
    for i in 0..<smallInputs.rows {
      let q0 = smallInputs.row(i).reduce(0) { $0 + $1 * $1 } / 3, theta0 = q0
      let q = exp(a) * (q0 + b * b / a) - b * b / a
      let theta = exp(a) * (theta0 + a * q0 + b * b)
      #expect(abs(state.nngp[i, i] - q) <= 1e-12 * q, "NNGP \(state.nngp[i, i]) vs \(q)")
      #expect(abs(state.ntk![i, i] - theta) <= 1e-12 * theta, "NTK \(state.ntk![i, i]) vs \(theta)")
      #expect(state.nngp[i, i] == state.var1[i])
    }
  }

  /// A linear branch `dense(w_std=w)` gives `dK/dt = w²K` and `dΘ/dt = w²(Θ + K)` entry by
  /// entry: `K(1) = e^{w²}K₀` and `Θ(1) = e^{w²}(Θ₀ + w²K₀)`, off the diagonal too.
  @Test("Linear branch: every entry in closed form, to 1e-12")
  func linearBranch() throws {
    let w = 0.8
    let state = try ArchitectureParser.parse("dense -> (residual(dense(w_std=0.8), scale=1/sqrt(L))) * inf").kernels(smallInputs)
    let k0 = BLAS.product(smallInputs, smallInputs, transposeB: true, alpha: 1.0 / 3)
    let growth = exp(w * w)
    for i in 0..<smallInputs.rows {
      for j in 0..<smallInputs.rows {
        let scale = (k0[i, i] * k0[j, j]).squareRoot() * growth
        #expect(abs(state.nngp[i, j] - growth * k0[i, j]) <= 1e-12 * scale)
        #expect(abs(state.ntk![i, j] - growth * (k0[i, j] + w * w * k0[i, j])) <= 1e-12 * scale)
      }
    }
  }

  @Test("Input norms 1e±150: the kernels scale by 1e±300 (ReLU is homogeneous), to 1e-13")
  func extremeNorms() throws {
    let network = try ArchitectureParser.parse("dense -> (\(Self.block)) * inf -> dense")
    let reference = try network.kernels(smallInputs)
    for scale in [1e-150, 1e150] {
      var scaled = try network.kernels(scale * smallInputs)
      scaled.nngp = (1 / (scale * scale)) * scaled.nngp
      scaled.ntk = (1 / (scale * scale)) * scaled.ntk!
      #expect(largestRelativeDifference(scaled, reference) < 1e-13, "at norm \(scale)")
    }
  }

  @Test("Two residuals per block add their kernel maps: dq/dt = (w₁² + w₂²)/2·q")
  func twoResiduals() throws {
    let state = try ArchitectureParser.parse(
      "dense -> (residual(relu -> dense(w_std=1.4), scale=1/sqrt(L)) -> residual(relu -> dense(w_std=0.7), scale=1/sqrt(L))) * inf"
    ).kernels(smallInputs)
    for i in 0..<smallInputs.rows {
      let q = smallInputs.row(i).reduce(0) { $0 + $1 * $1 } / 3 * exp((1.4 * 1.4 + 0.7 * 0.7) / 2)
      #expect(abs(state.nngp[i, i] - q) <= 1e-12 * q)
    }
  }

  @Test("Cross kernels: K(x1, x2) of the flow is the off-diagonal block of K([x1; x2])")
  func crossKernels() throws {
    let network = try ArchitectureParser.parse("dense -> (residual(relu -> dense(w_std=1.4, b_std=0.1), scale=1/sqrt(L))) * inf -> dense")
    let full = try network.kernels(smallInputs)
    let cross = try network.kernels(smallInputs.rows(0..<3), smallInputs.rows(3..<5))
    for i in 0..<3 {
      for j in 0..<2 {
        let scale = (full.nngp[i, i] * full.nngp[3 + j, 3 + j]).squareRoot()
        #expect(abs(cross.nngp[i, j] - full.nngp[i, 3 + j]) <= 1e-11 * scale)
        #expect(abs(cross.ntk![i, j] - full.ntk![i, 3 + j]) <= 1e-11 * (full.ntk![i, i] * full.ntk![3 + j, 3 + j]).squareRoot())
      }
    }
  }

  @Test("Zero and identical inputs: no NaN, and identical inputs keep equal entries")
  func degenerateInputs() throws {
    let x = try Matrix([[0, 0, 0], [1, 2, 3], [1, 2, 3]])
    let state = try ArchitectureParser.parse("dense -> (\(Self.block)) * inf -> dense").kernels(x)
    #expect(state.nngp.isFinite && state.ntk!.isFinite)
    #expect(state.nngp.row(0).allSatisfy { $0 == 0 })
    #expect(state.nngp[1, 2] == state.nngp[1, 1] && state.ntk![1, 2] == state.ntk![1, 1])
  }

  /// A layer whose kernel map always fails, as a quadrature layer out of reach does.
  struct FailingLayer: StateKernel {
    var specification: String { "failing" }
    func transform(_ state: inout KernelState, context: LayerContext) throws {
      throw NeuralLimitsError.accuracy("failing: no kernel here")
    }
    func forward(_ input: Matrix, parameters: UnsafeBufferPointer<Double>, outputWidth: Int, tokens: Int, random: RandomStream,
                 cache: inout [Double]) -> Matrix { input }
    func backward(_ cotangent: Matrix, input: Matrix, output: Matrix, parameters: UnsafeBufferPointer<Double>,
                  cache: [Double], copies: Int) -> Matrix { cotangent }
  }

  @Test("An error inside the flow stops it and is thrown as it is; an overflowing kernel is refused with its depth")
  func errors() throws {
    let failing = Serial { Dense(); InfiniteDepth { Residual(scale: .inverseSqrtDepth) { ReLU(); Dense(); FailingLayer() } } }
    #expect(throws: NeuralLimitsError.accuracy("failing: no kernel here")) { try failing.kernels(smallInputs) }
    // q₀ ≈ 5e300 and dq/dt = 18q: beyond the doubles at t ≈ 0.5, after steps shortened as they near it.
    let overflowing = try ArchitectureParser.parse("dense(w_std=1e150) -> (residual(relu -> dense(w_std=6), scale=1/sqrt(L))) * inf")
    do {
      _ = try overflowing.kernels(smallInputs)
      Issue.record("an overflowing flow gave kernels")
    } catch {
      #expect("\(error)".hasPrefix("invalid argument: the infinite-depth limit's kernel is not finite at depth t = 0.5"), "\(error)")
    }
  }

  @Test("The Swift builder and the language build the same limit; an outer repetition keeps 1/sqrt(L) for the limit")
  func builder() throws {
    let built = Serial {
      Dense()
      Repeat(2) {
        InfiniteDepth { Residual(scale: .inverseSqrtDepth) { ReLU(); Dense(wStd: 1.4) } }
        Dense(wStd: 1.2)
      }
    }
    let parsed = try ArchitectureParser.parse("dense -> ((\(Self.block)) * inf -> dense(w_std=1.2)) * 2")
    let a = try built.kernels(smallInputs), b = try parsed.kernels(smallInputs)
    #expect(a.nngp == b.nngp && a.ntk == b.ntk)
    // Had `* 2` resolved the inner scale to 1/√2, each flow would add F/2 per block, not F.
    for i in 0..<smallInputs.rows {
      let q = smallInputs.row(i).reduce(0) { $0 + $1 * $1 } / 3 * pow(exp(1.4 * 1.4 / 2) * 1.2 * 1.2, 2)
      #expect(abs(a.nngp[i, i] - q) <= 1e-12 * q)
    }
  }
}
