/// How the cotangents of a batched backward walk are laid out, and the two contractions that read
/// them: the empirical NTK's and the Jacobian–vector product's.
///
/// A walk seeds one backward pass per output unit and carries them together: the cotangent of a
/// layer's output (`batch` rows `y`) has `batch·copies` rows, row `y·copies + c` holding seed
/// `c`'s cotangent at row `y`, so a per-row layer maps row `y·copies + c` to its input row `y`.
///
/// - **Per row** (`tokens = 1`, `copies = outputs`): seed `a` at row `y` is `∂f_a(y)/∂h(y)`, the
///   cotangent of output unit `a` of the same row. Exact when no layer mixes rows: an output
///   then depends on its own row only, so every other row's cotangent is zero and is not stored.
/// - **Per sequence** (`tokens = m`, `copies = m·outputs`): with `y` token `t` of sequence `q`,
///   seed `c = b·outputs + a` at row `y` is `∂f_a(q, b)/∂h(q, t)` — how output `a` of token `b`
///   depends on token `t` of the same sequence. Needed when a layer mixes tokens (attention):
///   an output depends on every row of its sequence, and on no other.
///
/// The per-row layout is the per-sequence one with `m = 1`; networks without token mixing keep it
/// (their cotangents are `m` times fewer).
public struct CotangentLayout: Sendable, Equatable {
  /// Output units of the network (`a`).
  public let outputs: Int
  /// `1` (per row) or the sequence length `m` (per sequence).
  public let tokens: Int

  public init(outputs: Int, tokens: Int = 1) {
    precondition(outputs >= 1 && tokens >= 1, "a cotangent layout needs outputs and tokens")
    self.outputs = outputs
    self.tokens = tokens
  }

  /// Seeds per row.
  public var copies: Int { outputs * tokens }

  /// The unit cotangents of the network's output that start the walk (`batch·copies × outputs`):
  /// row `y·copies + b·outputs + a` is `eₐ` when `y` is token `b` of its sequence, else 0.
  public func seeds(batch: Int) -> Matrix {
    var seed = Matrix(rows: batch * copies, columns: outputs)
    for y in 0..<batch {
      let b = y % tokens
      for a in 0..<outputs { seed[y * copies + b * outputs + a, a] = 1 }
    }
    return seed
  }

  /// The empirical NTK's contribution of a weight `W` used as `z = u·W` on every row (`u` the row's
  /// features): adds to `ntk` (`batch × batch`)
  ///
  ///     Θ[(q,b),(q',b')] += Σ_a Σ_{t,t'} ⟨g[(q,t),(b,a)], g[(q',t'),(b',a)]⟩ · features[(q,t),(q',t')],
  ///
  /// since `∂f_a(q,b)/∂W = Σ_t u(q,t) ⊗ g[(q,t),(b,a)]`, `signal` the cotangents of `z`
  /// (`batch·copies × width`) and `features` the rows' `⟨u, u'⟩` (`batch × batch`, with any
  /// multiplier and bias term folded in). Per row (`m = 1`) it is the Hadamard product
  /// `(Σₐ gₐ·g'ₐ) ∘ features`.
  public func accumulate(signal g: Matrix, features: Matrix, into ntk: inout Matrix) {
    let batch = features.rows, width = g.columns
    precondition(g.rows == batch * copies && ntk.rows == batch && ntk.columns == batch, "NTK shapes do not fit")
    let m = tokens
    guard m > 1 else {
      let grouped = try! Matrix(rows: batch, columns: width * copies, elements: g.elements)
      let signal = BLAS.gram(grouped)
      for k in ntk.elements.indices { ntk.elements[k] += signal.elements[k] * features.elements[k] }
      return
    }
    // Rows (q, b, t), columns (a, j): one Gram matrix sums over a and the units j at once.
    let sequences = batch / m, columns = outputs * width
    var grouped = Matrix(rows: batch * m, columns: columns)
    g.elements.withUnsafeBufferPointer { pg in
      grouped.elements.withUnsafeMutableBufferPointer { pr in
        for q in 0..<sequences {
          for b in 0..<m {
            for t in 0..<m {
              let source = ((q * m + t) * copies + b * outputs) * width, target = ((q * m + b) * m + t) * columns
              for e in 0..<columns { pr[target + e] = pg[source + e] }
            }
          }
        }
      }
    }
    let signal = BLAS.gram(grouped)
    let n = signal.columns
    signal.elements.withUnsafeBufferPointer { ps in
      features.elements.withUnsafeBufferPointer { pf in
        ntk.elements.withUnsafeMutableBufferPointer { pk in
          for q in 0..<sequences {
            for q2 in 0..<sequences {
              for b in 0..<m {
                for b2 in 0..<m {
                  var sum = 0.0
                  for t in 0..<m {
                    let row = ((q * m + b) * m + t) * n + (q2 * m + b2) * m, feature = (q * m + t) * batch + q2 * m
                    for t2 in 0..<m { sum += ps[row + t2] * pf[feature + t2] }
                  }
                  pk[(q * m + b) * batch + q2 * m + b2] += sum
                }
              }
            }
          }
        }
      }
    }
  }

  /// The Jacobian–vector product's contribution of one layer: adds
  /// `Σ_t ⟨g[(q,t),(b,a)], moved(q,t)⟩` to `product[(q,b), a]` (`batch × outputs`), `g` the
  /// cotangents of the layer's output and `moved` (`batch × width`) how that output moves.
  public func contract(_ g: Matrix, with moved: Matrix, into product: inout Matrix) {
    let width = moved.columns, m = tokens
    precondition(g.rows == moved.rows * copies && g.columns == width, "JVP shapes do not fit")
    g.elements.withUnsafeBufferPointer { pg in
      moved.elements.withUnsafeBufferPointer { pm in
        for y in 0..<moved.rows {
          let start = y - y % m
          for c in 0..<copies {
            var dot = 0.0
            for j in 0..<width { dot += pg[(y * copies + c) * width + j] * pm[y * width + j] }
            product.elements[(start + c / outputs) * outputs + c % outputs] += dot
          }
        }
      }
    }
  }
}

extension Matrix {
  /// `batch × columns` from `batch·copies × columns`: the rows `x·copies + a` summed over `a`.
  func summedPerInput(copies: Int) -> Matrix {
    var sum = Matrix(rows: rows / copies, columns: columns)
    let width = columns
    sum.elements.withUnsafeMutableBufferPointer { ps in
      elements.withUnsafeBufferPointer { pg in
        for row in 0..<rows {
          let x = row / copies
          for j in 0..<width { ps[x * width + j] += pg[row * width + j] }
        }
      }
    }
    return sum
  }
}
