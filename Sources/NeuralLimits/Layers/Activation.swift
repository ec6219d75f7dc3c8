import Foundation

/// A pointwise nonlinearity `φ`, defined once for both sides:
/// - finite width: `φ` and `φ'` applied to pre-activations;
/// - kernel map: the dual kernels for `(u, v) ~ N(0, [[q1, Σ], [Σ, q2]])`,
///   `Σ' = E[φ(u)φ(v)]` and `Θ' = Θ·E[φ'(u)φ'(v)]` (the NTK recursion of Jacot et al. 2018), and
///   on entries that pair an input with itself the variance map `q' = E[φ(u)²]`,
///   `Θ' = Θ·E[φ'(u)²]` for `u ~ N(0, q)`, a 1-D recursion of its own (see `KernelTile`). So do
///   entries of two equal inputs, recognised by `Σ = q1 = q2` exactly: the input kernel sets
///   them so (`KernelState`), every map keeps them so, and dropout's independent masks break it.
public protocol Activation: PointwiseKernel {
  /// `φ(x)`.
  func value(_ x: Double) -> Double
  /// `φ'(x)` (0 where `φ` is flat or not differentiable, as automatic differentiation gives).
  func derivative(_ x: Double) -> Double
  /// `(E[φ(u)φ(v)], E[φ'(u)φ'(v)])` for covariance `Σ = c12` and variances `v.q1`, `v.q2`.
  func dual(_ c12: Double, _ v: PairVariances) -> (nngp: Double, derivative: Double)
  /// The same, given the two inputs' `inputFeature`s `f1`, `f2`: the form the evaluator's loops
  /// call. The default ignores them; an activation with a feature defines `dual(_:_:)` as this
  /// one with the features computed on the spot, so that its maths is written once.
  func dual(_ c12: Double, _ v: PairVariances, features f1: Double, _ f2: Double) -> (nngp: Double, derivative: Double)
  /// `(E[φ(u)²], E[φ'(u)²])` for `u ~ N(0, q)`.
  func variance(_ q: Double) -> (nngp: Double, derivative: Double)
}

extension Activation {
  public func dual(_ c12: Double, _ v: PairVariances, features f1: Double, _ f2: Double) -> (nngp: Double, derivative: Double) {
    dual(c12, v)
  }

  public var needsGaussianInput: Bool { true }
  public func outputIsGaussian(inputIsGaussian: Bool) -> Bool { false }

  public func transform(_ tile: KernelTile, context: LayerContext) {
    let nngp = tile.nngp
    // Two copies of each loop, with and without the NTK: without it the derivative kernel's
    // arithmetic (divisions and roots in most closed forms) is dead code the compiler removes.
    if tile.isDiagonal {
      if let ntk = tile.ntk {
        for e in 0..<tile.count {
          let (k, kDot) = variance(tile.side1.q[e])
          ntk[e] *= kDot
          nngp[e] = k
        }
      } else {
        for e in 0..<tile.count { nngp[e] = variance(tile.side1.q[e]).nngp }
      }
      return
    }
    // The sides in locals, so that the loops reload no pointer the stores could alias; a row
    // without equal inputs (nearly every row) takes the dual kernel alone, a straight-line loop
    // that vectorises — a branch or select per entry between the two maps would not, or would
    // pay for both.
    let side1 = tile.side1, side2 = tile.side2, count = tile.count
    if pairsEqualInputs(nngp, side1.q, side2.q, count) {
      for e in 0..<count {
        let c12 = nngp[e], q = side1.q[e]
        let (k, kDot) = c12 == q && q == side2.q[e]
          ? variance(q) : dual(c12, PairVariances(side1, side2, e), features: side1.feature[e], side2.feature[e])
        tile.ntk?[e] *= kDot
        nngp[e] = k
      }
    } else if let ntk = tile.ntk {
      for e in 0..<count {
        let (k, kDot) = dual(nngp[e], PairVariances(side1, side2, e), features: side1.feature[e], side2.feature[e])
        ntk[e] *= kDot
        nngp[e] = k
      }
    } else {
      for e in 0..<count {
        nngp[e] = dual(nngp[e], PairVariances(side1, side2, e), features: side1.feature[e], side2.feature[e]).nngp
      }
    }
  }

  public func forward(_ input: Matrix, parameters: UnsafeBufferPointer<Double>, outputWidth: Int, tokens: Int,
                      random: RandomStream, cache: inout [Double]) -> Matrix {
    var y = input
    y.elements.withUnsafeMutableBufferPointer { p in for k in p.indices { p[k] = value(p[k]) } }
    return y
  }

  public func backward(_ cotangent: Matrix, input: Matrix, output: Matrix, parameters: UnsafeBufferPointer<Double>,
                       cache: [Double], copies: Int) -> Matrix {
    cotangent.multipliedPerInput(by: input.elements.map(derivative), copies: copies)
  }
}

/// Whether some entry pairs two equal inputs (`Σ = q1 = q2` exactly, see `Activation`): an OR
/// over the entries, without a branch, which vectorises.
@inline(__always)
func pairsEqualInputs(_ c12: UnsafeMutablePointer<Double>, _ q1: UnsafePointer<Double>, _ q2: UnsafePointer<Double>,
                      _ count: Int) -> Bool {
  var equal = 0
  for e in 0..<count { equal |= (c12[e] == q1[e] ? 1 : 0) & (q1[e] == q2[e] ? 1 : 0) }
  return equal != 0
}

extension Matrix {
  /// Each row `x·copies + a` multiplied entrywise by row `x` of `factors` (`batch × columns`,
  /// row-major): a diagonal Jacobian such as `φ'(z)` or a dropout mask, applied to the
  /// cotangents of every output copy.
  func multipliedPerInput(by factors: [Double], copies: Int) -> Matrix {
    var g = self
    let width = columns
    g.elements.withUnsafeMutableBufferPointer { pg in
      factors.withUnsafeBufferPointer { pf in
        for row in 0..<rows {
          let x = row / copies
          for j in 0..<width { pg[row * width + j] *= pf[x * width + j] }
        }
      }
    }
    return g
  }
}

/// The geometry of a pair of Gaussian pre-activations.
///
/// `root = √(q1·q2)`, `c = ρ` the correlation (`PairVariances.correlation`), `sine = √(1 − c²)`
/// and `angle = θ = arccos c` (`ArcCosine`; all branch-free, so that loops over entries
/// vectorise). Entries pairing an input with itself never come here (they take the variance
/// map), so `c` needs no rounding towards ±1: a correlation of `1 − 10⁻¹⁵` keeps its angle
/// `θ ≈ 4.5·10⁻⁸`, and kernels of nearly parallel inputs stay positive semi-definite.
@usableFromInline
struct PairGeometry {
  @usableFromInline let root: Double
  @usableFromInline let c: Double
  @usableFromInline let sine: Double
  @usableFromInline let angle: Double

  @inlinable @inline(__always)
  init(_ c12: Double, _ v: PairVariances) {
    root = v.root
    c = v.correlation(c12)
    sine = ((1 - c) * (1 + c)).squareRoot()
    angle = ArcCosine.evaluate(c)
  }
}
