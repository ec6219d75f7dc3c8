import Foundation
import Testing
@testable import NeuralLimits

@Suite("Loss gradient against central differences")
struct LossGradientTests {
  /// Every layer type: dense in both parameterizations with and without bias, every activation
  /// family, layernorm, dropout (masks fixed by the stream), residual and parallel sums.
  static let architectures = [
    "dense(w_std=1.3, b_std=0.2) -> erf -> dense(w_std=0.9, b_std=0.1)",
    "dense(w_std=1.3) -> erf(a=0.7, b=1.4, c=0.2) -> dense(w_std=0.9)",
    "dense(b_std=0.1, parameterization=standard, width=5) -> gelu -> dense(parameterization=standard, b_std=0.3)",
    "dense(parameterization=standard, width=5) -> tanh -> dense(parameterization=standard)",
    "dense(b_std=0.2) -> relu -> dense -> leaky_relu(alpha=0.2) -> dense -> abrelu(a=-0.3, b=1.2) -> dense",
    "dense -> abs -> dense -> shaped_relu(c=1) -> dense",
    "dense -> monomial(degree=3) -> dense -> rectified_monomial(degree=2) -> dense",
    "dense -> sigmoid_like -> dense -> sin(a=1.1, b=0.8, c=0.3) -> dense -> cos -> dense",
    "dense -> rbf -> dense -> exp(a=0.5, b=0.3) -> dense",
    "dense -> identity -> sign -> dense(b_std=0.5)",
    "dense -> softplus -> dense -> swish -> dense",
    "dense -> layernorm -> dense(b_std=0.1) -> layernorm -> relu -> dense",
    "dense -> dropout(rate=0.3) -> erf -> dense -> dropout(rate=0.5) -> dense",
    "dense -> tanh -> residual(dense -> sin -> dense, scale=0.7, skip=0.9) -> dense",
    "dense -> parallel(dense -> gelu, dense(b_std=0.4) -> exp(b=0.3), identity) -> dense",
  ]

  @Test("∂L/∂θ by one backward pass matches central differences to 1e-6 of its largest entry",
        arguments: architectures, Loss.allCases)
  func matchesFiniteDifferences(_ arch: String, _ loss: Loss) throws {
    let network = try TrainingFixtures.network(arch)
    let x = TrainingFixtures.x
    let y = TrainingFixtures.targets(rows: x.rows, columns: 2, loss: loss)
    let theta = network.initialize(random: RandomStream(seed: 11))
    // A fresh stream of the same seed per evaluation: the same dropout masks every time.
    let masks = { RandomStream(seed: 5, stream: 1) }
    let exact = try network.lossGradient(x, targets: y, loss: loss, parameters: theta, random: masks())
    let numeric = TrainingFixtures.centralDifferences(at: theta) { p in
      var residual = Matrix(rows: 0, columns: 0)
      return loss.evaluate(try! network.outputs(x, parameters: p, random: masks()), targets: y, gradient: &residual)
    }
    #expect(exact.gradient.count == network.parameterCount)
    #expect(TrainingFixtures.relativeError(exact.gradient, numeric) <= 1e-6, "\(exact.gradient) vs \(numeric)")
  }

  @Test("∂L/∂f of both losses against central differences, and the values against their formulas")
  func lossDerivatives() throws {
    let f = try Matrix([[0.3, -1.2, 2.0], [1e3, -1e3, 0]])
    for loss in Loss.allCases {
      let y = TrainingFixtures.targets(rows: 2, columns: 3, loss: loss)
      var gradient = Matrix(rows: 0, columns: 0), unused = Matrix(rows: 0, columns: 0)
      let value = loss.evaluate(f, targets: y, gradient: &gradient)
      let numeric = TrainingFixtures.centralDifferences(at: f.elements, h: 1e-6) { e in
        loss.evaluate(try! Matrix(rows: 2, columns: 3, elements: e), targets: y, gradient: &unused)
      }
      #expect(TrainingFixtures.relativeError(gradient.elements, numeric) <= 1e-6, "\(loss)")
      let expected: Double
      switch loss {
      case .meanSquaredError:
        expected = zip(f.elements, y.elements).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / 12
      case .softmaxCrossEntropy:
        // Row 2's logits 1e3, −1e3, 0: log-softmax 0, −2000, −1000 (no overflow to NaN).
        let row1 = [0.3, -1.2, 2.0], logZ = log(row1.map(exp).reduce(0, +))
        let first = (0..<3).reduce(0.0) { $0 - y[0, $1] * (row1[$1] - logZ) }
        let second = -(y[1, 0] * 0 + y[1, 1] * -2000 + y[1, 2] * -1000)
        expected = (first + second) / 6
      }
      #expect(abs(value - expected) <= 1e-13 * abs(expected), "\(loss): \(value) vs \(expected)")
    }
  }

  @Test("A dense layer's parameter gradient over copies is the gradient of their sum")
  func copies() throws {
    for dense in [Dense(wStd: 1.2, bStd: 0.3), Dense(wStd: 0.8, parameterization: .standard)] {
      let x = TrainingFixtures.x
      let count = dense.parameterCount(inputWidth: 3, outputWidth: 4)
      var theta = [Double](repeating: 0, count: count)
      theta.withUnsafeMutableBufferPointer { dense.initialize($0, inputWidth: 3, outputWidth: 4, random: RandomStream(seed: 2)) }
      let g = try Matrix(rows: x.rows * 2, columns: 4, elements: RandomStream(seed: 4).gaussians(x.rows * 2 * 4))
      var summed = Matrix(rows: x.rows, columns: 4)
      for row in 0..<g.rows { for j in 0..<4 { summed[row / 2, j] += g[row, j] } }
      let output = Matrix(rows: x.rows, columns: 4)
      var grouped = [Double](repeating: 0, count: count), single = grouped
      theta.withUnsafeBufferPointer { p in
        grouped.withUnsafeMutableBufferPointer {
          dense.parameterGradient(g, input: x, output: output, parameters: p, cache: [], copies: 2, into: $0)
        }
        single.withUnsafeMutableBufferPointer {
          dense.parameterGradient(summed, input: x, output: output, parameters: p, cache: [], copies: 1, into: $0)
        }
      }
      #expect(TrainingFixtures.relativeError(grouped, single) <= 1e-14)
    }
  }
}
