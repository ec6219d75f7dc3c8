import Foundation

/// Self-attention over the tokens of each sequence (`tokens` consecutive rows), value projection
/// folded in; one head as below, `heads = h` summed as in `AttentionHeads.swift`. For a sequence `X` (`m × n`),
///
///     output = D·(α·I + β·softmax(Y/τ + M + B) − γ·C)·X·W^V·w/√n,   Y = X·W^Q·(X·W^K)ᵀ/n,
///
/// `W^Q ~ N(0, σ_Q²)`, `W^K ~ N(0, 1)` (`n × n_k`), `W^V ~ N(0, 1)` (`n × n`), `M` the causal mask
/// (token `i` sees `1…i`) or none, `C = softmax(M)` (uniform, or row `i` equal to `1/i` on its
/// first `i` entries), `D`, `B` the rescaling and bias of an `AttentionPattern` (He et al. 2023).
///
/// - `attention`: `α = γ = 0`, `β = 1`, `τ = τ₀·√n_k` — scaled dot-product attention;
/// - `shaped_attention` (*The Shaped Transformer*, Noci, Li, Li et al. 2023): `α = β = γ = 1`,
///   `τ = τ₀·√(n·n_k)`, so `A = I + O(n^{−1/2})`;
/// - `value_skipinit` (He et al. 2023): `α·I + β·softmax(…)`;
/// - `espa`, `uspa`: `W_Q = 0`, `D`, `B` from `SignalPropagationAttention`.
///
/// **Kernel map** (exact in the infinite-width limit when the attention matrix does not depend on
/// the input there): with `A₀ = D·(α·I + β·softmax(M + B) − γ·C)` (the matrix at zero logits),
/// `Σ' = w²·A₀·Σ·A₀ᵀ` and `Θ' = A₀·(w²·Σ + w²·Θ)·A₀ᵀ` on every pair of sequences — a bias-free
/// dense layer (`W^V` trained) composed with `A₀`. That holds when `σ_Q = 0` (the logits vanish;
/// `W^Q`, `W^K` are then not parameters: the layer is `A₀·X·W^V`, and the NTK counts `W^V` only)
/// and for shaped attention at any `σ_Q` (its logits are `O(n^{−1/2})`, so `A → A₀`, and the
/// gradients with respect to `W^Q`, `W^K` vanish with them). Softmax attention with `σ_Q ≠ 0` and
/// temperature `√n_k` keeps `O(1)` random logits: its limit is not Gaussian with a closed-form
/// kernel, and the kernel map refuses it rather than approximate.
///
/// In a block `residual(shaped_attention, scale=γ, skip=λ)` the depth-and-width limit is the
/// covariance SDE `ShapedAttentionSDE`. Derivatives (input and parameter VJP, parameter JVP, the
/// empirical NTK per sequence) are in `AttentionBackward.swift`.
public struct Attention: StateKernel, DepthPlacedLayer {
  /// The name in the architecture language (`attention`, `shaped_attention`, …).
  public let name: String
  public let alpha: Double
  public let beta: Double
  public let gamma: Double
  /// Temperature `τ = τ₀·√(n·n_k)` (shaped) rather than `τ₀·√n_k`.
  public let shapedTemperature: Bool
  public let tau0: Double
  public let causal: Bool
  /// `n_k` (`nil`: the input width).
  public let keys: Int?
  /// `σ_Q`, the standard deviation of `W^Q` (0: `W_Q = 0` at initialisation).
  public let queryStd: Double
  /// `w`, the value weights' scale.
  public let valueStd: Double
  public let pattern: AttentionPattern
  /// `h`, the number of heads (`AttentionHeads.swift`).
  public let heads: Int

  public init(name: String, alpha: Double, beta: Double, gamma: Double, shapedTemperature: Bool, tau0: Double = 1,
              causal: Bool = false, keys: Int? = nil, queryStd: Double = 1, valueStd: Double = 1,
              pattern: AttentionPattern = .plain, heads: Int = 1) {
    self.name = name
    self.alpha = alpha
    self.beta = beta
    self.gamma = gamma
    self.shapedTemperature = shapedTemperature
    self.tau0 = tau0
    self.causal = causal
    self.keys = keys
    self.queryStd = queryStd
    self.valueStd = valueStd
    self.pattern = pattern
    self.heads = heads
  }

  /// `shaped_attention` or `attention` as before the other options existed.
  public init(shaped: Bool, tau0: Double = 1, causal: Bool = false, keys: Int? = nil) {
    self.init(name: shaped ? "shaped_attention" : "attention", alpha: shaped ? 1 : 0, beta: 1, gamma: shaped ? 1 : 0,
              shapedTemperature: shaped, tau0: tau0, causal: causal, keys: keys)
  }

  public var specification: String {
    var parts: [String] = []
    switch pattern {
    case .signalPropagation(let spa, let l, let L):
      switch spa {
      case .exponential(let g): parts.append("gamma_final=\(g)")
      case .uniform(let r): parts.append("rho_final=\(r)")
      }
      if let l, let L { parts += ["layer=\(l)", "depth=\(L)"] }
    case .fixed(_, let file?): parts.append("file=\"\(file)\"")
    case .plain, .fixed: break
    }
    if name == "value_skipinit" { parts += ["alpha=\(alpha)", "beta=\(beta)"] }
    if name == "shaped_attention" || tau0 != 1 { parts.append("tau0=\(tau0)") }
    if causal { parts.append("causal=true") }
    if let keys { parts.append("keys=\(keys)") }
    if queryStd != (pattern == .plain ? 1 : 0) { parts.append("q_std=\(queryStd)") }
    if valueStd != 1 { parts.append("v_std=\(valueStd)") }
    if heads != 1 { parts.append("heads=\(heads)") }
    return parts.isEmpty ? name : "\(name)(\(parts.joined(separator: ", ")))"
  }

  /// E-SPA/U-SPA placed at block `l` of a repetition of `L`, unless already placed.
  public func placed(block l: Int, depth L: Int) -> any PrimitiveLayer {
    guard case .signalPropagation(let spa, nil, nil) = pattern else { return self }
    return Attention(name: name, alpha: alpha, beta: beta, gamma: gamma, shapedTemperature: shapedTemperature, tau0: tau0,
                     causal: causal, keys: keys, queryStd: queryStd, valueStd: valueStd,
                     pattern: .signalPropagation(spa, layer: l, depth: L), heads: heads)
  }

  public var mixesTokens: Bool { true }

  /// The value projection as a bias-free dense layer (`W^V`, scale `w/√n`; of a single head).
  var value: Dense { Dense(wStd: valueStd, bStd: 0) }

  /// Also checks that the attention matrix exists for the context's token count (an unplaced
  /// E-SPA, a matrix that is not entrywise non-negative), so that no pass meets it later.
  public func outputWidth(_ context: LayerContext) throws -> Int? {
    _ = try zeroLogitMatrix(tokens: context.tokens)
    return context.inputWidth ?? context.hiddenWidth
  }

  /// The output is a bias-free dense layer's (`W^V`), Gaussian whatever its input.
  public func outputIsGaussian(inputIsGaussian: Bool) -> Bool { true }

  public func parameterCount(inputWidth: Int, outputWidth: Int) -> Int {
    heads * ((queryStd == 0 ? 0 : 2 * inputWidth * (keys ?? inputWidth)) + inputWidth * outputWidth)
  }

  /// `W^Q`, `W^K` (`n × n_k` each, row-major; absent when `σ_Q = 0`), then `W^V` as `value`'s;
  /// with several heads, each head's in turn.
  public func initialize(_ parameters: UnsafeMutableBufferPointer<Double>, inputWidth: Int, outputWidth: Int,
                         random: RandomStream) {
    guard heads == 1 else {
      for range in headRanges(parameters.count) {
        head.initialize(UnsafeMutableBufferPointer(rebasing: parameters[range]), inputWidth: inputWidth,
                        outputWidth: outputWidth, random: random)
      }
      return
    }
    let qk = parameters.count - inputWidth * outputWidth
    if qk > 0 {
      random.fillGaussian(UnsafeMutableBufferPointer(rebasing: parameters[0..<(qk / 2)]), std: queryStd)
      random.fillGaussian(UnsafeMutableBufferPointer(rebasing: parameters[(qk / 2)..<qk]))
    }
    value.initialize(UnsafeMutableBufferPointer(rebasing: parameters[qk...]), inputWidth: inputWidth,
                     outputWidth: outputWidth, random: random)
  }

  // MARK: kernel map

  /// `A₀ = D·(α·I + β·softmax(M + B) − γ·C)` for `m` tokens.
  public func zeroLogitMatrix(tokens m: Int) throws -> Matrix {
    let (d, b) = try pattern.rescalingAndBias(tokens: m, causal: causal, layer: specification)
    var a = Matrix(rows: m, columns: m)
    var weights = [Double](repeating: 0, count: m)
    for i in 0..<m {
      let visible = causal ? i + 1 : m
      for j in 0..<visible { weights[j] = b[i, j] }
      AttentionRow.combine(&weights, row: i, visible: visible, alpha: alpha, beta: beta, gamma: gamma, rescale: d[i])
      for j in 0..<visible { a[i, j] = weights[j] }
    }
    return a
  }

  public func transform(_ state: inout KernelState, context: LayerContext) throws {
    guard queryStd == 0 || shapedTemperature else {
      throw NeuralLimitsError.architecture(
        "\(specification): softmax attention with W_Q ≠ 0 (q_std=\(queryStd)) keeps random O(1) logits at infinite width, "
          + "so it has no exact NNGP here; use q_std=0 (attention at W_Q = 0), shaped_attention, espa or uspa")
    }
    try state.conjugate(by: try zeroLogitMatrix(tokens: context.tokens), tokens: context.tokens, layer: specification)
    let w2 = valueStd * valueStd
    state.ntk = state.ntk.map { w2 * (state.nngp + $0) }
    state.nngp = w2 * state.nngp
    state.var1 = state.var1.map { w2 * $0 }
    state.var2 = state.var1
  }

  // MARK: finite width

  /// `1/(n·τ)`, the factor of the logits `Q·Kᵀ` for input width `n` and `n_k = k` key units.
  func logitScale(inputWidth n: Int, keys k: Int) -> Double {
    let temperature = shapedTemperature ? tau0 * (Double(n) * Double(k)).squareRoot() : tau0 * Double(k).squareRoot()
    return 1 / (Double(n) * temperature)
  }

  /// `A·V` per sequence with `V = X·W^V·w/√n` (`value`), `A = A₀` at `σ_Q = 0`, else from the
  /// logits; `parameters` as in `initialize`. `cache` gets the token count, then (at `σ_Q ≠ 0`) the
  /// softmax `S` of every query row (`batch × m`, 0 where masked) for the backward pass.
  public func forward(_ input: Matrix, parameters: UnsafeBufferPointer<Double>, outputWidth: Int, tokens: Int,
                      random: RandomStream, cache: inout [Double]) -> Matrix {
    guard heads == 1 else {
      return headsForward(input, parameters: parameters, outputWidth: outputWidth, tokens: tokens, random: random,
                          cache: &cache)
    }
    let weights = AttentionWeights(self, parameters, inputWidth: input.columns, outputWidth: outputWidth)
    let values = weights.values(input)
    cache = [Double(tokens)]
    guard case let (q, key)? = weights.projections(input) else {
      return TokenMixing.mix(try! zeroLogitMatrix(tokens: tokens), values, tokens: tokens)
    }
    var output = Matrix(rows: input.rows, columns: outputWidth)
    var row = [Double](repeating: 0, count: tokens)
    var softmax = [Double](repeating: 0, count: input.rows * tokens)
    softmax.withUnsafeMutableBufferPointer { s in
      mix(queries: q, keys: key, values: values, inputWidth: input.columns, tokens: tokens, weights: &row, softmax: s,
          into: &output)
    }
    cache += softmax
    return output
  }

  /// `Q = X·W^Q`, `K = X·W^K`, `X·W^V·w/√n`, each drawn without forming its weights
  /// (`GaussianProduct`), then `A·(X·W^V·w/√n)` per sequence; at `σ_Q = 0`, `value`'s draw on `A₀·X`.
  public func sampleForward(_ input: Matrix, outputWidth: Int, tokens: Int, random: RandomStream, into output: inout Matrix,
                            scratch: SamplingScratch) {
    let n = input.columns, k = keys ?? n
    // At σ_Q = 0 the heads' sum Σ_h A₀·X·W^V_h·w/√(n·h) has the law of one head's A₀·X·W^V·w/√n.
    if heads > 1 && queryStd != 0 {
      headsSampleForward(input, outputWidth: outputWidth, tokens: tokens, random: random, into: &output, scratch: scratch)
      return
    }
    if queryStd == 0 {
      scratch.queries = TokenMixing.mix(try! zeroLogitMatrix(tokens: tokens), input, tokens: tokens)
      value.sampleForward(scratch.queries, outputWidth: outputWidth, tokens: tokens, random: random, into: &output,
                          scratch: scratch)
      return
    }
    GaussianProduct.sample(input, outputWidth: k, scale: queryStd, random: random, into: &scratch.queries, scratch: scratch)
    GaussianProduct.sample(input, outputWidth: k, scale: 1, random: random, into: &scratch.keys, scratch: scratch)
    value.sampleForward(input, outputWidth: outputWidth, tokens: tokens, random: random, into: &scratch.values,
                        scratch: scratch)
    output.reshape(rows: input.rows, columns: outputWidth)
    if scratch.gaussians.count < tokens { scratch.gaussians = [Double](repeating: 0, count: tokens) }
    mix(queries: scratch.queries, keys: scratch.keys, values: scratch.values, inputWidth: n, tokens: tokens,
        weights: &scratch.gaussians, softmax: nil, into: &output)
  }

  /// `output = A·values` for every sequence of `tokens` rows, `A` from the logits `QKᵀ/(n·τ)`;
  /// `weights` (at least `tokens` long) holds one row of `A` at a time; `softmax`, when given
  /// (`batch × m`), receives each row's softmax.
  func mix(queries q: Matrix, keys key: Matrix, values: Matrix, inputWidth n: Int, tokens m: Int, weights: inout [Double],
           softmax: UnsafeMutableBufferPointer<Double>?, into output: inout Matrix) {
    let k = q.columns, width = values.columns
    let scale = logitScale(inputWidth: n, keys: k)
    let (d, b) = try! pattern.rescalingAndBias(tokens: m, causal: causal, layer: specification)
    q.elements.withUnsafeBufferPointer { pq in
      key.elements.withUnsafeBufferPointer { pk in
        values.elements.withUnsafeBufferPointer { pv in
          output.elements.withUnsafeMutableBufferPointer { out in
            for start in stride(from: 0, to: q.rows, by: m) {
              for i in 0..<m {
                let row = start + i, visible = causal ? i + 1 : m
                for j in 0..<visible {
                  var dot = 0.0
                  for c in 0..<k { dot += pq[row * k + c] * pk[(start + j) * k + c] }
                  weights[j] = dot * scale + b[i, j]
                }
                AttentionRow.softmax(&weights, visible: visible)
                if let softmax { for j in 0..<visible { softmax[row * m + j] = weights[j] } }
                AttentionRow.affine(&weights, row: i, visible: visible, alpha: alpha, beta: beta, gamma: gamma,
                                    rescale: d[i])
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

/// One row of an attention matrix from its logits.
enum AttentionRow {
  /// Replaces the logits `weights[0..<visible]` of row `i` by `D_i·(α·δ_ij + β·softmax_j − γ/visible)`
  /// (`−∞` logits get weight 0).
  static func combine(_ weights: inout [Double], row i: Int, visible: Int, alpha: Double, beta: Double, gamma: Double,
                      rescale: Double) {
    softmax(&weights, visible: visible)
    affine(&weights, row: i, visible: visible, alpha: alpha, beta: beta, gamma: gamma, rescale: rescale)
  }

  /// `softmax_j` of the logits `weights[0..<visible]`, in place.
  static func softmax(_ weights: inout [Double], visible: Int) {
    var largest = -Double.infinity
    for j in 0..<visible { largest = max(largest, weights[j]) }
    var total = 0.0
    for j in 0..<visible {
      weights[j] = exp(weights[j] - largest)
      total += weights[j]
    }
    for j in 0..<visible { weights[j] /= total }
  }

  /// `S_j ↦ D_i·(α·δ_ij + β·S_j − γ/visible)`, in place.
  static func affine(_ weights: inout [Double], row i: Int, visible: Int, alpha: Double, beta: Double, gamma: Double,
                     rescale: Double) {
    for j in 0..<visible {
      weights[j] = rescale * (beta * weights[j] + (j == i ? alpha : 0) - gamma / Double(visible))
    }
  }
}
