/// The infinite-width kernels of a batch at one point of a network.
///
/// Rows index the inputs `x1` (and, for sequence models later, their tokens), columns the
/// inputs `x2`; `var1`/`var2` are the NNGP diagonals `Σ(x, x)` of each set, which every
/// pointwise layer needs. When `x2` is `x1` (`isSymmetric`), `nngp` and `ntk` are square and
/// symmetric, and while layers run only their upper triangle `j ≥ i` is kept up to date;
/// `finalize()` mirrors it once at the end.
public struct KernelState: Sendable {
  /// `Σ(x1ᵢ, x2ⱼ)`, `n1 × n2`.
  public var nngp: Matrix
  /// `Θ(x1ᵢ, x2ⱼ)`, or `nil` when the NTK was not requested.
  public var ntk: Matrix?
  /// `Σ(x1ᵢ, x1ᵢ)`.
  public var var1: [Double]
  /// `Σ(x2ⱼ, x2ⱼ)`; equal to `var1` when `isSymmetric`.
  public var var2: [Double]
  /// `x2` is `x1` (not given, or equal entry for entry): the diagonal `(i, i)` pairs an input
  /// with itself, and equals `var1` exactly.
  public internal(set) var isSymmetric: Bool
  /// For networks with quadrature layers (`NumericalActivation`): the largest estimated relative
  /// error of any entry of any such layer's output — every entry's bound from
  /// `NumericalActivation.estimatedDual`/`estimatedVariance`, relative to `√(K(x,x)·K(x',x'))` of
  /// that layer, NNGP and derivative kernel alike; errors are not propagated through later
  /// layers. Each estimate is within the layer's `tolerance`, or the evaluation threw. `nil` when
  /// the network has no quadrature layer.
  public internal(set) var quadratureErrorEstimate: Double?
  /// The NTK is still the initial zero and its storage not yet written (the fused evaluator
  /// zeroes it tile by tile, in parallel and in cache, instead of in a separate pass).
  var ntkIsZero = false
  /// The input kernel, not yet written to `nngp`: the fused pass makes it tile by tile
  /// (`InputGram`), `materialize()` otherwise.
  var pendingGram: InputGram?
  /// `false` for an NTK-only request evaluated in one fused pass (`Layer.kernelMatrices`): each
  /// tile's NNGP, from `pendingGram`, stays in cache and `nngp` is never written.
  var storesNNGP = true
  /// The last step was a fused pass that found every entry it wrote finite (so `finalize` need
  /// not scan the matrices again); any other step clears it.
  var checkedFinite = false

  /// The input kernel of neural-tangents: `Σ₀ = x1·x2ᵀ/d`, `Θ₀ = 0`.
  public init(x1: Matrix, x2: Matrix? = nil, ntk: Bool) throws {
    try self.init(inputs: x1, x2, ntk: ntk)
    materialize()
    if isSymmetric { nngp.symmetrizeFromUpper() }
  }

  /// As `init(x1:x2:ntk:)`, with the zero NTK left for the evaluator to write and, for a
  /// symmetric state, only the upper triangle of the input kernel written. Without
  /// `storingNNGP` (an NTK-only request, `Layer.kernelMatrices`) the input kernel is left to the
  /// fused pass too (`InputGram`) and the NNGP never stored — unless some inputs may repeat, or
  /// there are more than `InputGram.widest` features.
  init(inputs x1: Matrix, _ x2: Matrix?, ntk: Bool, storingNNGP: Bool = true) throws {
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
    let columns = Double(x2?.rows ?? x1.rows)
    try MemoryBudget.require(8 * Double(x1.rows) * columns * (ntk ? 2 : 1),
                             for: "the \(ntk ? "NNGP and NTK" : "NNGP") of \(x1.rows) × \(Int(columns)) inputs",
                             hint: "use fewer inputs (or tokens)")
    let d = Double(x1.columns)
    let norms: (Matrix) -> [Double] = { m in (0..<m.rows).map { i in m.row(i).reduce(0) { $0 + $1 * $1 } / d } }
    isSymmetric = x2 == nil
    nngp = Matrix(rows: x1.rows, columns: x2?.rows ?? x1.rows, uninitialized: ())
    self.ntk = ntk ? Matrix(rows: nngp.rows, columns: nngp.columns, uninitialized: ()) : nil
    ntkIsZero = ntk
    var1 = norms(x1)
    var2 = x2.map(norms) ?? var1
    let repeated = isSymmetric ? Set(var1).count < var1.count : !Set(var1).isDisjoint(with: var2)
    if storingNNGP || repeated || x1.columns > InputGram.widest {
      writeInputKernel(x1, x2 ?? x1)
      if repeated { markEqualInputs(x1, x2) }
    } else {
      pendingGram = InputGram(x1, x2)
      storesNNGP = false
    }
  }

  /// `nngp = x1·x2ᵀ/d` by BLAS; for a symmetric state the upper triangle, and the variances on
  /// the diagonal, exactly (see `KernelTile`).
  private mutating func writeInputKernel(_ x1: Matrix, _ x2: Matrix) {
    let scale = 1 / Double(x1.columns)
    if isSymmetric {
      nngp = BLAS.upperGram(x1, alpha: scale)
      for i in 0..<nngp.rows { nngp[i, i] = var1[i] }
    } else {
      nngp = BLAS.product(x1, x2, transposeB: true, alpha: scale)
    }
  }

  /// Sets each entry that pairs two equal inputs (equal rows at different positions) to their
  /// variance exactly, so that every layer treats the pair as an input with itself (`Activation`)
  /// and the entry stays equal to the diagonal value — until dropout, whose masks are independent
  /// per position, decorrelates them. Candidates are entries within 10⁻¹⁰ of equal variances;
  /// only those have their rows compared, and the scan is skipped when no variance repeats.
  private mutating func markEqualInputs(_ x1: Matrix, _ x2: Matrix?) {
    let other = x2 ?? x1
    for i in 0..<nngp.rows {
      for j in (isSymmetric ? i + 1 : 0)..<nngp.columns {
        let q = var1[i]
        guard q == var2[j], nngp[i, j] >= q * (1 - 1e-10), nngp[i, j] != q else { continue }
        if x1.row(i) == other.row(j) { nngp[i, j] = q }
      }
    }
  }
}

extension KernelState {
  /// `self + weight·other`, entry by entry (variances too), with the larger quadrature estimate.
  func adding(_ other: KernelState, weight: Double) -> KernelState {
    var result = self
    result.quadratureErrorEstimate = [quadratureErrorEstimate, other.quadratureErrorEstimate].compactMap { $0 }.max()
    result.nngp = nngp + weight * other.nngp
    if let ntk, let otherNTK = other.ntk { result.ntk = ntk + weight * otherNTK }
    result.var1 = zip(var1, other.var1).map { $0 + weight * $1 }
    result.var2 = zip(var2, other.var2).map { $0 + weight * $1 }
    return result
  }

  /// `weight·self`.
  func scaled(by weight: Double) -> KernelState {
    var result = self
    result.nngp = weight * nngp
    result.ntk = ntk.map { weight * $0 }
    result.var1 = var1.map { weight * $0 }
    result.var2 = var2.map { weight * $0 }
    return result
  }

  /// Writes what no fused layer has yet: the input kernel (`writeInputKernel`), which then is
  /// stored, and the initial zero NTK.
  mutating func materialize() {
    if let gram = pendingGram {
      writeInputKernel(gram.x1, gram.x2)
      pendingGram = nil
      storesNNGP = true
    }
    if ntkIsZero {
      ntk = Matrix(rows: nngp.rows, columns: nngp.columns)
      ntkIsZero = false
    }
  }

  /// Fills the lower triangle of a symmetric state from the upper one (layers only compute
  /// `j ≥ i`), then checks that every entry is finite.
  mutating func finalize() throws {
    materialize()
    if isSymmetric {
      if storesNNGP { nngp.symmetrizeFromUpper() }
      ntk?.symmetrizeFromUpper()
    }
    guard !checkedFinite else { return }
    if storesNNGP { try nngp.validateFinite("the NNGP result (overflow?)") }
    try ntk?.validateFinite("the NTK result (overflow?)")
  }
}
