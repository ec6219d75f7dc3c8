import Foundation
@testable import NeuralLimits

/// Shared by the training tests: small networks, central differences and the linearised dynamics.
enum TrainingFixtures {
  /// Four inputs of three features.
  static let x = try! Matrix([[1, 0.5, -0.3], [0.2, -1, 0.8], [-0.7, 0.4, 0.1], [0.3, 0.3, 1.2]])

  /// A network of width 5 with two outputs on `x`'s features.
  static func network(_ arch: String, width: Int = 5, readout: Int = 2) throws -> FiniteNetwork {
    try FiniteNetwork(try ArchitectureParser.parse(arch).graph, inputWidth: 3, width: width, readoutWidth: readout)
  }

  /// Targets for `rows` inputs and `columns` outputs: Gaussian for MSE, rows of probabilities
  /// for cross-entropy.
  static func targets(rows: Int, columns: Int, loss: Loss, seed: UInt64 = 3) -> Matrix {
    let random = RandomStream(seed: seed)
    var y = try! Matrix(rows: rows, columns: columns, elements: random.gaussians(rows * columns))
    if loss == .softmaxCrossEntropy {
      for i in 0..<rows {
        let total = (0..<columns).reduce(0.0) { $0 + exp(y[i, $1]) }
        for a in 0..<columns { y[i, a] = exp(y[i, a]) / total }
      }
    }
    return y
  }

  /// `∂g/∂θₖ` for every `k` by central differences with step `h`.
  static func centralDifferences(at theta: [Double], h: Double = 1e-5, _ g: ([Double]) -> Double) -> [Double] {
    theta.indices.map { k in
      var plus = theta, minus = theta
      plus[k] += h
      minus[k] -= h
      return (g(plus) - g(minus)) / (2 * h)
    }
  }

  /// Largest `|a − b|` over the largest `|b|`.
  static func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    zip(a, b).map { abs($0 - $1) }.max()! / b.map(abs).max()!
  }

  /// The linearised network's outputs on test inputs after gradient descent on MSE (one output):
  /// `f₀(X) + Θ(X, D)·V·diag(φ(λ))·Vᵀ·(y − f₀(D))` with `Θ(D, D) = V·diag(λ)·Vᵀ` and
  /// `φ(λ) = (1 − e^{−ηtλ/|y|})/λ` for gradient flow, `(1 − (1 − ηλ/|y|)^t)/λ` for `t` discrete steps.
  static func linearised(ntkTrain: Matrix, ntkTestTrain: Matrix, f0Train: Matrix, f0Test: Matrix, targets y: Matrix,
                         learningRate eta: Double, steps t: Int, discrete: Bool) throws -> Matrix {
    let size = Double(y.elements.count)
    let filter = try SymmetricEigen(ntkTrain).reconstruct { lambda in
      let rate = eta * max(lambda, 0) / size
      let decayed = discrete ? 1 - pow(1 - rate, Double(t)) : -expm1(-rate * Double(t))
      return lambda > 0 ? decayed / lambda : eta * Double(t) / size
    }
    return f0Test + ntkTestTrain * (filter * (y - f0Train))
  }
}

extension TrainingFixtures {
  /// The Jacobian `∂f/∂θ` (`batch·outputs × parameters`, row `x·outputs + a`), one backward walk per row.
  static func jacobian(_ network: FiniteNetwork, parameters theta: [Double], _ x: Matrix) -> Matrix {
    let k = network.outputWidth
    var records: [FiniteNetwork.Record] = []
    var j = Matrix(rows: x.rows * k, columns: network.parameterCount)
    theta.withUnsafeBufferPointer { p in
      _ = network.forward(x, parameters: p, random: RandomStream(seed: 0), records: &records)
      for row in 0..<(x.rows * k) {
        var unit = Matrix(rows: x.rows, columns: k)
        unit.elements[row] = 1
        var g = [Double](repeating: 0, count: network.parameterCount)
        g.withUnsafeMutableBufferPointer { network.accumulateGradient(unit, parameters: p, records: records, into: $0) }
        for c in 0..<network.parameterCount { j[row, c] = g[c] }
      }
    }
    return j
  }

  /// `K ⊗ I_k`: a kernel shared by `k` independent outputs, rows and columns `x·k + a`.
  static func perOutput(_ kernel: Matrix, outputs k: Int) -> Matrix {
    var m = Matrix(rows: kernel.rows * k, columns: kernel.columns * k)
    for i in 0..<kernel.rows { for j in 0..<kernel.columns { for a in 0..<k { m[i * k + a, j * k + a] = kernel[i, j] } } }
    return m
  }

  /// The `N·k × 1` column of a matrix's entries in row-major order.
  static func column(_ m: Matrix) -> Matrix { try! Matrix(rows: m.elements.count, columns: 1, elements: m.elements) }
}
