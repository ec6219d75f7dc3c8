/// Which kernels to compute.
public struct KernelKinds: OptionSet, Sendable {
  public let rawValue: Int
  public init(rawValue: Int) { self.rawValue = rawValue }
  /// The NNGP kernel `Σ` (always computed: every other kernel needs it).
  public static let nngp = KernelKinds(rawValue: 1)
  /// The neural tangent kernel `Θ`.
  public static let ntk = KernelKinds(rawValue: 2)
}

extension Layer {
  /// The infinite-width NNGP and NTK of the network between inputs `x1` (rows) and `x2`
  /// (columns; `x1` again when `nil`), with neural-tangents' conventions: input kernel
  /// `x·x'ᵀ/d`, NTK starting at 0. An `x2` equal to `x1` entry for entry means the same inputs,
  /// as in neural-tangents: entry `(i, i)` then pairs an input with itself (which matters for
  /// dropout, whose independent masks decorrelate distinct inputs only).
  ///
  /// `hiddenWidth` is the finite width `n` that width-dependent layers (standard
  /// parameterization without explicit widths, the shaped ReLU) read; `nil` is the limit.
  /// Throws on non-finite inputs, mismatched shapes, unplaceable layers, and a result that is
  /// not finite (overflow, e.g. `exp` layers on large inputs).
  ///
  /// Sequences: with `tokens = m`, every `m` consecutive rows of `x1` (and of `x2`) are the tokens
  /// of one sequence, and the kernels are over (input, token) pairs in the same input-major order
  /// (row `i·m + a` is token `a` of input `i`). Per-token layers act on every entry as before;
  /// attention mixes the tokens of each sequence (`Attention`). A layer that mixes tokens needs
  /// each sequence's kernel with itself, so with `x2` the two sets are evaluated together and the
  /// cross block returned.
  ///
  /// `stream`: the inputs are an infinitely wide Gaussian stream with kernel `x1·x1ᵀ/d` rather
  /// than raw features (`KernelProgram`), so residual sums on them need no first dense layer.
  public func kernels(_ x1: Matrix, _ x2: Matrix? = nil, get kinds: KernelKinds = [.nngp, .ntk],
                      hiddenWidth: Int? = nil, tokens: Int = 1, stream: Bool = false) throws -> KernelState {
    try checkSequences(x1, x2, tokens: tokens)
    let program = try KernelProgram(graph, inputWidth: stream ? nil : x1.columns, hiddenWidth: hiddenWidth, tokens: tokens)
    let x2 = distinctSecondInputs(x1, x2)
    if let x2, graph.primitives.contains(where: \.mixesTokens) {
      let joint = try kernels(try x1.stacked(with: x2), get: kinds, hiddenWidth: hiddenWidth, tokens: tokens, stream: stream)
      return try joint.crossBlock(rows: x1.rows, x2Variances: x2.rows)
    }
    var state = try KernelState(inputs: x1, x2, ntk: kinds.contains(.ntk))
    try KernelEvaluator.evaluate(program.root, slots: program.slotCount, &state)
    try state.finalize()
    return state
  }
}

extension Layer {
  /// The finished matrices of `kinds` alone (per-input networks, `tokens = 1`): as
  /// `kernels(_:_:get:)`, but an NTK-only request that one fused pass makes from inputs of few
  /// features keeps each tile's NNGP in cache — the NNGP is never stored, mirrored or checked
  /// (128 MB not touched for 4,000 inputs; `KernelState.init(inputs:_:ntk:storingNNGP:)`).
  func kernelMatrices(_ x1: Matrix, _ x2: Matrix?, get kinds: KernelKinds) throws -> (nngp: Matrix?, ntk: Matrix?) {
    let program = try KernelProgram(graph, inputWidth: x1.columns, hiddenWidth: nil, tokens: 1)
    guard kinds == .ntk, program.root.isPointwise else {
      let state = try kernels(x1, x2, get: kinds)
      return (kinds.contains(.nngp) ? state.nngp : nil, state.ntk)
    }
    var state = try KernelState(inputs: x1, distinctSecondInputs(x1, x2), ntk: true, storingNNGP: false)
    try KernelEvaluator.evaluate(program.root, slots: program.slotCount, &state)
    try state.finalize()
    return (nil, state.ntk)
  }
}

/// Throws unless `tokens ≥ 1` divides the row counts of `x1` and `x2`.
func checkSequences(_ x1: Matrix, _ x2: Matrix?, tokens: Int) throws {
  guard tokens >= 1 else { throw NeuralLimitsError.invalidArgument("--tokens must be at least 1, got \(tokens)") }
  for (name, x) in [("x1", x1), ("x2", x2)] {
    if let x, x.rows % tokens != 0 {
      throw NeuralLimitsError.dimensionMismatch("\(name) has \(x.rows) rows, not whole sequences of \(tokens) tokens")
    }
  }
}

extension KernelState {
  /// The block of a symmetric state over `x1` stacked on `x2` that pairs the first `rows` with the rest.
  func crossBlock(rows: Int, x2Variances count: Int) throws -> KernelState {
    let block = { (m: Matrix) in
      try Matrix(rows: rows, columns: count, elements: (0..<rows).flatMap { i in (0..<count).map { m[i, rows + $0] } })
    }
    var result = self
    result.nngp = try block(nngp)
    result.ntk = try ntk.map(block)
    result.var1 = Array(var1[0..<rows])
    result.var2 = Array(var1[rows...])
    result.isSymmetric = false
    return result
  }
}

/// `x2`, or `nil` when it holds the same inputs as `x1` (equal entry for entry), so that callers
/// treat a repeated input set as one (neural-tangents' `x1_is_x2`, here without tolerance).
func distinctSecondInputs(_ x1: Matrix, _ x2: Matrix?) -> Matrix? {
  guard let x2, x2 != x1 else { return nil }
  return x2
}
