import Foundation

/// Layer normalisation over features, `y = (x − mean(x))/√(var(x) + ε)`.
///
/// Kernel map (neural-tangents' `LayerNorm`, which assumes zero-mean inputs, true after a dense
/// layer): `Σ' = Σ/√((q1 + ε)(q2 + ε))`, `Θ' = Θ/√((q1 + ε)(q2 + ε))`, with the two inverse roots
/// taken apart so that no product of variances overflows (`1/√(q + ε)` is `1/√q` when ε is
/// below q's rounding). Place it after a dense
/// layer: after an activation with non-zero mean (ReLU) the finite network centres and the
/// kernel does not, and the two disagree.
public struct LayerNorm: PointwiseKernel {
  public let epsilon: Double
  public init(epsilon: Double = 1e-12) { self.epsilon = epsilon }
  public var specification: String { epsilon == 1e-12 ? "layernorm" : "layernorm(eps=\(epsilon))" }
  /// Normalising Gaussian pre-activations by their (concentrating) norm keeps them Gaussian.
  public var needsGaussianInput: Bool { true }

  public func transform(_ tile: KernelTile, context: LayerContext) {
    for e in 0..<tile.count {
      let scale = (1 / (tile.side1.q[e] + epsilon).squareRoot()) * (1 / (tile.side2.q[e] + epsilon).squareRoot())
      tile.nngp[e] *= scale
      tile.ntk?[e] *= scale
    }
  }

  /// Caches `1/σ` per input row.
  public func forward(_ input: Matrix, parameters: UnsafeBufferPointer<Double>, outputWidth: Int, tokens: Int,
                      random: RandomStream, cache: inout [Double]) -> Matrix {
    var y = input
    let n = input.columns
    cache = [Double](repeating: 0, count: input.rows)
    for i in 0..<input.rows {
      let row = input.row(i)
      let mean = row.reduce(0, +) / Double(n)
      let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
      let inverse = 1 / (variance + epsilon).squareRoot()
      cache[i] = inverse
      for j in 0..<n { y[i, j] = (row[j] - mean) * inverse }
    }
    return y
  }

  /// `g_in = (g − mean(g) − y·mean(g·y))/σ`, per input row and copy.
  public func backward(_ cotangent: Matrix, input: Matrix, output: Matrix, parameters: UnsafeBufferPointer<Double>,
                       cache: [Double], copies: Int) -> Matrix {
    var g = cotangent
    let n = input.columns
    for row in 0..<g.rows {
      let x = row / copies
      var mean = 0.0, projection = 0.0
      for j in 0..<n {
        mean += g[row, j]
        projection += g[row, j] * output[x, j]
      }
      mean /= Double(n)
      projection /= Double(n)
      for j in 0..<n { g[row, j] = (g[row, j] - mean - output[x, j] * projection) * cache[x] }
    }
    return g
  }
}

/// Dropout in training mode: each unit is kept with probability `1 − rate` and rescaled by
/// `1/(1 − rate)`, with independent masks per input.
///
/// Kernel map (neural-tangents' `Dropout(1 − rate, mode='train')`): the variances and the
/// kernel entries that pair an input with itself are multiplied by `1/(1 − rate)`; all other
/// entries are unchanged (independent masks). Not entrywise: it needs to know the diagonal.
public struct Dropout: StateKernel {
  public let rate: Double
  public init(rate: Double) { self.rate = rate }
  public var specification: String { "dropout(rate=\(rate))" }
  public func outputIsGaussian(inputIsGaussian: Bool) -> Bool { false }
  var keep: Double { 1 - rate }

  public func transform(_ state: inout KernelState, context: LayerContext) throws {
    let factor = 1 / keep
    state.var1 = state.var1.map { $0 * factor }
    state.var2 = state.var2.map { $0 * factor }
    guard state.isSymmetric else { return }
    for i in 0..<state.nngp.rows {
      state.nngp[i, i] *= factor
      state.ntk?[i, i] *= factor
    }
  }

  /// Caches the mask (`0` or `1/(1 − rate)` per entry).
  public func forward(_ input: Matrix, parameters: UnsafeBufferPointer<Double>, outputWidth: Int, tokens: Int,
                      random: RandomStream, cache: inout [Double]) -> Matrix {
    cache = (0..<input.elements.count).map { _ in random.uniform() < keep ? 1 / keep : 0 }
    var y = input
    for k in y.elements.indices { y.elements[k] *= cache[k] }
    return y
  }

  public func backward(_ cotangent: Matrix, input: Matrix, output: Matrix, parameters: UnsafeBufferPointer<Double>,
                       cache: [Double], copies: Int) -> Matrix {
    cotangent.multipliedPerInput(by: cache, copies: copies)
  }
}
