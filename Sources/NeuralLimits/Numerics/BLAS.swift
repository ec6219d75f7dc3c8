import CLAPACKE

/// Matrix products through OpenBLAS's CBLAS.
public enum BLAS {
  /// `C ← α·op(A)·op(B) + β·C` (`dgemm`), with `op` the transpose when the flag is set; with
  /// `β = 0`, `C` is not read (a NaN in it does not spread).
  public static func gemm(
    _ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false,
    alpha: Double = 1, beta: Double = 0, into c: inout Matrix
  ) {
    let m = transposeA ? a.columns : a.rows
    let k = transposeA ? a.rows : a.columns
    let n = transposeB ? b.rows : b.columns
    precondition((transposeB ? b.columns : b.rows) == k, "gemm: inner dimensions differ")
    precondition(c.rows == m && c.columns == n, "gemm: output has the wrong shape")
    guard m > 0, n > 0 else { return }
    if k == 0 {
      for idx in c.elements.indices { c.elements[idx] = beta == 0 ? 0 : beta * c.elements[idx] }
      return
    }
    a.elements.withUnsafeBufferPointer { pa in
      b.elements.withUnsafeBufferPointer { pb in
        c.elements.withUnsafeMutableBufferPointer { pc in
          cblas_dgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, pa.baseAddress, Int32(a.columns),
            pb.baseAddress, Int32(b.columns), beta, pc.baseAddress, Int32(n))
        }
      }
    }
  }

  /// `C ← α·A·op(W) + β·C` where `W` is a row-major `wRows × wColumns` block of memory (the
  /// weights of a layer, used in place without copying) and `op` its transpose when set.
  public static func gemm(
    _ a: Matrix, weights w: UnsafePointer<Double>, rows wRows: Int, columns wColumns: Int, transposeW: Bool,
    alpha: Double = 1, beta: Double = 0, into c: inout Matrix
  ) {
    let k = transposeW ? wColumns : wRows
    let n = transposeW ? wRows : wColumns
    precondition(a.columns == k && c.rows == a.rows && c.columns == n, "gemm: shapes do not fit")
    guard a.rows > 0, n > 0, k > 0 else { return }
    a.elements.withUnsafeBufferPointer { pa in
      c.elements.withUnsafeMutableBufferPointer { pc in
        cblas_dgemm(
          CblasRowMajor, CblasNoTrans, transposeW ? CblasTrans : CblasNoTrans,
          Int32(a.rows), Int32(n), Int32(k), alpha, pa.baseAddress, Int32(a.columns),
          w, Int32(wColumns), beta, pc.baseAddress, Int32(n))
      }
    }
  }

  /// `W ← α·Aᵀ·B + β·W` into a row-major `a.columns × b.columns` block of memory (a layer's weight
  /// gradient in a flat buffer, written in place).
  public static func gemm(
    transposed a: Matrix, _ b: Matrix, alpha: Double = 1, beta: Double = 0, intoWeights w: UnsafeMutablePointer<Double>
  ) {
    precondition(a.rows == b.rows, "gemm: inner dimensions differ")
    guard a.columns > 0, b.columns > 0 else { return }
    guard a.rows > 0 else {
      for k in 0..<(a.columns * b.columns) { w[k] = beta == 0 ? 0 : beta * w[k] }
      return
    }
    a.elements.withUnsafeBufferPointer { pa in
      b.elements.withUnsafeBufferPointer { pb in
        cblas_dgemm(
          CblasRowMajor, CblasTrans, CblasNoTrans, Int32(a.columns), Int32(b.columns), Int32(a.rows), alpha,
          pa.baseAddress, Int32(a.columns), pb.baseAddress, Int32(b.columns), beta, w, Int32(b.columns))
      }
    }
  }

  /// `α·op(A)·op(B)` as a new matrix (written once, by `dgemm` on all cores, no zero fill first).
  public static func product(
    _ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false, alpha: Double = 1
  ) -> Matrix {
    var c = Matrix(rows: transposeA ? a.columns : a.rows, columns: transposeB ? b.rows : b.columns, uninitialized: ())
    gemm(a, transposeA: transposeA, b, transposeB: transposeB, alpha: alpha, into: &c)
    return c
  }

  /// The Gram matrix `α·A·Aᵀ` (`dsyrk` on the upper triangle, then mirrored).
  public static func gram(_ a: Matrix, alpha: Double = 1) -> Matrix {
    var c = upperGram(a, alpha: alpha)
    c.symmetrizeFromUpper()
    return c
  }

  /// The upper triangle of `α·A·Aᵀ` (`dsyrk`); the lower triangle is left unspecified, for
  /// callers that mirror it later.
  static func upperGram(_ a: Matrix, alpha: Double = 1) -> Matrix {
    var c = Matrix(rows: a.rows, columns: a.rows, uninitialized: ())
    upperRankUpdate(a, alpha: alpha, beta: 0, into: &c)
    return c
  }

  /// `C ← α·A·Aᵀ + β·C` for a symmetric `C` (`dsyrk` on the upper triangle, then mirrored).
  public static func symmetricRankUpdate(_ a: Matrix, alpha: Double = 1, beta: Double = 1, into c: inout Matrix) {
    upperRankUpdate(a, alpha: alpha, beta: beta, into: &c)
    c.symmetrizeFromUpper()
  }

  /// The upper triangle of `C ← α·A·Aᵀ + β·C` (`dsyrk`; with `β = 0` nothing of `C` is read).
  private static func upperRankUpdate(_ a: Matrix, alpha: Double, beta: Double, into c: inout Matrix) {
    precondition(c.rows == a.rows && c.columns == a.rows, "syrk: output has the wrong shape")
    guard a.rows > 0 else { return }
    a.elements.withUnsafeBufferPointer { pa in
      c.elements.withUnsafeMutableBufferPointer { pc in
        cblas_dsyrk(
          CblasRowMajor, CblasUpper, CblasNoTrans, Int32(a.rows), Int32(a.columns), alpha,
          pa.baseAddress, Int32(max(a.columns, 1)), beta, pc.baseAddress, Int32(a.rows))
      }
    }
  }

  /// `C ← α·(A·Bᵀ + B·Aᵀ) + β·C` for a symmetric `C` (`dsyr2k` on the upper triangle, then
  /// mirrored); `A` and `B` have the same shape.
  public static func symmetricRank2Update(_ a: Matrix, _ b: Matrix, alpha: Double = 1, beta: Double = 1,
                                          into c: inout Matrix) {
    precondition(a.rows == b.rows && a.columns == b.columns, "syr2k: A and B differ in shape")
    precondition(c.rows == a.rows && c.columns == a.rows, "syr2k: output has the wrong shape")
    guard a.rows > 0 else { return }
    a.elements.withUnsafeBufferPointer { pa in
      b.elements.withUnsafeBufferPointer { pb in
        c.elements.withUnsafeMutableBufferPointer { pc in
          cblas_dsyr2k(
            CblasRowMajor, CblasUpper, CblasNoTrans, Int32(a.rows), Int32(a.columns), alpha,
            pa.baseAddress, Int32(max(a.columns, 1)), pb.baseAddress, Int32(max(b.columns, 1)), beta, pc.baseAddress,
            Int32(a.rows))
        }
      }
    }
    c.symmetrizeFromUpper()
  }
}

extension Matrix {
  /// The matrix product `self · other`.
  public static func * (a: Matrix, b: Matrix) -> Matrix { BLAS.product(a, b) }
}
