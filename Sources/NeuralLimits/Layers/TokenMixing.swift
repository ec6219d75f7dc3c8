import CLAPACKE

/// Mixing the tokens of every sequence by one fixed `m × m` matrix, the linear algebra shared by
/// attention's finite-width side (`A·X` per sequence) and its kernel map (`A·Σ·Aᵀ` per pair of
/// sequences).
enum TokenMixing {
  /// `A·X` for every sequence: rows `s·m ..< (s+1)·m` of `x` (any number of columns) replaced by
  /// `A` times them. `x.rows` is a multiple of `m = a.rows`.
  static func mix(_ a: Matrix, _ x: Matrix, tokens m: Int) -> Matrix {
    precondition(a.rows == m && a.columns == m && x.rows % m == 0, "mixing needs whole sequences")
    var out = Matrix(rows: x.rows, columns: x.columns)
    let columns = x.columns
    a.elements.withUnsafeBufferPointer { pa in
      x.elements.withUnsafeBufferPointer { px in
        out.elements.withUnsafeMutableBufferPointer { po in
          for start in stride(from: 0, to: x.rows, by: m) {
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(columns), Int32(m), 1,
                        pa.baseAddress, Int32(m), px.baseAddress! + start * columns, Int32(max(columns, 1)), 0,
                        po.baseAddress! + start * columns, Int32(max(columns, 1)))
          }
        }
      }
    }
    return out
  }

  /// `(I_N ⊗ A)·K·(I_N ⊗ A)ᵀ` for a symmetric `K` (`Nm × Nm`): block `(p, q)` becomes `A·K_pq·Aᵀ`.
  /// Uses `K = Kᵀ`: the result is `(I ⊗ A)·((I ⊗ A)·K)ᵀ`.
  static func conjugate(_ k: Matrix, by a: Matrix, tokens m: Int) -> Matrix {
    mix(a, mix(a, k, tokens: m).transposed, tokens: m)
  }
}

extension KernelState {
  /// `Σ ↦ A·Σ·Aᵀ` and `Θ ↦ A·Θ·Aᵀ` on every pair of sequences (`m × m` blocks of the input-major
  /// state), the variances read off the new diagonal. Needs every pair's own block, so the state
  /// must be symmetric (`Layer.kernels` evaluates `x1` and `x2` together for sequence models).
  mutating func conjugate(by a: Matrix, tokens m: Int, layer: String) throws {
    guard isSymmetric else {
      throw NeuralLimitsError.invalidArgument("\(layer) mixes tokens: its kernel map needs the kernel of each sequence with itself")
    }
    guard nngp.rows % m == 0 else {
      throw NeuralLimitsError.dimensionMismatch("\(nngp.rows) kernel rows are not whole sequences of \(m) tokens")
    }
    materialize()
    nngp.symmetrizeFromUpper()
    ntk?.symmetrizeFromUpper()
    nngp = TokenMixing.conjugate(nngp, by: a, tokens: m)
    ntk = ntk.map { TokenMixing.conjugate($0, by: a, tokens: m) }
    var1 = nngp.diagonal
    var2 = var1
    checkedFinite = false
  }
}
