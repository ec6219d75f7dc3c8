import Foundation

/// Single-head self-attention over the tokens of each sequence (`tokens` consecutive rows),
/// with the output's value projection folded in: for a sequence `X` (`m × n`),
///
///     Y = X·W^Q·(X·W^K)ᵀ/n,   output = A·X·W^V/√n,   W^Q, W^K: n × n_k,  W^V: n × n,  all N(0, 1),
///
/// - shaped (`shaped_attention`, *The Shaped Transformer*, Noci, Li, Li et al. 2023):
///   `A = I + softmax(Y/τ) − C`, `τ = τ₀√(n·n_k)`, `C` the softmax at zero logits (`11ᵀ/m`, or
///   row `i` equal to `1/i` on its first `i` entries when causal), so `A = I + O(n^{−1/2})`;
/// - plain (`attention`): `A = softmax(Y/√n_k)`, scaled dot-product attention with unit-variance
///   queries and keys — the contrast that collapses in rank with depth.
///
/// Causal: token `i` attends to tokens `1…i`. In a block `residual(shaped_attention, scale=γ,
/// skip=λ)` this is `λX + γ·A·X·n^{−1/2}W^V`, whose covariance SDE is `ShapedAttentionSDE`.
/// Finite width only: attention has no infinite-width kernel map here (its depth-and-width
/// limit is the covariance SDE), and no backward pass yet (no empirical NTK, no training).
public struct Attention: PrimitiveLayer {
  public let shaped: Bool
  public let tau0: Double
  public let causal: Bool
  /// `n_k` (`nil`: the input width).
  public let keys: Int?

  public init(shaped: Bool, tau0: Double = 1, causal: Bool = false, keys: Int? = nil) {
    self.shaped = shaped
    self.tau0 = tau0
    self.causal = causal
    self.keys = keys
  }

  public var specification: String {
    var parts: [String] = []
    if shaped { parts.append("tau0=\(tau0)") }
    if causal { parts.append("causal=true") }
    if let keys { parts.append("keys=\(keys)") }
    let name = shaped ? "shaped_attention" : "attention"
    return parts.isEmpty ? name : "\(name)(\(parts.joined(separator: ", ")))"
  }

  public var hasBackward: Bool { false }
  public var mixesTokens: Bool { true }

  public func outputWidth(_ context: LayerContext) throws -> Int? {
    guard context.inputWidth != nil || keys != nil || context.hiddenWidth != nil else {
      throw NeuralLimitsError.architecture("\(specification) needs a finite width")
    }
    return context.inputWidth
  }

  public func parameterCount(inputWidth: Int, outputWidth: Int) -> Int {
    2 * inputWidth * (keys ?? inputWidth) + inputWidth * outputWidth
  }

  /// `W^Q`, `W^K` (`n × n_k` each, row-major), then `W^V` (`n × n`).
  public func initialize(_ parameters: UnsafeMutableBufferPointer<Double>, inputWidth: Int, outputWidth: Int,
                         random: RandomStream) {
    random.fillGaussian(parameters)
  }

  /// The batch as one sequence, with explicit weights (`initialize`).
  public func forward(_ input: Matrix, parameters: UnsafeBufferPointer<Double>, outputWidth: Int,
                      random: RandomStream, cache: inout [Double]) -> Matrix {
    let n = input.columns, k = keys ?? n
    let weights = parameters.baseAddress!
    var q = Matrix(rows: input.rows, columns: k), key = Matrix(rows: input.rows, columns: k)
    var value = Matrix(rows: input.rows, columns: outputWidth)
    BLAS.gemm(input, weights: weights, rows: n, columns: k, transposeW: false, into: &q)
    BLAS.gemm(input, weights: weights + n * k, rows: n, columns: k, transposeW: false, into: &key)
    BLAS.gemm(input, weights: weights + 2 * n * k, rows: n, columns: outputWidth, transposeW: false,
              alpha: 1 / Double(n).squareRoot(), into: &value)
    var output = Matrix(rows: input.rows, columns: outputWidth)
    var row = [Double](repeating: 0, count: input.rows)
    mix(queries: q, keys: key, values: value, inputWidth: n, tokens: input.rows, weights: &row, into: &output)
    return output
  }

  public func backward(_ cotangent: Matrix, input: Matrix, output: Matrix, parameters: UnsafeBufferPointer<Double>,
                       cache: [Double], copies: Int) -> Matrix {
    preconditionFailure("\(specification) has no backward pass; callers check hasBackward")
  }

  public func parameterGradient(_ cotangent: Matrix, input: Matrix, output: Matrix, parameters: UnsafeBufferPointer<Double>,
                                cache: [Double], copies: Int, into gradient: UnsafeMutableBufferPointer<Double>) {
    preconditionFailure("\(specification) has no parameter gradient; callers check hasBackward")
  }

  public func parameterTangent(_ tangent: UnsafeBufferPointer<Double>, input: Matrix, output: Matrix,
                               parameters: UnsafeBufferPointer<Double>, cache: [Double]) -> Matrix {
    preconditionFailure("\(specification) has no parameter tangent; callers check hasBackward")
  }

  /// `Q = X·W^Q`, `K = X·W^K`, `X·W^V/√n`, each drawn without forming its weights
  /// (`GaussianProduct`), then `A·(X·W^V/√n)` per sequence.
  public func sampleForward(_ input: Matrix, outputWidth: Int, tokens: Int, random: RandomStream, into output: inout Matrix,
                            scratch: SamplingScratch) {
    let n = input.columns, k = keys ?? n
    GaussianProduct.sample(input, outputWidth: k, scale: 1, random: random, into: &scratch.queries, scratch: scratch)
    GaussianProduct.sample(input, outputWidth: k, scale: 1, random: random, into: &scratch.keys, scratch: scratch)
    GaussianProduct.sample(input, outputWidth: outputWidth, scale: 1 / Double(n).squareRoot(), random: random,
                           into: &scratch.values, scratch: scratch)
    output.reshape(rows: input.rows, columns: outputWidth)
    if scratch.gaussians.count < tokens { scratch.gaussians = [Double](repeating: 0, count: tokens) }
    mix(queries: scratch.queries, keys: scratch.keys, values: scratch.values, inputWidth: n, tokens: tokens,
        weights: &scratch.gaussians, into: &output)
  }

  /// `output = A·values` for every sequence of `tokens` rows, `A` from the logits `QKᵀ/n`;
  /// `weights` (at least `tokens` long) holds one row of `A` at a time.
  func mix(queries q: Matrix, keys key: Matrix, values: Matrix, inputWidth n: Int, tokens m: Int, weights: inout [Double],
           into output: inout Matrix) {
    let k = q.columns, width = values.columns
    let temperature = shaped ? tau0 * (Double(n) * Double(k)).squareRoot() : Double(k).squareRoot()
    q.elements.withUnsafeBufferPointer { pq in
      key.elements.withUnsafeBufferPointer { pk in
        values.elements.withUnsafeBufferPointer { pv in
          output.elements.withUnsafeMutableBufferPointer { out in
            for start in stride(from: 0, to: q.rows, by: m) {
              for i in 0..<min(m, q.rows - start) {
                let row = start + i, visible = causal ? i + 1 : min(m, q.rows - start)
                var largest = -Double.infinity
                for j in 0..<visible {
                  var dot = 0.0
                  for c in 0..<k { dot += pq[row * k + c] * pk[(start + j) * k + c] }
                  weights[j] = dot / Double(n) / temperature
                  largest = max(largest, weights[j])
                }
                var total = 0.0
                for j in 0..<visible {
                  weights[j] = exp(weights[j] - largest)
                  total += weights[j]
                }
                for j in 0..<visible {
                  weights[j] /= total
                  if shaped { weights[j] += (j == i ? 1 : 0) - 1 / Double(visible) }
                }
                for c in 0..<width {
                  var sum = 0.0
                  for j in 0..<visible { sum += weights[j] * pv[(start + j) * width + c] }
                  out[row * width + c] = sum
                }
              }
            }
          }
        }
      }
    }
  }
}
