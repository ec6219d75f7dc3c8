import CLAPACKE
import Foundation

/// Cholesky factorisation `A = L·Lᵀ` of a symmetric positive definite matrix (LAPACK `dpotrf`).
public struct Cholesky: Sendable {
  /// The lower-triangular factor (upper triangle zeroed).
  public let lower: Matrix
  /// The jitter `ε` that was added to the diagonal, `A + ε·I = L·Lᵀ`.
  public let jitter: Double

  /// Factors `a + jitter·I`. Throws `notPositiveDefinite` (never traps) when it is not PD,
  /// naming the first pivot that is not positive, and `invalidArgument` for a non-square or
  /// non-finite matrix. Only the lower triangle of `a` is read.
  ///
  /// A row-major lower triangle is a column-major upper one: `dpotrf` runs on the matrix in
  /// place, without the two transposed copies that LAPACKE's row-major interface would make.
  /// Above 512 rows the factorisation is blocked right-looking (Golub & Van Loan, Algorithm
  /// 4.2.4) in blocks of 256: `dpotrf` on the diagonal block, `dtrsm` for the panel below it and
  /// `dsyrk` for the trailing matrix — OpenBLAS 0.3.21's own `dpotrf` runs at under half the rate
  /// of its `dsyrk` on 2 cores (measured 54 against 117 GFLOP/s at n = 4,000).
  public init(_ a: Matrix, jitter: Double = 0) throws {
    guard a.rows == a.columns else {
      throw NeuralLimitsError.dimensionMismatch("Cholesky needs a square matrix, got \(a.rows) × \(a.columns)")
    }
    try a.validateFinite("matrix to factor")
    guard jitter >= 0, jitter.isFinite else {
      throw NeuralLimitsError.invalidArgument("jitter must be finite and ≥ 0, got \(jitter)")
    }
    let n = a.rows
    var l = a
    for i in 0..<n { l[i, i] += jitter }
    let info = l.elements.withUnsafeMutableBufferPointer { p in Cholesky.factorInPlace(p.baseAddress, n) }
    // dpotrf leaves the failing pivot, the Schur complement's diagonal entry, in place.
    if info > 0 {
      throw NeuralLimitsError.notPositiveDefinite(column: Int(info), pivot: l[Int(info) - 1, Int(info) - 1], jitter: jitter)
    }
    if info < 0 { throw NeuralLimitsError.lapack(routine: "dpotrf", info: Int(info)) }
    l.elements.withUnsafeMutableBufferPointer { p in
      for i in 0..<n { (p.baseAddress! + i * n + i + 1).update(repeating: 0, count: n - i - 1) }
    }
    lower = l
    self.jitter = jitter
  }

  /// Factors the row-major `n × n` matrix at `a` in place (its lower triangle): LAPACK's `info`,
  /// `j > 0` when the leading minor of order `j` is not positive definite.
  private static func factorInPlace(_ a: UnsafeMutablePointer<Double>?, _ n: Int) -> Int32 {
    func potrf(_ offset: Int, _ size: Int) -> Int32 {
      LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "U")), Int32(size), a.map { $0 + offset }, Int32(max(n, 1)))
    }
    let block = 256
    guard n > 2 * block, let a else { return potrf(0, n) }
    for k in stride(from: 0, to: n, by: block) {
      let size = min(block, n - k), rest = n - k - size
      let info = potrf(k * n + k, size)
      if info != 0 { return info > 0 ? info + Int32(k) : info }
      guard rest > 0 else { break }
      // L₂₁ = A₂₁·L₁₁⁻ᵀ, then A₂₂ ← A₂₂ − L₂₁·L₂₁ᵀ (lower triangle).
      cblas_dtrsm(CblasRowMajor, CblasRight, CblasLower, CblasTrans, CblasNonUnit, Int32(rest), Int32(size), 1,
                  a + k * n + k, Int32(n), a + (k + size) * n + k, Int32(n))
      cblas_dsyrk(CblasRowMajor, CblasLower, CblasNoTrans, Int32(rest), Int32(size), -1, a + (k + size) * n + k, Int32(n),
                  1, a + (k + size) * n + k + size, Int32(n))
    }
    return 0
  }

  /// Solves `(A + εI)·X = B` for `X`: two triangular solves (`dtrsm`) on a copy of `B`.
  public func solve(_ b: Matrix) throws -> Matrix {
    guard b.rows == lower.rows else {
      throw NeuralLimitsError.dimensionMismatch("right-hand side has \(b.rows) rows, matrix is \(lower.rows) × \(lower.rows)")
    }
    var x = b
    triangularSolve(&x, side: CblasLeft, transpose: CblasNoTrans)
    triangularSolve(&x, side: CblasLeft, transpose: CblasTrans)
    return x
  }

  /// Solves `X·(A + εI) = B` for `X = B·(A + εI)⁻¹`: each row `b` of `B` becomes `(A + εI)⁻¹b`
  /// (two `dtrsm` from the right).
  public func solve(rows b: Matrix) throws -> Matrix {
    var x = try whiten(rows: b)
    triangularSolve(&x, side: CblasRight, transpose: CblasNoTrans)
    return x
  }

  /// `B·L⁻ᵀ`: each row `b` of `B` becomes `L⁻¹b` (`dtrsm`), so that `W·Wᵀ = B·(A + εI)⁻¹·Bᵀ`
  /// for `W = whiten(rows: B)`.
  public func whiten(rows b: Matrix) throws -> Matrix {
    guard b.columns == lower.rows else {
      throw NeuralLimitsError.dimensionMismatch("rows have \(b.columns) entries, matrix is \(lower.rows) × \(lower.rows)")
    }
    var x = b
    triangularSolve(&x, side: CblasRight, transpose: CblasTrans)
    return x
  }

  /// `X ← op(L)⁻¹·X` (left) or `X ← X·op(L)⁻¹` (right), `op` the transpose when asked.
  private func triangularSolve(_ x: inout Matrix, side: CBLAS_SIDE, transpose: CBLAS_TRANSPOSE) {
    guard x.rows > 0, x.columns > 0 else { return }
    let n = lower.rows
    lower.elements.withUnsafeBufferPointer { pl in
      x.elements.withUnsafeMutableBufferPointer { px in
        cblas_dtrsm(CblasRowMajor, side, CblasLower, transpose, CblasNonUnit, Int32(x.rows), Int32(x.columns), 1,
                    pl.baseAddress, Int32(n), px.baseAddress, Int32(x.columns))
      }
    }
  }

  /// The smallest pivot `Lᵢᵢ²` (the Schur complement's diagonal entry where row `i` was
  /// eliminated) and its row: near zero for a numerically singular matrix.
  public var smallestPivot: (row: Int, value: Double) {
    let pivots = (0..<lower.rows).map { lower[$0, $0] * lower[$0, $0] }
    let row = pivots.indices.min { pivots[$0] < pivots[$1] } ?? 0
    return (row, pivots.isEmpty ? .infinity : pivots[row])
  }

  /// `log det(A + εI) = 2 Σ log Lᵢᵢ`.
  public var logDeterminant: Double {
    (0..<lower.rows).reduce(0) { $0 + 2 * log(lower[$1, $1]) }
  }
}

/// Eigen-decomposition `A = V·diag(λ)·Vᵀ` of a symmetric matrix (LAPACK `dsyevd`).
public struct SymmetricEigen: Sendable {
  /// Eigenvalues in ascending order.
  public let values: [Double]
  /// Eigenvectors as columns, `vectors[:, k]` belongs to `values[k]`.
  public let vectors: Matrix

  public init(_ a: Matrix) throws {
    guard a.rows == a.columns else {
      throw NeuralLimitsError.dimensionMismatch("eigen-decomposition needs a square matrix, got \(a.rows) × \(a.columns)")
    }
    try a.validateFinite("matrix to decompose")
    let n = a.rows
    var v = a
    var w = [Double](repeating: 0, count: n)
    let info = v.elements.withUnsafeMutableBufferPointer { pv in
      w.withUnsafeMutableBufferPointer { pw in
        LAPACKE_dsyevd(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "V")), CChar(UInt8(ascii: "U")),
                       Int32(n), pv.baseAddress, Int32(max(n, 1)), pw.baseAddress)
      }
    }
    if info != 0 { throw NeuralLimitsError.lapack(routine: "dsyevd", info: Int(info)) }
    values = w
    vectors = v
  }

  /// `V·diag(f(λ))·Vᵀ`.
  public func reconstruct(_ f: (Double) -> Double = { $0 }) -> Matrix {
    let n = values.count
    var scaled = vectors
    for i in 0..<n { for k in 0..<n { scaled[i, k] *= f(values[k]) } }
    return BLAS.product(scaled, vectors, transposeB: true)
  }
}

extension Matrix {
  /// The nearest positive semi-definite matrix in Frobenius norm: negative eigenvalues set to 0.
  public func psdProjection() throws -> Matrix {
    try SymmetricEigen(self).reconstruct { max($0, 0) }
  }

  /// The PSD square root `A^{1/2}` (negative eigenvalues above `-tolerance·λmax` clipped to 0).
  /// Throws when an eigenvalue is clearly negative.
  public func symmetricSquareRoot(tolerance: Double = 1e-10) throws -> Matrix {
    let eigen = try SymmetricEigen(self)
    let scale = max(eigen.values.last ?? 0, 0)
    if let worst = eigen.values.first, worst < -tolerance * max(scale, 1) {
      throw NeuralLimitsError.invalidArgument("matrix is not positive semi-definite (eigenvalue \(worst))")
    }
    return eigen.reconstruct { max($0, 0).squareRoot() }
  }
}
