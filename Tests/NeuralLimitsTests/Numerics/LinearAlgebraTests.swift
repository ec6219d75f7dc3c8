import Foundation
import Synchronization
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

  @Test("With β = 0 the output is not read: NaN there does not spread, also for an empty inner dimension")
  func gemmBetaZeroOverwrites() throws {
    let a = randomMatrix(6, 4, seed: 4), b = randomMatrix(4, 5, seed: 5)
    var c = try Matrix(rows: 6, columns: 5, elements: [Double](repeating: .nan, count: 30))
    BLAS.gemm(a, b, into: &c)
    #expect(c.maxAbsDifference(a * b) < 1e-13)
    c = try Matrix(rows: 6, columns: 5, elements: [Double](repeating: .nan, count: 30))
    BLAS.gemm(Matrix(rows: 6, columns: 0), Matrix(rows: 0, columns: 5), into: &c)
    #expect(c == Matrix(rows: 6, columns: 5))
    var w = [Double](repeating: .infinity, count: 20)
    w.withUnsafeMutableBufferPointer { BLAS.gemm(transposed: Matrix(rows: 0, columns: 4), Matrix(rows: 0, columns: 5), intoWeights: $0.baseAddress!) }
    #expect(w == [Double](repeating: 0, count: 20))
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

  @Test("A matrix that is not positive definite throws, naming the failing pivot and its value")
  func choleskyRejectsIndefinite() throws {
    let a = try Matrix([[1, 2], [2, 1]])
    #expect(throws: NeuralLimitsError.notPositiveDefinite(column: 2, pivot: -3, jitter: 0)) { try Cholesky(a) }
    #expect(throws: NeuralLimitsError.self) { try Cholesky(try Matrix([[1, .nan], [.nan, 1]])) }
    // Jitter rescues a singular PSD matrix.
    let singular = try Matrix([[1, 1], [1, 1]])
    #expect(throws: NeuralLimitsError.self) { try Cholesky(singular) }
    #expect(try Cholesky(singular, jitter: 1e-9).lower[1, 1] > 0)
    // Past OpenBLAS's blocking too: the pivot of a diagonal matrix is its entry.
    var late = Matrix.identity(300)
    late[199, 199] = -1
    #expect(throws: NeuralLimitsError.notPositiveDefinite(column: 200, pivot: -1, jitter: 0)) { try Cholesky(late) }
    // In a later block of the blocked factorisation (n > 512, blocks of 256).
    var later = Matrix.identity(900)
    later[700, 700] = -2
    #expect(throws: NeuralLimitsError.notPositiveDefinite(column: 701, pivot: -2, jitter: 0)) { try Cholesky(later) }
  }

  @Test("Blocked Cholesky (n = 1,100: blocks of 256 and a remainder): L·Lᵀ = A to 1e-13, solves to 1e-11")
  func blockedCholesky() throws {
    let a = randomSPD(1100, seed: 5)
    let factor = try Cholesky(a)
    let scale = a.elements.reduce(0) { max($0, abs($1)) }
    #expect((factor.lower * factor.lower.transposed).maxAbsDifference(a) < 1e-13 * scale)
    #expect((0..<1100).allSatisfy { i in (i + 1..<1100).allSatisfy { factor.lower[i, $0] == 0 } })
    let b = randomMatrix(1100, 2, seed: 6)
    #expect((a * (try factor.solve(b)) - b).frobeniusNorm / b.frobeniusNorm < 1e-11)
  }

  @Test("Blocked solves (n = 1,100: blocks of 256 and a remainder) against substitution: B·L⁻ᵀ, B·A⁻¹, L⁻¹·B for 1, 2, 7 columns")
  func blockedSolves() throws {
    let n = 1100, a = randomSPD(n, seed: 5), b = randomMatrix(7, n, seed: 9)
    let factor = try Cholesky(a), l = factor.lower
    // Forward and back substitution, row by row: row r of B·L⁻ᵀ is L⁻¹bᵣ, of B·A⁻¹ then L⁻ᵀ of that.
    var w = b, x = b
    for r in 0..<b.rows {
      for i in 0..<n { w[r, i] = ((0..<i).reduce(b[r, i]) { $0 - l[i, $1] * w[r, $1] }) / l[i, i] }
      for i in (0..<n).reversed() { x[r, i] = ((i + 1..<n).reduce(w[r, i]) { $0 - l[$1, i] * x[r, $1] }) / l[i, i] }
    }
    func relative(_ u: Matrix, _ v: Matrix) -> Double { u.maxAbsDifference(v) / v.elements.reduce(0) { max($0, abs($1)) } }
    #expect(relative(try factor.whiten(rows: b), w) < 1e-13)
    #expect(relative(try factor.solve(rows: b), x) < 1e-13)
    #expect(relative(try factor.whiten(columns: b.transposed), w.transposed) < 1e-13)
    #expect(relative(try factor.solve(b.transposed), x.transposed) < 1e-13)
    // One and two columns (`dtrsv`) as the seven (`dtrsm`).
    for columns in [1, 2] {
      let some = try Matrix(rows: n, columns: columns, elements: (0..<n * columns).map { b[$0 % columns, $0 / columns] })
      let expected = try Matrix(rows: n, columns: columns, elements: (0..<n * columns).map { x[$0 % columns, $0 / columns] })
      #expect(relative(try factor.solve(some), expected) < 1e-13)
    }
  }

  @Test("An ill-conditioned kernel (1,100 points 0.01 apart, Gaussian, noise 1e-8): its ill-conditioned diagonal blocks are solved by substitution; |A − L·Lᵀ| ≤ 2γₙ₊₁|L||Lᵀ|, row solves' residuals within 2× substitution's")
  func blockedIllConditioned() throws {
    let n = 1100
    let a = try Matrix(rows: n, columns: n, elements: (0..<n * n).map { k in
      exp(-pow(Double(k / n - k % n) / 100, 2) / 2) + (k / n == k % n ? 1e-8 : 0)
    })
    let factor = try Cholesky(a), l = factor.lower
    #expect(factor.inverses.usable.contains(false))
    #expect(try Cholesky(randomSPD(n, seed: 5)).inverses.usable == [Bool](repeating: true, count: 5))
    // Higham, Theorem 10.3: |A − L·Lᵀ| ≤ γₙ₊₁|L||Lᵀ| for the computed factor; the product that
    // checks it adds at most γₙ|L||Lᵀ| (γₖ = ku/(1 − ku), u = ε/2).
    let absL = try Matrix(rows: n, columns: n, elements: l.elements.map(abs))
    let scale = absL * absL.transposed, product = l * l.transposed
    let u = Double.ulpOfOne / 2, gamma = Double(n + 1) * u / (1 - Double(n + 1) * u)
    #expect((0..<n * n).allSatisfy { abs(product.elements[$0] - a.elements[$0]) <= 2 * gamma * scale.elements[$0] })
    // Row solves against substitution with the same factor: residuals of the same size.
    let b = randomMatrix(3, n, seed: 10)
    var w = b, x = b
    for r in 0..<b.rows {
      for i in 0..<n { w[r, i] = ((0..<i).reduce(b[r, i]) { $0 - l[i, $1] * w[r, $1] }) / l[i, i] }
      for i in (0..<n).reversed() { x[r, i] = ((i + 1..<n).reduce(w[r, i]) { $0 - l[$1, i] * x[r, $1] }) / l[i, i] }
    }
    let blockedW = try factor.whiten(rows: b), blockedX = try factor.solve(rows: b)
    #expect((blockedW * l.transposed).maxAbsDifference(b) <= 2 * (w * l.transposed).maxAbsDifference(b))
    #expect((blockedX * a).maxAbsDifference(b) <= 2 * (x * a).maxAbsDifference(b))
  }

  @Test("Row solves B·A⁻¹ and B·L⁻ᵀ, the smallest pivot; the upper triangle of the factor is zero")
  func rowSolves() throws {
    let a = randomSPD(300, seed: 6), b = randomMatrix(7, 300, seed: 7)
    let factor = try Cholesky(a)
    #expect(factor.lower.elements.enumerated().allSatisfy { k, x in k % 300 <= k / 300 || x == 0 })
    #expect((factor.lower * factor.lower.transposed).maxAbsDifference(a) < 1e-12 * 300)
    #expect((try factor.solve(rows: b) * a).maxAbsDifference(b) < 1e-10)
    let w = try factor.whiten(rows: b)
    #expect((w * w.transposed).maxAbsDifference(b * (try factor.solve(rows: b)).transposed) < 1e-12)
    #expect((try factor.solve(b.transposed)).maxAbsDifference((try factor.solve(rows: b)).transposed) < 1e-13)
    let pivots = (0..<300).map { factor.lower[$0, $0] * factor.lower[$0, $0] }
    #expect(factor.smallestPivot.value == pivots.min() && pivots[factor.smallestPivot.row] == pivots.min())
    #expect(throws: NeuralLimitsError.self) { try factor.whiten(rows: randomMatrix(2, 299, seed: 8)) }
  }

  @Test("Factoring over a matrix's own storage (n = 900, blocked) gives the copying factor bit for bit, its solves in place too; a failing pivot throws as init does")
  func factorOverwriting() throws {
    // One BLAS thread for both: OpenBLAS's level-2 reductions depend on its thread count, which
    // suites running alongside lower to 1 while they run (`BLAS.withOneThread`).
    try BLAS.withOneThread(factorOverwritingOnOneThread)
  }

  private func factorOverwritingOnOneThread() throws {
    let a = randomSPD(900, seed: 12), b = randomMatrix(5, 900, seed: 13)
    let copying = try Cholesky(a, jitter: 0.5)
    var storage = a
    let (w, x, pivot) = try Cholesky.withFactor(overwriting: &storage, jitter: 0.5) { f in
      var (w, x) = (b, b)
      try f.whiten(rowsInPlace: &w)
      try f.solve(rowsInPlace: &x)
      return (w, x, f.smallestPivot)
    }
    #expect(w == (try copying.whiten(rows: b)))
    #expect(x == (try copying.solve(rows: b)))
    #expect(pivot == copying.smallestPivot)
    // The factor over the lower triangle and the diagonal; above it, `a` as it was.
    #expect((0..<900).allSatisfy { i in (0..<900).allSatisfy { j in storage[i, j] == (j <= i ? copying.lower[i, j] : a[i, j]) } })
    // A failing pivot in a later block.
    var indefinite = a
    indefinite[700, 700] = -1e6
    let expected = #expect(throws: NeuralLimitsError.self) { try Cholesky(indefinite) }
    #expect(throws: expected!) { try Cholesky.withFactor(overwriting: &indefinite) { _ in () } }
  }

  @Test("One-thread regions that overlap: OpenBLAS stays on one thread until the last leaves, then gets its count back")
  func overlappingRegions() {
    let outside = BLAS.threadsOutsideRegions
    let entered = DispatchSemaphore(value: 0), firstLeft = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
    let seen = Mutex<[Int]>([])
    BLAS.withOneThread {
      DispatchQueue.global().async {
        BLAS.withOneThread {
          entered.signal()
          firstLeft.wait()  // the region that entered first has left: this one still runs on one thread
          seen.withLock { $0.append(BLAS.threads) }
        }
        done.signal()
      }
      entered.wait()
      seen.withLock { $0.append(BLAS.threads) }
    }
    firstLeft.signal()
    done.wait()
    #expect(seen.withLock { $0 } == [1, 1])
    #expect(BLAS.threadsOutsideRegions == outside)
  }

  @Test("Cholesky reads only the lower triangle: a non-finite entry there is named, one above is ignored")
  func choleskyNonFinite() throws {
    var a = randomSPD(600, seed: 14)
    a[3, 550] = .nan
    #expect(throws: Never.self) { try Cholesky(a) }
    a[550, 3] = .infinity
    #expect(throws: NeuralLimitsError.invalidArgument("matrix to factor: a non-finite entry, inf, at row 550, column 3")) {
      try Cholesky(a)
    }
  }

  @Test("Symmetric rank-k and rank-2k updates agree with gemm; column scaling")
  func symmetricUpdates() {
    let a = randomMatrix(9, 4, seed: 9), b = randomMatrix(9, 4, seed: 10), c0 = randomSPD(9, seed: 11)
    var c = c0
    BLAS.symmetricRankUpdate(a, alpha: -0.5, beta: 2, into: &c)
    #expect(c.maxAbsDifference(2 * c0 - 0.5 * (a * a.transposed)) < 1e-12)
    #expect(c == c.transposed)
    c = c0
    BLAS.symmetricRank2Update(a, b, alpha: 3, beta: -1, into: &c)
    #expect(c.maxAbsDifference(3 * (a * b.transposed + b * a.transposed) - c0) < 1e-12)
    #expect(c == c.transposed)
    let scaled = a.scalingColumns(by: [1, -2, 0, 0.5])
    var diagonal = Matrix(rows: 4, columns: 4)
    for (j, f) in [1, -2, 0, 0.5].enumerated() { diagonal[j, j] = f }
    #expect(scaled == a * diagonal)
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
