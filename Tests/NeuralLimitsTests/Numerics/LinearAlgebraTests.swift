import Foundation
import Testing
@testable import NeuralLimits

/// A random matrix with entries from a fixed stream.
func randomMatrix(_ rows: Int, _ columns: Int, seed: UInt64) -> Matrix {
  try! Matrix(rows: rows, columns: columns, elements: RandomStream(seed: seed).gaussians(rows * columns))
}

/// A random symmetric positive definite matrix `A·Aᵀ + n·I`.
func randomSPD(_ n: Int, seed: UInt64) -> Matrix {
  BLAS.gram(randomMatrix(n, n, seed: seed)) + Double(n) * Matrix.identity(n)
}

@Suite("Linear algebra (OpenBLAS, LAPACKE)")
struct LinearAlgebraTests {
  @Test("gemm agrees with the naive triple loop, with and without transposes")
  func gemmMatchesNaive() {
    let a = randomMatrix(7, 5, seed: 1), b = randomMatrix(5, 6, seed: 2)
    var naive = Matrix(rows: 7, columns: 6)
    for i in 0..<7 { for j in 0..<6 { for k in 0..<5 { naive[i, j] += a[i, k] * b[k, j] } } }
    #expect((a * b).maxAbsDifference(naive) < 1e-13)
    #expect(BLAS.product(a.transposed, transposeA: true, b.transposed, transposeB: true).maxAbsDifference(naive) < 1e-13)
    #expect(BLAS.gram(a).maxAbsDifference(a * a.transposed) < 1e-13)
  }

  @Test("Cholesky solve of a random SPD system has residual below 1e-12")
  func choleskySolve() throws {
    let a = randomSPD(40, seed: 3)
    let b = randomMatrix(40, 3, seed: 4)
    let x = try Cholesky(a).solve(b)
    let residual = (a * x - b).frobeniusNorm / b.frobeniusNorm
    #expect(residual < 1e-12)
    // log det from the factor against the eigenvalues.
    let logDet = try SymmetricEigen(a).values.reduce(0) { $0 + log($1) }
    #expect(abs(try Cholesky(a).logDeterminant - logDet) < 1e-10 * abs(logDet))
  }

  @Test("A matrix that is not positive definite throws, naming the failing column")
  func choleskyRejectsIndefinite() throws {
    let a = try Matrix([[1, 2], [2, 1]])
    #expect(throws: NeuralLimitsError.notPositiveDefinite(column: 2, jitter: 0)) { try Cholesky(a) }
    #expect(throws: NeuralLimitsError.self) { try Cholesky(try Matrix([[1, .nan], [.nan, 1]])) }
    // Jitter rescues a singular PSD matrix.
    let singular = try Matrix([[1, 1], [1, 1]])
    #expect(throws: NeuralLimitsError.self) { try Cholesky(singular) }
    #expect(try Cholesky(singular, jitter: 1e-9).lower[1, 1] > 0)
  }

  @Test("Eigen-decomposition reconstructs the matrix; PSD projection and square root")
  func eigen() throws {
    let a = randomSPD(12, seed: 5)
    let eigen = try SymmetricEigen(a)
    #expect(eigen.reconstruct().maxAbsDifference(a) < 1e-11)
    #expect(zip(eigen.values, eigen.values.dropFirst()).allSatisfy { $0 <= $1 })
    let root = try a.symmetricSquareRoot()
    #expect((root * root).maxAbsDifference(a) < 1e-10)
    let indefinite = try Matrix([[1, 2], [2, 1]])  // eigenvalues −1 and 3
    let projected = try indefinite.psdProjection()
    #expect(projected.maxAbsDifference(try Matrix([[1.5, 1.5], [1.5, 1.5]])) < 1e-14)
    #expect(throws: NeuralLimitsError.self) { try indefinite.symmetricSquareRoot() }
  }
}
