/// The infinite-depth limit of residual blocks (`InfiniteDepth`; Hayou et al. 2021, *Stable
/// ResNet*). `L` blocks `x ↦ x + Σₖ fₖ(x)/√L` take the state `S = (Σ, Θ, variances)` through
/// `S ← S + F(S)/L`, up to `O(1/L²)` per block, with `F = Σₖ Fₖ` the branches' kernel maps: Euler's
/// method with step `1/L` for `dS/dt = F(S)` on `t ∈ [0, 1]`. The limit `L → ∞` is that ODE's
/// solution at `t = 1`, and `L` blocks differ from it by `O(1/L)`.
extension KernelEvaluator {
  /// Local error per step of each integrated entry, relative to `√(q₁q₂) + |entry|` with `q₁, q₂`
  /// the variances of its two inputs where the flow starts (of a variance: to `q + |q(t)|`).
  static let flowTolerance = 1e-12

  /// Replaces `state` by the flow's solution at `t = 1`, integrated by GSL's rk8pd; `F` is
  /// `derivative` (the branches' sum) evaluated by this evaluator on the current state. Throws
  /// when `F` does (a quadrature layer out of reach) or when the kernel overflows.
  static func flow(_ derivative: KernelProgram.Node, slots: Int, _ state: inout KernelState) throws {
    let layout = FlowLayout(state)
    // The state F is evaluated on, reused: each call overwrites all that F reads, and the
    // quadrature estimate keeps the largest of every call.
    var work = state
    let end = try ODE.integrate(
      from: 0, to: 1, initial: layout.vector(state), absoluteTolerance: flowTolerance, relativeTolerance: flowTolerance,
      absoluteScale: layout.scales(state)
    ) { t, y, dy in
      layout.read(y, into: &work)
      try evaluate(derivative, slots: slots, &work)
      layout.write(work, to: dy)
      guard allFinite(dy.baseAddress!, dy.count) else {
        // A trial stage of a long step can leave the states where F is defined (a negative
        // variance, say): GSL retries shorter steps, and only a kernel that overflows ends here.
        throw ODE.UndefinedDerivative(
          NeuralLimitsError.invalidArgument("the infinite-depth limit's kernel is not finite at depth t = \(t) (overflow?)"))
      }
    }
    end.withUnsafeBufferPointer { layout.read($0, into: &state) }
    state.quadratureErrorEstimate = work.quadratureErrorEstimate
  }
}

/// Where the quantities of a `KernelState` sit in the vector that the flow integrates: `var1`,
/// `var2` (unless symmetric), the NNGP entries, the NTK entries (when computed), row by row.
///
/// A symmetric state contributes its NNGP's entries above the diagonal only — the diagonal is
/// `var1`, integrated once, so the two cannot drift apart — and its NTK's upper triangle with the
/// diagonal: the evaluator keeps `j ≥ i` only (the lower triangle is stale until `finalize`), and
/// each distinct entry is integrated, and its error controlled, once.
struct FlowLayout {
  let rows: Int
  let columns: Int
  let symmetric: Bool
  let hasNTK: Bool

  init(_ state: KernelState) {
    rows = state.nngp.rows
    columns = state.nngp.columns
    symmetric = state.isSymmetric
    hasNTK = state.ntk != nil
  }

  /// The integrated columns of row `i`: right of the diagonal (`diagonal`: from it) when symmetric.
  private func integrated(row i: Int, diagonal: Bool) -> Range<Int> {
    symmetric ? (diagonal ? i : i + 1)..<columns : 0..<columns
  }

  /// Calls `body` with each integrated segment: its start in a row-major matrix, its start in the
  /// vector, and its length — NNGP segments first, then NTK ones (`isNTK`) — after the variances.
  private func forEachSegment(_ body: (_ matrix: Int, _ vector: Int, _ count: Int, _ isNTK: Bool) -> Void) {
    var k = rows + (symmetric ? 0 : columns)
    for isNTK in hasNTK ? [false, true] : [false] {
      for i in 0..<rows {
        let range = integrated(row: i, diagonal: isNTK)
        body(i * columns + range.lowerBound, k, range.count, isNTK)
        k += range.count
      }
    }
  }

  var count: Int {
    var total = rows + (symmetric ? 0 : columns)
    forEachSegment { _, _, count, _ in total += count }
    return total
  }

  func vector(_ state: KernelState) -> [Double] {
    var y = [Double](repeating: 0, count: count)
    y.withUnsafeMutableBufferPointer { write(state, to: $0) }
    return y
  }

  /// Per component, the scale of its absolute error: the variance itself, or `√(q₁q₂)` of an
  /// entry's two inputs.
  func scales(_ state: KernelState) -> [Double] {
    let r1 = state.var1.map { $0.squareRoot() }, r2 = state.var2.map { $0.squareRoot() }
    var s = state.var1 + (symmetric ? [] : state.var2)
    forEachSegment { matrix, _, count, _ in
      let i = matrix / columns, j = matrix % columns
      s += r2[j..<(j + count)].map { r1[i] * $0 }
    }
    return s
  }

  func write(_ state: KernelState, to y: UnsafeMutableBufferPointer<Double>) {
    let y = y.baseAddress!
    y.update(from: state.var1, count: rows)
    if !symmetric { (y + rows).update(from: state.var2, count: columns) }
    state.nngp.elements.withUnsafeBufferPointer { nngp in
      (state.ntk?.elements ?? []).withUnsafeBufferPointer { ntk in
        forEachSegment { matrix, vector, count, isNTK in
          (y + vector).update(from: (isNTK ? ntk : nngp).baseAddress! + matrix, count: count)
        }
      }
    }
  }

  func read(_ y: UnsafeBufferPointer<Double>, into state: inout KernelState) {
    state.var1 = Array(y[0..<rows])
    state.var2 = symmetric ? state.var1 : Array(y[rows..<(rows + columns)])
    var ntkElements = state.ntk?.elements ?? []
    state.ntk = nil  // so that its storage is uniquely referenced (no copy)
    state.nngp.elements.withUnsafeMutableBufferPointer { nngp in
      ntkElements.withUnsafeMutableBufferPointer { ntk in
        forEachSegment { matrix, vector, count, isNTK in
          ((isNTK ? ntk : nngp).baseAddress! + matrix).update(from: y.baseAddress! + vector, count: count)
        }
        if symmetric { for i in 0..<rows { nngp[i * columns + i] = y[i] } }
      }
    }
    if hasNTK { state.ntk = try! Matrix(rows: rows, columns: columns, elements: ntkElements) }
  }
}
