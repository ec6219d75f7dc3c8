import Foundation

/// A pointwise nonlinearity `φ`, defined once for both sides:
/// - finite width: `φ` and `φ'` applied to pre-activations;
/// - kernel map: the dual kernels for `(u, v) ~ N(0, [[q1, Σ], [Σ, q2]])`,
///   `Σ' = E[φ(u)φ(v)]` and `Θ' = Θ·E[φ'(u)φ'(v)]` (the NTK recursion of Jacot et al. 2018).
public protocol Activation: PointwiseKernel {
  /// `φ(x)`.
  func value(_ x: Double) -> Double
  /// `φ'(x)` (0 where `φ` is flat or not differentiable, as automatic differentiation gives).
  func derivative(_ x: Double) -> Double
  /// `(E[φ(u)φ(v)], E[φ'(u)φ'(v)])` for covariance `Σ = c12` and variances `v.q1`, `v.q2`.
  func dual(_ c12: Double, _ v: PairVariances) -> (nngp: Double, derivative: Double)
}

extension Activation {
  public var needsGaussianInput: Bool { true }
  public func outputIsGaussian(inputIsGaussian: Bool) -> Bool { false }

  public func transform(_ tile: KernelTile, context: LayerContext) {
    let nngp = tile.nngp
    if let ntk = tile.ntk {
      for e in 0..<tile.count {
        let (k, kDot) = dual(nngp[e], tile.variances(e))
        ntk[e] *= kDot
        nngp[e] = k
      }
    } else {
      for e in 0..<tile.count { nngp[e] = dual(nngp[e], tile.variances(e)).nngp }
    }
  }

  public func forward(_ input: Matrix, parameters: UnsafeBufferPointer<Double>, outputWidth: Int,
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
/// `root = √(q1·q2)`, `c = Σ/root` clamped to `[-1, 1]` (`0` when a variance is zero),
/// `sine = √(1 − c²)` and `angle = θ = arccos c` (`ArcCosine`; all branch-free, so that loops
/// over entries vectorise). Both come from the per-input inverse roots, without a √ or ÷ per
/// entry; `c` within `10⁻¹⁵` of ±1 is set to ±1, so that the diagonal `Σ = q` has `θ = 0`
/// exactly rather than `θ ≈ √(2·10⁻¹⁶) ≈ 10⁻⁸` from rounding (a correlation that close to 1 is
/// indistinguishable from 1 in float64 anyway).
@usableFromInline
struct PairGeometry {
  @usableFromInline let root: Double
  @usableFromInline let c: Double
  @usableFromInline let sine: Double
  @usableFromInline let angle: Double

  @inlinable @inline(__always)
  init(_ c12: Double, _ v: PairVariances) {
    root = v.q1 * v.q2 * v.inverseRoot
    let raw = c12 * v.inverseRoot
    c = raw > 1 - 1e-15 ? 1 : (raw < -1 + 1e-15 ? -1 : raw)
    sine = ((1 - c) * (1 + c)).squareRoot()
    angle = ArcCosine.evaluate(c)
  }
}
