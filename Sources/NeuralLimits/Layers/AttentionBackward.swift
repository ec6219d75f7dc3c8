/// Attention's derivatives: the input VJP (`backward`), the parameter VJP (`parameterGradient`),
/// the parameter JVP (`parameterTangent`) and the empirical NTK's contribution.
///
/// Per sequence, with `V = X·W^V·ω` (`ω = w/√n`), `Q = X·W^Q`, `K = X·W^K`, logits
/// `Z_ij = s·Q_i·K_j + B_ij` (`s = 1/(n·τ)`, `j` visible from `i`), `S_i = softmax(Z_i)`,
/// `A_ij = D_i·(α·δ_ij + β·S_ij − γ/vis_i)` and output `Y = A·V`, a cotangent `G` of `Y` gives
///
///     ∂V = Aᵀ·G,   ∂A_ij = G_i·V_j,
///     ∂Z_ij = β·D_i·S_ij·(∂A_ij − Σ_l S_il·∂A_il)        (softmax's Jacobian diag(S) − S·Sᵀ),
///     ∂Q_i = s·Σ_j ∂Z_ij·K_j,   ∂K_j = s·Σ_i ∂Z_ij·Q_i,
///     ∂X = ω·∂V·W^Vᵀ + ∂Q·W^Qᵀ + ∂K·W^Kᵀ,
///     ∂W^V = ω·Xᵀ·∂V (as `value`'s),  ∂W^Q = Xᵀ·∂Q,  ∂W^K = Xᵀ·∂K;
///
/// and a tangent `(Ẇ^Q, Ẇ^K, Ẇ^V)` moves the output by
/// `Ẏ = A·(X·Ẇ^V·ω) + Ȧ·V`, `Ȧ_ij = β·D_i·S_ij·(Ż_ij − Σ_l S_il·Ż_il)`,
/// `Ż_ij = s·(X_i·Ẇ^Q·K_j + Q_i·(X_j·Ẇ^K))`. At `σ_Q = 0` there are no `W^Q`, `W^K` and
/// `A = A₀` is constant: only the `V` terms remain. Every parameter enters as `u·W` on rows (`X`
/// for all three), so the NTK is three applications of `CotangentLayout.accumulate` with the
/// features `X·Xᵀ`.
extension Attention {
  public var hasBackward: Bool { true }

  public func backward(_ cotangent: Matrix, input: Matrix, output: Matrix, parameters: UnsafeBufferPointer<Double>,
                       cache: [Double], copies: Int) -> Matrix {
    guard heads == 1 else {
      return headsSum(parameters.count, cache) { head, range, c in
        head.backward(cotangent, input: input, output: output, parameters: UnsafeBufferPointer(rebasing: parameters[range]),
                      cache: c, copies: copies)
      }
    }
    let weights = AttentionWeights(self, parameters, inputWidth: input.columns, outputWidth: output.columns)
    let pass = AttentionPass(self, weights, input: input, cache: cache)
    let d = pullback(cotangent, pass, copies: copies)
    var g = value.backward(d.values, input: input, output: output, parameters: weights.value, cache: [], copies: copies)
    if let dq = d.queries, let dk = d.keys, let wq = weights.query, let wk = weights.key {
      BLAS.gemm(dq, weights: wq, rows: weights.n, columns: weights.k, transposeW: true, beta: 1, into: &g)
      BLAS.gemm(dk, weights: wk, rows: weights.n, columns: weights.k, transposeW: true, beta: 1, into: &g)
    }
    return g
  }

  /// `∂W^Q`, `∂W^K`, `∂W^V` for the cotangents summed over the copies (the VJP is linear in them).
  public func parameterGradient(_ cotangent: Matrix, input: Matrix, output: Matrix, parameters: UnsafeBufferPointer<Double>,
                                cache: [Double], copies: Int, into gradient: UnsafeMutableBufferPointer<Double>) {
    guard heads == 1 else {
      for (range, c) in zip(headRanges(parameters.count), headCaches(cache)) {
        head.parameterGradient(cotangent, input: input, output: output, parameters: UnsafeBufferPointer(rebasing: parameters[range]),
                               cache: c, copies: copies, into: UnsafeMutableBufferPointer(rebasing: gradient[range]))
      }
      return
    }
    let weights = AttentionWeights(self, parameters, inputWidth: input.columns, outputWidth: output.columns)
    let pass = AttentionPass(self, weights, input: input, cache: cache)
    let d = pullback(copies == 1 ? cotangent : cotangent.summedPerInput(copies: copies), pass, copies: 1)
    let qk = weights.queryKeyCount
    if let dq = d.queries, let dk = d.keys {
      BLAS.gemm(transposed: input, dq, beta: 1, intoWeights: gradient.baseAddress!)
      BLAS.gemm(transposed: input, dk, beta: 1, intoWeights: gradient.baseAddress! + qk / 2)
    }
    value.parameterGradient(d.values, input: input, output: output, parameters: weights.value, cache: [], copies: 1,
                            into: UnsafeMutableBufferPointer(rebasing: gradient[qk...]))
  }

  public func parameterTangent(_ tangent: UnsafeBufferPointer<Double>, input: Matrix, output: Matrix,
                               parameters: UnsafeBufferPointer<Double>, cache: [Double]) -> Matrix {
    guard heads == 1 else {
      return headsSum(parameters.count, cache) { head, range, c in
        head.parameterTangent(UnsafeBufferPointer(rebasing: tangent[range]), input: input, output: output,
                              parameters: UnsafeBufferPointer(rebasing: parameters[range]), cache: c)
      }
    }
    let weights = AttentionWeights(self, parameters, inputWidth: input.columns, outputWidth: output.columns)
    let moving = AttentionWeights(self, tangent, inputWidth: input.columns, outputWidth: output.columns)
    let pass = AttentionPass(self, weights, input: input, cache: cache)
    var moved = pass.mix(moving.values(input))
    guard let s = pass.softmax, let q = pass.queries, let key = pass.keys, let v = pass.values,
          case let (dq, dk)? = moving.projections(input) else { return moved }
    let m = pass.tokens, k = q.columns, width = v.columns
    var dz = [Double](repeating: 0, count: m)
    for start in stride(from: 0, to: input.rows, by: m) {
      for i in 0..<m {
        let row = start + i, visible = causal ? i + 1 : m
        var mean = 0.0
        for j in 0..<visible {
          var dot = 0.0
          for e in 0..<k {
            dot += dq[row, e] * key[start + j, e] + q[row, e] * dk[start + j, e]
          }
          dz[j] = pass.scale * dot
          mean += s[row, j] * dz[j]
        }
        for j in 0..<visible {
          let da = beta * pass.rescale[i] * s[row, j] * (dz[j] - mean)
          for u in 0..<width { moved[row, u] += da * v[start + j, u] }
        }
      }
    }
    return moved
  }

  public func accumulateNTK(_ cotangent: Matrix, input: Matrix, output: Matrix, parameters: UnsafeBufferPointer<Double>,
                            cache: [Double], layout: CotangentLayout, into ntk: inout Matrix) {
    guard heads == 1 else {
      for (range, c) in zip(headRanges(parameters.count), headCaches(cache)) {
        head.accumulateNTK(cotangent, input: input, output: output, parameters: UnsafeBufferPointer(rebasing: parameters[range]),
                           cache: c, layout: layout, into: &ntk)
      }
      return
    }
    let weights = AttentionWeights(self, parameters, inputWidth: input.columns, outputWidth: output.columns)
    let pass = AttentionPass(self, weights, input: input, cache: cache)
    let d = pullback(cotangent, pass, copies: layout.copies)
    value.accumulateNTK(d.values, input: input, output: output, parameters: weights.value, cache: [], layout: layout,
                        into: &ntk)
    guard let dq = d.queries, let dk = d.keys else { return }
    let features = BLAS.gram(input)
    layout.accumulate(signal: dq, features: features, into: &ntk)
    layout.accumulate(signal: dk, features: features, into: &ntk)
  }

  /// `∂V`, `∂Q`, `∂K` (the last two `nil` at `σ_Q = 0`) from the cotangents `g` of the output,
  /// row `y·copies + c` for seed `c` at row `y`, each seed pulled back within its sequence.
  func pullback(_ g: Matrix, _ pass: AttentionPass, copies: Int) -> (values: Matrix, queries: Matrix?, keys: Matrix?) {
    let m = pass.tokens, width = g.columns, batch = g.rows / copies
    var dv = Matrix(rows: g.rows, columns: width)
    let logits = pass.softmax != nil
    let k = pass.queries?.columns ?? 0
    var dq = Matrix(rows: logits ? g.rows : 0, columns: k), dk = dq
    var dots = [Double](repeating: 0, count: m)
    let a = pass.matrices.elements, s = pass.softmax?.elements ?? [], q = pass.queries?.elements ?? []
    let key = pass.keys?.elements ?? [], v = pass.values?.elements ?? []
    g.elements.withUnsafeBufferPointer { pg in
      dv.elements.withUnsafeMutableBufferPointer { pv in
        dq.elements.withUnsafeMutableBufferPointer { pq in
          dk.elements.withUnsafeMutableBufferPointer { pk in
            for start in stride(from: 0, to: batch, by: m) {
              for c in 0..<copies {
                for i in 0..<m {
                  let row = start + i, visible = causal ? i + 1 : m, gi = (row * copies + c) * width
                  for j in 0..<visible {
                    let weight = a[row * m + j], target = ((start + j) * copies + c) * width
                    for u in 0..<width { pv[target + u] += weight * pg[gi + u] }
                  }
                  guard logits else { continue }
                  var mean = 0.0
                  for j in 0..<visible {
                    var dot = 0.0
                    for u in 0..<width { dot += pg[gi + u] * v[(start + j) * width + u] }
                    dots[j] = dot
                    mean += s[row * m + j] * dot
                  }
                  let factor = beta * pass.rescale[i] * pass.scale, qi = (row * copies + c) * k
                  for j in 0..<visible {
                    let dz = factor * s[row * m + j] * (dots[j] - mean), kj = ((start + j) * copies + c) * k
                    for e in 0..<k {
                      pq[qi + e] += dz * key[(start + j) * k + e]
                      pk[kj + e] += dz * q[row * k + e]
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    return (dv, logits ? dq : nil, logits ? dk : nil)
  }
}

/// An attention layer's parameters at given widths, laid out as `Attention.initialize` draws them:
/// `W^Q`, `W^K` (`n × n_k` each, row-major; absent at `σ_Q = 0`), then `W^V` as `value`'s.
struct AttentionWeights {
  let layer: Attention
  let n: Int
  let k: Int
  let outputWidth: Int
  let query: UnsafePointer<Double>?
  let key: UnsafePointer<Double>?
  let value: UnsafeBufferPointer<Double>

  init(_ layer: Attention, _ parameters: UnsafeBufferPointer<Double>, inputWidth n: Int, outputWidth: Int) {
    self.layer = layer
    self.n = n
    k = layer.keys ?? n
    self.outputWidth = outputWidth
    let qk = parameters.count - n * outputWidth
    query = qk > 0 ? parameters.baseAddress! : nil
    key = qk > 0 ? parameters.baseAddress! + qk / 2 : nil
    value = UnsafeBufferPointer(rebasing: parameters[qk...])
  }

  /// Entries of `W^Q` and `W^K` together.
  var queryKeyCount: Int { query == nil ? 0 : 2 * n * k }

  /// `V = X·W^V·ω`.
  func values(_ x: Matrix) -> Matrix {
    var unused: [Double] = []
    return layer.value.forward(x, parameters: value, outputWidth: outputWidth, tokens: 1, random: RandomStream(seed: 0),
                               cache: &unused)
  }

  /// `(X·W^Q, X·W^K)`, `nil` at `σ_Q = 0`.
  func projections(_ x: Matrix) -> (Matrix, Matrix)? {
    guard let query, let key else { return nil }
    var q = Matrix(rows: x.rows, columns: k), kx = Matrix(rows: x.rows, columns: k)
    BLAS.gemm(x, weights: query, rows: n, columns: k, transposeW: false, into: &q)
    BLAS.gemm(x, weights: key, rows: n, columns: k, transposeW: false, into: &kx)
    return (q, kx)
  }
}

/// What attention's derivatives read of one forward pass, recomputed from its input, parameters
/// and cache (token count, then the softmax rows at `σ_Q ≠ 0`).
struct AttentionPass {
  let tokens: Int
  /// `A` per sequence, `batch × m`: row `(q, i)` is row `i` of sequence `q`'s matrix.
  let matrices: Matrix
  /// `S` likewise, `Q`, `K`, `V`; all `nil` at `σ_Q = 0`.
  let softmax: Matrix?
  let queries: Matrix?
  let keys: Matrix?
  let values: Matrix?
  /// `D` and the logits' factor `s = 1/(n·τ)`.
  let rescale: [Double]
  let scale: Double

  init(_ layer: Attention, _ weights: AttentionWeights, input: Matrix, cache: [Double]) {
    let m = Int(cache[0]), batch = input.rows
    tokens = m
    rescale = try! layer.pattern.rescalingAndBias(tokens: m, causal: layer.causal, layer: layer.specification).d
    scale = layer.logitScale(inputWidth: weights.n, keys: weights.k)
    var a = Matrix(rows: batch, columns: m)
    if case let (q, key)? = weights.projections(input) {
      let s = try! Matrix(rows: batch, columns: m, elements: Array(cache[1...]))
      var row = [Double](repeating: 0, count: m)
      for y in 0..<batch {
        let i = y % m, visible = layer.causal ? i + 1 : m
        for j in 0..<visible { row[j] = s[y, j] }
        AttentionRow.affine(&row, row: i, visible: visible, alpha: layer.alpha, beta: layer.beta, gamma: layer.gamma,
                            rescale: rescale[i])
        for j in 0..<visible { a[y, j] = row[j] }
      }
      (softmax, queries, keys, values) = (s, q, key, weights.values(input))
    } else {
      let a0 = try! layer.zeroLogitMatrix(tokens: m)
      for y in 0..<batch { for j in 0..<m { a[y, j] = a0[y % m, j] } }
      (softmax, queries, keys, values) = (nil, nil, nil, nil)
    }
    matrices = a
  }

  /// `A·U` per sequence (`U`: `batch × any`).
  func mix(_ u: Matrix) -> Matrix {
    let m = tokens
    var out = Matrix(rows: u.rows, columns: u.columns)
    for y in 0..<u.rows {
      let start = y - y % m
      for j in 0..<m where matrices[y, j] != 0 {
        for e in 0..<u.columns { out[y, e] += matrices[y, j] * u[start + j, e] }
      }
    }
    return out
  }
}
