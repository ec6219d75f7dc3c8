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
  public func kernels(_ x1: Matrix, _ x2: Matrix? = nil, get kinds: KernelKinds = [.nngp, .ntk],
                      hiddenWidth: Int? = nil) throws -> KernelState {
    let program = try KernelProgram(graph, inputWidth: x1.columns, hiddenWidth: hiddenWidth)
    var state = try KernelState(inputs: x1, distinctSecondInputs(x1, x2), ntk: kinds.contains(.ntk))
    try KernelEvaluator.evaluate(program.root, slots: program.slotCount, &state)
    try state.finalize()
    return state
  }
}

/// `x2`, or `nil` when it holds the same inputs as `x1` (equal entry for entry), so that callers
/// treat a repeated input set as one (neural-tangents' `x1_is_x2`, here without tolerance).
func distinctSecondInputs(_ x1: Matrix, _ x2: Matrix?) -> Matrix? {
  guard let x2, x2 != x1 else { return nil }
  return x2
}
