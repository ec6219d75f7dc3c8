import CLAPACKE
import Foundation

/// Cholesky factorisation `A = L·Lᵀ` of a symmetric positive definite matrix (LAPACK `dpotrf`).
public struct Cholesky: Sendable {
  /// The lower-triangular factor (upper triangle zeroed).
  public let lower: Matrix
  /// The jitter `ε` that was added to the diagonal, `A + ε·I = L·Lᵀ`.
  public let jitter: Double

  /// Factors `a + jitter·I`. Throws `notPositiveDefinite` (never traps) when it is not PD,
  /// and `invalidArgument` for a non-square, non-symmetric or non-finite matrix.
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
    let info = l.elements.withUnsafeMutableBufferPointer { p in
      LAPACKE_dpotrf(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "L")), Int32(n), p.baseAddress, Int32(max(n, 1)))
    }
    if info > 0 { throw NeuralLimitsError.notPositiveDefinite(column: Int(info), jitter: jitter) }
    if info < 0 { throw NeuralLimitsError.lapack(routine: "dpotrf", info: Int(info)) }
    for i in 0..<n { for j in (i + 1)..<max(n, i + 1) { l[i, j] = 0 } }
    lower = l
    self.jitter = jitter
  }

  /// Solves `(A + εI)·X = B` for `X` (LAPACK `dpotrs`).
  public func solve(_ b: Matrix) throws -> Matrix {
    guard b.rows == lower.rows else {
      throw NeuralLimitsError.dimensionMismatch("right-hand side has \(b.rows) rows, matrix is \(lower.rows) × \(lower.rows)")
    }
    var x = b
    let n = lower.rows
    let info = lower.elements.withUnsafeBufferPointer { pl in
      x.elements.withUnsafeMutableBufferPointer { px in
        LAPACKE_dpotrs(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "L")), Int32(n), Int32(b.columns),
                       pl.baseAddress, Int32(max(n, 1)), px.baseAddress, Int32(max(b.columns, 1)))
      }
    }
    if info != 0 { throw NeuralLimitsError.lapack(routine: "dpotrs", info: Int(info)) }
    return x
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
