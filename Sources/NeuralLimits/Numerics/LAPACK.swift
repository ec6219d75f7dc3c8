import CLAPACKE
import Foundation

/// Cholesky factorisation `A = L·Lᵀ` of a symmetric positive definite matrix (LAPACK `dpotrf`).
public struct Cholesky: Sendable {
  /// The lower-triangular factor (upper triangle zeroed).
  public let lower: Matrix
  /// The jitter `ε` that was added to the diagonal, `A + ε·I = L·Lᵀ`.
  public let jitter: Double
  /// The inverses of the factor's diagonal blocks (`DiagonalBlockInverses`), for the solves.
  let inverses: DiagonalBlockInverses

  /// Factors `a + jitter·I`. Throws `notPositiveDefinite` (never traps) when it is not PD,
  /// naming the first pivot that is not positive, and `invalidArgument` for a non-square matrix
  /// or a non-finite entry in its lower triangle, the only part of `a` that is read.
  ///
  /// A row-major lower triangle is a column-major upper one: `dpotrf` runs on the matrix in
  /// place, without the two transposed copies that LAPACKE's row-major interface would make.
  /// Above 512 rows the factorisation is blocked right-looking (Golub & Van Loan, Algorithm
  /// 4.2.4) in blocks of `DiagonalBlockInverses.block`: `dpotrf` on the diagonal block, the panel
  /// below it times the block's inverse (`dtrtri`, then `dtrmm`; by `dtrsm` when the block is ill
  /// conditioned; the inverses are kept for the solves) and `dsyrk` for the trailing matrix —
  /// OpenBLAS 0.3.21's own `dpotrf` runs at under half the rate of its `dsyrk` on 2 cores
  /// (measured 54 against 117 GFLOP/s at n = 4,000), and its `dtrsm` on the panels at a third of
  /// `dtrmm`'s rate (24 against 80 GFLOP/s). The residual `A − L·Lᵀ` is as small either way
  /// (5–7·10⁻¹⁵ of the largest entry, kernels with noise 10⁻² to 10⁻¹⁰ at n = 4,000).
  public init(_ a: Matrix, jitter: Double = 0) throws {
    try Self.checkArguments(a, jitter: jitter)
    let n = a.rows
    guard var l = a.lowerTriangle(addingToDiagonal: jitter) else {
      let (i, j) = (0..<n).lazy.flatMap { i in (0...i).lazy.map { (i, $0) } }.first { !a[$0, $1].isFinite }!
      throw NeuralLimitsError.invalidArgument("matrix to factor: a non-finite entry, \(a[i, j]), at row \(i), column \(j)")
    }
    var inverses = DiagonalBlockInverses(n: n)
    try l.elements.withUnsafeMutableBufferPointer { p in
      try Cholesky.check(Cholesky.factorInPlace(p.baseAddress, n, keeping: &inverses), p.baseAddress, n, jitter: jitter)
    }
    lower = l
    self.jitter = jitter
    self.inverses = inverses
  }

  /// Factors the row-major `n × n` matrix at `a` in place (its lower triangle), the inverses of
  /// the diagonal blocks into `inverses` when it is blocked: LAPACK's `info`, `j > 0` when the
  /// leading minor of order `j` is not positive definite.
  fileprivate static func factorInPlace(_ a: UnsafeMutablePointer<Double>?, _ n: Int,
                                        keeping inverses: inout DiagonalBlockInverses) -> Int32 {
    func potrf(_ offset: Int, _ size: Int) -> Int32 {
      LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "U")), Int32(size), a.map { $0 + offset }, Int32(max(n, 1)))
    }
    let block = DiagonalBlockInverses.block
    guard inverses.isBlocked, let a else { return potrf(0, n) }
    for k in stride(from: 0, to: n, by: block) {
      let size = min(block, n - k), rest = n - k - size
      let info = potrf(k * n + k, size)
      if info != 0 { return info > 0 ? info + Int32(k) : info }
      inverses.invert(a + k * n + k, leading: n, size: size, at: k / block)
      guard rest > 0 else { break }
      // L₂₁ = A₂₁·L₁₁⁻ᵀ, then A₂₂ ← A₂₂ − L₂₁·L₂₁ᵀ (lower triangle).
      inverses.rightSolve(k / block, a + k * n + k, leading: n, a + (k + size) * n + k, rows: rest, size: size,
                          transpose: true)
      cblas_dsyrk(CblasRowMajor, CblasLower, CblasNoTrans, Int32(rest), Int32(size), -1, a + (k + size) * n + k, Int32(n),
                  1, a + (k + size) * n + k + size, Int32(n))
    }
    return 0
  }

  /// Throws for a matrix that is not square or a jitter that is negative or not finite.
  private static func checkArguments(_ a: Matrix, jitter: Double) throws {
    guard a.rows == a.columns else {
      throw NeuralLimitsError.dimensionMismatch("Cholesky needs a square matrix, got \(a.rows) × \(a.columns)")
    }
    guard jitter >= 0, jitter.isFinite else {
      throw NeuralLimitsError.invalidArgument("jitter must be finite and ≥ 0, got \(jitter)")
    }
  }

  /// Throws for `factorInPlace`'s `info`: the failing pivot (the Schur complement's diagonal
  /// entry, which `dpotrf` leaves in place) or LAPACK's argument error.
  fileprivate static func check(_ info: Int32, _ a: UnsafePointer<Double>?, _ n: Int, jitter: Double) throws {
    if info > 0 {
      let j = Int(info) - 1
      throw NeuralLimitsError.notPositiveDefinite(column: Int(info), pivot: a![j * n + j], jitter: jitter)
    }
    if info < 0 { throw NeuralLimitsError.lapack(routine: "dpotrf", info: Int(info)) }
  }

  /// Factors `a + jitter·I` in `a`'s own storage and runs `body` on the factor, for a caller
  /// done with `a`: `dpotrf` writes the factor over the lower triangle and the diagonal (what lies
  /// above stays as it was), saving the `N × N` copy that `init` makes. (Storage shared with
  /// another value is copied first, by copy-on-write.) Throws as `init`; `a` must be finite in its
  /// lower triangle, which is not checked again (`KernelBlocks`, the one caller's, are).
  static func withFactor<R>(overwriting a: inout Matrix, jitter: Double = 0,
                            _ body: (CholeskyFactor) throws -> R) throws -> R {
    try checkArguments(a, jitter: jitter)
    let n = a.rows
    var inverses = DiagonalBlockInverses(n: n)
    return try a.elements.withUnsafeMutableBufferPointer { p in
      for i in 0..<n { p[i * n + i] += jitter }
      try check(factorInPlace(p.baseAddress, n, keeping: &inverses), p.baseAddress, n, jitter: jitter)
      return try body(CholeskyFactor(lower: p.baseAddress, n: n, inverses: inverses))
    }
  }

  /// Runs `body` on the factor's storage.
  public func withFactor<R>(_ body: (CholeskyFactor) throws -> R) rethrows -> R {
    try lower.elements.withUnsafeBufferPointer {
      try body(CholeskyFactor(lower: $0.baseAddress, n: lower.rows, inverses: inverses))
    }
  }

  /// Solves `(A + εI)·X = B` for `X` (`CholeskyFactor.solve(_:)`).
  public func solve(_ b: Matrix) throws -> Matrix { try withFactor { try $0.solve(b) } }

  /// `X = B·(A + εI)⁻¹` (`CholeskyFactor.solve(rows:)`).
  public func solve(rows b: Matrix) throws -> Matrix { try withFactor { try $0.solve(rows: b) } }

  /// `L⁻¹·B` (`CholeskyFactor.whiten(columns:)`).
  public func whiten(columns b: Matrix) throws -> Matrix { try withFactor { try $0.whiten(columns: b) } }

  /// `B·L⁻ᵀ` (`CholeskyFactor.whiten(rows:)`).
  public func whiten(rows b: Matrix) throws -> Matrix { try withFactor { try $0.whiten(rows: b) } }

  /// The smallest pivot and its row (`CholeskyFactor.smallestPivot`).
  public var smallestPivot: (row: Int, value: Double) { withFactor(\.smallestPivot) }

  /// `log det(A + εI) = 2 Σ log Lᵢᵢ`.
  public var logDeterminant: Double {
    withFactor { f in (0..<f.n).reduce(0) { $0 + 2 * log(f[$1, $1]) } }
  }
}

/// A Cholesky factor `L` (`L·Lᵀ = A + εI`) on storage it does not own: the lower triangle of a
/// row-major `n × n` matrix (what lies above the diagonal is never read). The solves of
/// `Cholesky` and of a factorisation in place (`Cholesky.withFactor(overwriting:)`).
public struct CholeskyFactor {
  let lower: UnsafePointer<Double>?
  public let n: Int
  /// The inverses of the diagonal blocks, when the factorisation was blocked.
  let inverses: DiagonalBlockInverses

  /// `Lᵢⱼ` for `j ≤ i`.
  public subscript(i: Int, j: Int) -> Double { lower![i * n + j] }

  /// Solves `(A + εI)·X = B` for `X`: two triangular solves on a copy of `B`.
  public func solve(_ b: Matrix) throws -> Matrix {
    var x = try whiten(columns: b)
    triangularSolve(&x, side: CblasLeft, transpose: CblasTrans)
    return x
  }

  /// `L⁻¹·B`: each column `b` of `B` becomes `L⁻¹b`, so that `Zᵀ·Z = Bᵀ·(A + εI)⁻¹·B` for
  /// `Z = whiten(columns: B)` — and `whiten(rows: C)·Z = C·(A + εI)⁻¹·B`.
  public func whiten(columns b: Matrix) throws -> Matrix {
    guard b.rows == n else {
      throw NeuralLimitsError.dimensionMismatch("right-hand side has \(b.rows) rows, matrix is \(n) × \(n)")
    }
    var x = b
    triangularSolve(&x, side: CblasLeft, transpose: CblasNoTrans)
    return x
  }

  /// Solves `X·(A + εI) = B` for `X = B·(A + εI)⁻¹`: each row `b` of `B` becomes `(A + εI)⁻¹b`
  /// (two triangular solves from the right).
  public func solve(rows b: Matrix) throws -> Matrix {
    var x = b.copiedToFreshStorage()
    try solve(rowsInPlace: &x)
    return x
  }

  /// `solve(rows:)` in `b`'s own storage.
  public func solve(rowsInPlace b: inout Matrix) throws {
    try whiten(rowsInPlace: &b)
    triangularSolve(&b, side: CblasRight, transpose: CblasNoTrans)
  }

  /// `B·L⁻ᵀ`: each row `b` of `B` becomes `L⁻¹b` (a triangular solve), so that `W·Wᵀ = B·(A + εI)⁻¹·Bᵀ`
  /// for `W = whiten(rows: B)`.
  public func whiten(rows b: Matrix) throws -> Matrix {
    var x = b.copiedToFreshStorage()
    try whiten(rowsInPlace: &x)
    return x
  }

  /// `whiten(rows:)` in `b`'s own storage.
  public func whiten(rowsInPlace b: inout Matrix) throws {
    guard b.columns == n else {
      throw NeuralLimitsError.dimensionMismatch("rows have \(b.columns) entries, matrix is \(n) × \(n)")
    }
    triangularSolve(&b, side: CblasRight, transpose: CblasTrans)
  }

  /// `X ← op(L)⁻¹·X` (left) or `X ← X·op(L)⁻¹` (right), `op` the transpose when asked. One or
  /// two columns from the left go through `dtrsv`, a column at a time: OpenBLAS 0.3.21's `dtrsm`
  /// packs the whole triangle even for one column (12 ms against `dtrsv`'s 4 at n = 4,000).
  /// From the right, a blocked factor's solve is `blockedRightSolve`.
  private func triangularSolve(_ x: inout Matrix, side: CBLAS_SIDE, transpose: CBLAS_TRANSPOSE) {
    guard x.rows > 0, x.columns > 0 else { return }
    let columns = x.columns
    x.elements.withUnsafeMutableBufferPointer { px in
      if side == CblasRight, inverses.isBlocked {
        blockedRightSolve(px.baseAddress!, rows: x.rows, transpose: transpose == CblasTrans)
      } else if side == CblasLeft, columns <= 2 {
        for j in 0..<columns {
          cblas_dtrsv(CblasRowMajor, CblasLower, transpose, CblasNonUnit, Int32(n), lower, Int32(n),
                      px.baseAddress! + j, Int32(columns))
        }
      } else {
        cblas_dtrsm(CblasRowMajor, side, CblasLower, transpose, CblasNonUnit, Int32(x.rows), Int32(columns), 1,
                    lower, Int32(n), px.baseAddress, Int32(columns))
      }
    }
  }

  /// `X ← X·L⁻ᵀ` (`transpose`) or `X ← X·L⁻¹` for the `rows × n` row-major `X`, by the blocks of
  /// the factorisation, right-looking: for `L⁻ᵀ` the column blocks in order, `Xₖ ← Xₖ·Lₖₖ⁻ᵀ`
  /// (`DiagonalBlockInverses.rightSolve`) then `X_{>k} ← X_{>k} − Xₖ·L_{>k,k}ᵀ` (`dgemm`); for `L⁻¹`
  /// in reverse, `Xₖ ← Xₖ·Lₖₖ⁻¹` then `X_{<k} ← X_{<k} − Xₖ·L_{k,<k}`. All but `rows·n·b` of the
  /// `rows·n²` flops are in `dgemm` (`b` the block): at `X` 1,000 × 4,000, 0.106 s against
  /// OpenBLAS 0.3.21's `dtrsm` on the whole 0.134 s (2 cores, either transpose).
  private func blockedRightSolve(_ x: UnsafeMutablePointer<Double>, rows m: Int, transpose: Bool) {
    let block = DiagonalBlockInverses.block, l = lower!, rows = Int32(m), ld = Int32(n)
    let starts = Array(stride(from: 0, to: n, by: block))
    for k in transpose ? starts : starts.reversed() {
      let size = min(block, n - k)
      inverses.rightSolve(k / block, l + k * n + k, leading: n, x + k, rows: m, size: size, transpose: transpose)
      if transpose, n - k - size > 0 {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, Int32(n - k - size), Int32(size), -1, x + k, ld,
                    l + (k + size) * n + k, ld, 1, x + k + size, ld)
      } else if !transpose, k > 0 {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, Int32(k), Int32(size), -1, x + k, ld, l + k * n, ld,
                    1, x, ld)
      }
    }
  }

  /// The smallest pivot `Lᵢᵢ²` (the Schur complement's diagonal entry where row `i` was
  /// eliminated) and its row: near zero for a numerically singular matrix.
  public var smallestPivot: (row: Int, value: Double) {
    let pivots = (0..<n).map { self[$0, $0] * self[$0, $0] }
    let row = pivots.indices.min { pivots[$0] < pivots[$1] } ?? 0
    return (row, pivots.isEmpty ? .infinity : pivots[row])
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
  /// The lower triangle of a square matrix plus `shift` on the diagonal, the upper triangle zero,
  /// in fresh storage written in one parallel pass (`init(fillingRows:)`) — what `dpotrf` factors
  /// in place — or `nil` when an entry of the lower triangle is not finite (checked in the same pass).
  func lowerTriangle(addingToDiagonal shift: Double) -> Matrix? {
    let n = rows
    let nonFinite = TaskSlots<Bool>(count: n)
    let l = withSharedElements { source in
      Matrix(rows: n, columns: n) { i, row in
        row.update(from: source.base! + i * n, count: i + 1)
        nonFinite.set(i, !allFinite(row, i + 1))
        row[i] += shift
        (row + i + 1).update(repeating: 0, count: n - i - 1)
      }
    }
    return nonFinite.values.contains(true) ? nil : l
  }

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
