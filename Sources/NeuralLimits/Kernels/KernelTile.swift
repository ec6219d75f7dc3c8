/// A block of kernel entries that a pointwise layer transforms in place.
///
/// Entry `e` pairs two inputs whose NNGP variances at the layer's input are `side1.q[e]` and
/// `side2.q[e]`; their roots `√q`, inverse roots `1/√q` and the layer's `inputFeature` are
/// computed once per input rather than once per entry. `nngp[e]` and `ntk[e]` are the pair's NNGP and NTK. The evaluator hands
/// layers tiles of a few hundred entries of one kernel row, so a layer's loop is tight,
/// branch-free and vectorisable.
///
/// A *diagonal* tile pairs every input with itself (`nngp[e] == q[e]` on both sides): the
/// layer applies its variance map, a 1-D recursion, there — never the correlation map, whose
/// point `c = 1` is unstable in the chaotic phase (Poole et al. 2016), so that rounding there
/// would grow layer by layer.
public struct KernelTile {
  public let count: Int
  public let nngp: UnsafeMutablePointer<Double>
  /// `nil` when the NTK is not being computed.
  public let ntk: UnsafeMutablePointer<Double>?
  public let side1: InputVariances
  public let side2: InputVariances
  /// Every entry pairs an input with itself.
  public let isDiagonal: Bool
  /// Where quadrature layers report their error estimates (`nil`: nobody is asking).
  public let report: QuadratureReport?

  public init(count: Int, nngp: UnsafeMutablePointer<Double>, ntk: UnsafeMutablePointer<Double>?,
              side1: InputVariances, side2: InputVariances, isDiagonal: Bool = false, report: QuadratureReport? = nil) {
    self.count = count
    self.nngp = nngp
    self.ntk = ntk
    self.side1 = side1
    self.side2 = side2
    self.isDiagonal = isDiagonal
    self.report = report
  }

  /// The variances of entry `e`.
  @inline(__always)
  public func variances(_ e: Int) -> PairVariances { PairVariances(side1, side2, e) }
}

/// Per-input quantities of one side of a tile: the variance `q`, `√q`, `1/√q` (0 for q = 0) and
/// the layer's `inputFeature(q)`.
public struct InputVariances {
  public let q: UnsafePointer<Double>
  public let root: UnsafePointer<Double>
  public let inverseRoot: UnsafePointer<Double>
  public let feature: UnsafePointer<Double>

  public init(q: UnsafePointer<Double>, root: UnsafePointer<Double>, inverseRoot: UnsafePointer<Double>,
              feature: UnsafePointer<Double>) {
    self.q = q
    self.root = root
    self.inverseRoot = inverseRoot
    self.feature = feature
  }
}

/// The variances of a pair of Gaussian pre-activations with their roots and inverse roots.
///
/// Products are formed from roots, never from the variances themselves: `√(q1q2) = √q1·√q2`
/// and `ρ = Σ·(1/√q1·1/√q2)` stay finite for every pair of normal variances, whereas `q1·q2`
/// overflows from `q ≈ 10¹⁵⁴` and underflows below `10⁻¹⁵⁴`. Every expression is symmetric in
/// the two inputs, so that `K(x2, x1)` is exactly `K(x1, x2)ᵀ`.
public struct PairVariances: Sendable {
  public let q1: Double
  public let q2: Double
  public let root1: Double
  public let root2: Double
  public let inverseRoot1: Double
  public let inverseRoot2: Double

  @inline(__always)
  public init(q1: Double, q2: Double, root1: Double, root2: Double, inverseRoot1: Double, inverseRoot2: Double) {
    self.q1 = q1
    self.q2 = q2
    self.root1 = root1
    self.root2 = root2
    self.inverseRoot1 = inverseRoot1
    self.inverseRoot2 = inverseRoot2
  }

  /// The variances of entry `e` of a tile with these sides.
  @inline(__always)
  public init(_ side1: InputVariances, _ side2: InputVariances, _ e: Int) {
    self.init(q1: side1.q[e], q2: side2.q[e], root1: side1.root[e], root2: side2.root[e],
              inverseRoot1: side1.inverseRoot[e], inverseRoot2: side2.inverseRoot[e])
  }

  /// Computes the roots directly (for callers outside the evaluator, e.g. tests).
  public init(q1: Double, q2: Double) {
    let r1 = q1.squareRoot(), r2 = q2.squareRoot()
    self.init(q1: q1, q2: q2, root1: r1, root2: r2, inverseRoot1: q1 > 0 ? 1 / r1 : 0, inverseRoot2: q2 > 0 ? 1 / r2 : 0)
  }

  /// `√(q1·q2)`.
  @inline(__always) public var root: Double { root1 * root2 }

  /// Whether both variances are positive (otherwise the correlation is undefined and taken as 0).
  @inline(__always) public var isNondegenerate: Bool { q1 > 0 && q2 > 0 }

  /// The correlation `ρ = Σ/√(q1q2)` clamped to `[−1, 1]` (0 when a variance is 0).
  @inline(__always)
  public func correlation(_ c12: Double) -> Double {
    let raw = c12 * (inverseRoot1 * inverseRoot2)
    return raw > 1 ? 1 : (raw < -1 ? -1 : raw)
  }
}

/// Where a layer sits in a network: the widths around it, once the network is resolved.
///
/// `inputWidth` is the channel count of the layer's input (`nil` when infinite, i.e. the
/// output of a dense layer with no explicit `width` on the kernel side); `hiddenWidth` is the
/// network's finite width `n` (`nil` in the infinite-width limit), which width-dependent layers
/// such as the shaped ReLU read; `tokens` is the sequence length `m`: every `m` consecutive
/// rows of the batch (and of the kernel state, input-major: row `i·m + a` is token `a` of input
/// `i`) form one sequence, which layers that mix tokens (attention) act within.
public struct LayerContext: Sendable, Equatable {
  public let inputWidth: Int?
  public let hiddenWidth: Int?
  public let tokens: Int

  public init(inputWidth: Int?, hiddenWidth: Int?, tokens: Int = 1) {
    self.inputWidth = inputWidth
    self.hiddenWidth = hiddenWidth
    self.tokens = tokens
  }
}
