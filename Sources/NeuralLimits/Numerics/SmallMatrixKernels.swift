import CLAPACKE

/// In-place kernels on small square row-major matrices held in caller-owned buffers, for loops
/// that take thousands of steps (the covariance SDEs): no allocation per call. Up to
/// `directLimit` the products and the Cholesky factor are plain loops: a BLAS or LAPACK call costs
/// more than the arithmetic there, and OpenBLAS's buffer pool takes a global lock per call, so
/// two threads stepping small SDEs slowed each other down about threefold.
enum SmallMatrixKernels {
  static let directLimit = 16

  /// Overwrites the lower triangle of the `m × m` matrix `a` with its Cholesky factor `L`
  /// (`a = L·Lᵀ`; LAPACK `dpotrf` above `directLimit`) and zeroes the upper triangle. Returns
  /// false, leaving `a` partly overwritten, when `a` is not positive definite.
  static func cholesky(_ a: UnsafeMutablePointer<Double>, _ m: Int) -> Bool {
    if m <= directLimit {
      for j in 0..<m {
        var d = a[j * m + j]
        for k in 0..<j { d -= a[j * m + k] * a[j * m + k] }
        guard d > 0 else { return false }
        let root = d.squareRoot()
        a[j * m + j] = root
        for i in (j + 1)..<max(m, j + 1) {
          var s = a[i * m + j]
          for k in 0..<j { s -= a[i * m + k] * a[j * m + k] }
          a[i * m + j] = s / root
        }
      }
    } else {
      let info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "L")), Int32(m), a, Int32(m))
      guard info == 0 else { return false }
    }
    for i in 0..<m { for j in (i + 1)..<max(m, i + 1) { a[i * m + j] = 0 } }
    return true
  }

  /// A square root `R` with `R·Rᵀ = a₊` of the positive part `a₊` of the symmetric `m × m`
  /// matrix `a` (eigenvalues below 0 set to 0), and `a₊` itself: `root = Q·√Λ₊`, `a ← Q·Λ₊·Qᵀ`
  /// (LAPACK `dsyevd`). Returns the smallest eigenvalue of the original `a`, or nil when LAPACK
  /// fails (non-finite input).
  static func positivePart(_ a: UnsafeMutablePointer<Double>, root: UnsafeMutablePointer<Double>, _ m: Int,
                           eigenvalues w: UnsafeMutablePointer<Double>) -> Double? {
    root.update(from: a, count: m * m)
    let info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "V")), CChar(UInt8(ascii: "U")), Int32(m), root,
                              Int32(m), w)
    guard info == 0 else { return nil }
    let smallest = w[0]
    for k in 0..<m { w[k] = max(w[k], 0).squareRoot() }
    for i in 0..<m { for k in 0..<m { root[i * m + k] *= w[k] } }
    // a₊ = (Q√Λ₊)(Q√Λ₊)ᵀ.
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(m), Int32(m), 1, root, Int32(m), 0, a, Int32(m))
    for i in 0..<m { for j in 0..<i { a[i * m + j] = a[j * m + i] } }
    return smallest
  }

  /// `out = R·Z·Rᵀ` for `m × m` matrices (`R` lower triangular when `triangular`, else full),
  /// through `scratch` (`m × m`); `out` is symmetric when `Z` is.
  static func sandwich(_ r: UnsafePointer<Double>, _ z: UnsafePointer<Double>, _ m: Int, triangular: Bool,
                       scratch: UnsafeMutablePointer<Double>, into out: UnsafeMutablePointer<Double>) {
    if m <= directLimit {
      // scratch = R·Z, out = scratch·Rᵀ (R's zero upper triangle skipped when triangular).
      for i in 0..<m {
        let last = triangular ? i : m - 1
        for j in 0..<m {
          var s = 0.0
          for k in 0...last { s += r[i * m + k] * z[k * m + j] }
          scratch[i * m + j] = s
        }
      }
      for i in 0..<m {
        for j in 0..<m {
          let last = triangular ? j : m - 1
          var s = 0.0
          for k in 0...last { s += scratch[i * m + k] * r[j * m + k] }
          out[i * m + j] = s
        }
      }
      return
    }
    let n = Int32(m)
    if triangular {
      // scratch = R·Z, then out = scratch·Rᵀ.
      scratch.update(from: z, count: m * m)
      cblas_dtrmm(CblasRowMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, n, n, 1, r, n, scratch, n)
      out.update(from: scratch, count: m * m)
      cblas_dtrmm(CblasRowMajor, CblasRight, CblasLower, CblasTrans, CblasNonUnit, n, n, 1, r, n, out, n)
    } else {
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, r, n, z, n, 0, scratch, n)
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, n, 1, scratch, n, r, n, 0, out, n)
    }
  }

  /// `out = a·b` for `m × m` matrices.
  static func multiply(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ m: Int, into out: UnsafeMutablePointer<Double>) {
    if m <= directLimit {
      for i in 0..<m {
        for j in 0..<m {
          var s = 0.0
          for k in 0..<m { s += a[i * m + k] * b[k * m + j] }
          out[i * m + j] = s
        }
      }
      return
    }
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(m), Int32(m), 1, a, Int32(m), b, Int32(m), 0, out,
                Int32(m))
  }
}
