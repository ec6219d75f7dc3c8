import CLAPACKE

/// The inverses `Lₖₖ⁻¹` of a blocked Cholesky factor's diagonal blocks (`block × block`, the last
/// one possibly smaller), each in a `block × block` row-major slot (lower triangle, zeros above),
/// made by the factorisation and read by it and by the solves (`rightSolve`): multiplying a block
/// of rows by an inverse (`dtrmm`) runs at about three times OpenBLAS 0.3.21's `dtrsm` on panels
/// of 256 columns. But it is not backward stable: its error grows with `κ₁(Lₖₖ)` where
/// substitution's need not (Higham, *Accuracy and Stability of Numerical Algorithms*, ch. 14).
/// Measured against substitution in extended precision (`X·L⁻ᵀ`, `X` 4 × 2,000): as accurate up
/// to `κ₁ ≈ 7·10³` (6·10⁻¹⁵ against `dtrsm`'s 3·10⁻¹⁵), 7 times less at `8·10⁴`, 200 times at
/// `10⁷`. So a block whose `κ₁(Lₖₖ) = ‖Lₖₖ‖₁‖Lₖₖ⁻¹‖₁` exceeds `conditionLimit` is solved by
/// `dtrsm` instead. Empty for `n ≤ 2·block`, which is factored unblocked.
struct DiagonalBlockInverses: Sendable {
  static let block = 256
  /// The largest `κ₁(Lₖₖ)` whose inverse is used.
  static let conditionLimit = 1e4
  private var storage: [Double]
  /// Whether slot `k`'s inverse is used (`κ₁(Lₖₖ) ≤ conditionLimit`).
  private(set) var usable: [Bool]

  init(n: Int) {
    let blocks = n > 2 * Self.block ? (n + Self.block - 1) / Self.block : 0
    storage = [Double](repeating: 0, count: blocks * Self.block * Self.block)
    usable = [Bool](repeating: false, count: blocks)
  }

  var isBlocked: Bool { !usable.isEmpty }

  /// Slot `index` ← the inverse of the `size × size` lower triangle at `l` (leading dimension
  /// `leading`), whose diagonal `dpotrf` left positive (so `dtrtri` cannot fail), and whether
  /// its condition number allows its use.
  mutating func invert(_ l: UnsafePointer<Double>, leading: Int, size: Int, at index: Int) {
    let block = Self.block
    usable[index] = storage.withUnsafeMutableBufferPointer { p in
      let slot = p.baseAddress! + index * block * block
      for i in 0..<size { (slot + i * block).update(from: l + i * leading, count: i + 1) }
      let info = LAPACKE_dtrtri_work(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "U")), CChar(UInt8(ascii: "N")), Int32(size),
                                     slot, Int32(block))
      assert(info == 0, "dtrtri after dpotrf: info \(info)")
      // ‖T‖₁, the largest column sum of |T|, for the lower triangles of Lₖₖ and of its inverse.
      func norm(_ t: UnsafePointer<Double>, _ leading: Int) -> Double {
        var sums = [Double](repeating: 0, count: size)
        for i in 0..<size { for j in 0...i { sums[j] += abs(t[i * leading + j]) } }
        return sums.max() ?? 0
      }
      return norm(l, leading) * norm(slot, block) <= Self.conditionLimit
    }
  }

  /// `X ← X·Lₖₖ⁻ᵀ` (`transpose`) or `X ← X·Lₖₖ⁻¹` for the `rows × size` block `X` at `x` (leading
  /// dimension `leading`, as `Lₖₖ`'s at `l`): by the inverse in slot `index` (`dtrmm`) when it is
  /// usable, else by substitution (`dtrsm`).
  func rightSolve(_ index: Int, _ l: UnsafePointer<Double>, leading: Int, _ x: UnsafeMutablePointer<Double>, rows: Int,
                  size: Int, transpose: Bool) {
    let op = transpose ? CblasTrans : CblasNoTrans
    guard usable[index] else {
      cblas_dtrsm(CblasRowMajor, CblasRight, CblasLower, op, CblasNonUnit, Int32(rows), Int32(size), 1, l, Int32(leading),
                  x, Int32(leading))
      return
    }
    storage.withUnsafeBufferPointer { p in
      cblas_dtrmm(CblasRowMajor, CblasRight, CblasLower, op, CblasNonUnit, Int32(rows), Int32(size), 1,
                  p.baseAddress! + index * Self.block * Self.block, Int32(Self.block), x, Int32(leading))
    }
  }
}
