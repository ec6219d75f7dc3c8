/// A block of kernel entries that a pointwise layer transforms in place.
///
/// Entry `e` pairs two inputs whose NNGP variances at the layer's input are `q1[e]` and
/// `q2[e]`, with `inverseRoot1[e] = 1/√q1[e]` and `inverseRoot2[e] = 1/√q2[e]` (0 for a zero
/// variance) computed once per input rather than once per entry; `nngp[e]` and `ntk[e]` are
/// their NNGP and NTK. The evaluator hands layers tiles of
/// a few hundred entries of one kernel row (or the diagonal itself, with `q1 = q2 = nngp`),
/// so a layer's loop is tight, branch-free and vectorisable.
public struct KernelTile {
  public let count: Int
  public let nngp: UnsafeMutablePointer<Double>
  /// `nil` when the NTK is not being computed.
  public let ntk: UnsafeMutablePointer<Double>?
  public let q1: UnsafePointer<Double>
  public let q2: UnsafePointer<Double>
  public let inverseRoot1: UnsafePointer<Double>
  public let inverseRoot2: UnsafePointer<Double>

  public init(count: Int, nngp: UnsafeMutablePointer<Double>, ntk: UnsafeMutablePointer<Double>?,
              q1: UnsafePointer<Double>, q2: UnsafePointer<Double>,
              inverseRoot1: UnsafePointer<Double>, inverseRoot2: UnsafePointer<Double>) {
    self.count = count
    self.nngp = nngp
    self.ntk = ntk
    self.q1 = q1
    self.q2 = q2
    self.inverseRoot1 = inverseRoot1
    self.inverseRoot2 = inverseRoot2
  }

  /// The variances of entry `e`.
  @inline(__always)
  public func variances(_ e: Int) -> PairVariances {
    PairVariances(q1: q1[e], q2: q2[e], inverseRoot: inverseRoot1[e] * inverseRoot2[e])
  }
}

/// The variances of a pair of Gaussian pre-activations, and `1/√(q1·q2)` (0 if either is 0).
public struct PairVariances: Sendable {
  public let q1: Double
  public let q2: Double
  public let inverseRoot: Double

  @inline(__always)
  public init(q1: Double, q2: Double, inverseRoot: Double) {
    self.q1 = q1
    self.q2 = q2
    self.inverseRoot = inverseRoot
  }

  /// Computes the inverse root directly (for callers outside the evaluator, e.g. tests).
  public init(q1: Double, q2: Double) {
    let p = q1 * q2
    self.init(q1: q1, q2: q2, inverseRoot: p > 0 ? 1 / p.squareRoot() : 0)
  }
}

/// Where a layer sits in a network: the widths around it, once the network is resolved.
///
/// `inputWidth` is the channel count of the layer's input (`nil` when infinite, i.e. the
/// output of a dense layer with no explicit `width` on the kernel side); `hiddenWidth` is the
/// network's finite width `n` (`nil` in the infinite-width limit), which width-dependent layers
/// such as the shaped ReLU read.
public struct LayerContext: Sendable, Equatable {
  public let inputWidth: Int?
  public let hiddenWidth: Int?

  public init(inputWidth: Int?, hiddenWidth: Int?) {
    self.inputWidth = inputWidth
    self.hiddenWidth = hiddenWidth
  }
}
