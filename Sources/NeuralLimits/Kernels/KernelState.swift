/// The infinite-width kernels of a batch at one point of a network.
///
/// Rows index the inputs `x1` (and, for sequence models later, their tokens), columns the
/// inputs `x2`; `var1`/`var2` are the NNGP diagonals `Σ(x, x)` of each set, which every
/// pointwise layer needs. When `x2` is `x1` (`isSymmetric`), `nngp` and `ntk` are square and
/// symmetric and only the upper triangle is computed.
public struct KernelState: Sendable {
  /// `Σ(x1ᵢ, x2ⱼ)`, `n1 × n2`.
  public var nngp: Matrix
  /// `Θ(x1ᵢ, x2ⱼ)`, or `nil` when the NTK was not requested.
  public var ntk: Matrix?
  /// `Σ(x1ᵢ, x1ᵢ)`.
  public var var1: [Double]
  /// `Σ(x2ⱼ, x2ⱼ)`; equal to `var1` when `isSymmetric`.
  public var var2: [Double]
  /// `x2` is `x1`: the diagonal `(i, i)` pairs an input with itself.
  public let isSymmetric: Bool

  /// The input kernel of neural-tangents: `Σ₀ = x1·x2ᵀ/d`, `Θ₀ = 0`.
  public init(x1: Matrix, x2: Matrix? = nil, ntk: Bool) throws {
    try x1.validateFinite("x1")
    if let x2 {
      try x2.validateFinite("x2")
      guard x2.columns == x1.columns else {
        throw NeuralLimitsError.dimensionMismatch("x1 has \(x1.columns) features, x2 has \(x2.columns)")
      }
    }
    guard x1.rows > 0, x1.columns > 0, (x2?.rows ?? 1) > 0 else {
      throw NeuralLimitsError.invalidArgument("inputs must have at least one row and one feature")
    }
    let d = Double(x1.columns)
    let norms: (Matrix) -> [Double] = { m in (0..<m.rows).map { i in m.row(i).reduce(0) { $0 + $1 * $1 } / d } }
    isSymmetric = x2 == nil
    nngp = x2.map { BLAS.product(x1, $0, transposeB: true, alpha: 1 / d) } ?? BLAS.gram(x1, alpha: 1 / d)
    self.ntk = ntk ? Matrix(rows: nngp.rows, columns: nngp.columns) : nil
    var1 = norms(x1)
    var2 = x2.map(norms) ?? var1
  }
}
