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
  /// `(E[φ(u)φ(v)], E[φ'(u)φ'(v)])` for covariance `Σ = c12` and variances `q1`, `q2`.
  func dual(_ c12: Double, _ q1: Double, _ q2: Double) -> (nngp: Double, derivative: Double)
}

extension Activation {
  public func transform(_ tile: KernelTile, context: LayerContext) {
    let nngp = tile.nngp, q1 = tile.q1, q2 = tile.q2
    if let ntk = tile.ntk {
      for e in 0..<tile.count {
        let (k, kDot) = dual(nngp[e], q1[e], q2[e])
        ntk[e] *= kDot
        nngp[e] = k
      }
    } else {
      for e in 0..<tile.count { nngp[e] = dual(nngp[e], q1[e], q2[e]).nngp }
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
    var g = cotangent
    let width = input.columns
    let slope = input.elements.map(derivative)
    g.elements.withUnsafeMutableBufferPointer { pg in
      slope.withUnsafeBufferPointer { ps in
        for row in 0..<g.rows {
          let x = row / copies
          for j in 0..<width { pg[row * width + j] *= ps[x * width + j] }
        }
      }
    }
    return g
  }
}

/// The geometry of a pair of Gaussian pre-activations.
///
/// `root = √(q1·q2)` (formed from the product, so that `Σ = q` on the diagonal gives `c = 1`
/// exactly), `c = Σ/root` clamped to `[-1, 1]` (`0` when a variance is zero), `sine = √(1 − c²)`
/// and `angle = θ = arccos c`.
@usableFromInline
struct PairGeometry {
  @usableFromInline let root: Double
  @usableFromInline let c: Double
  @usableFromInline let sine: Double
  @usableFromInline let angle: Double

  @inlinable @inline(__always)
  init(_ c12: Double, _ q1: Double, _ q2: Double) {
    root = (q1 * q2).squareRoot()
    let raw = root > 0 ? c12 / root : 0
    c = Swift.min(Swift.max(raw, -1), 1)
    sine = Swift.max(1 - c * c, 0).squareRoot()
    angle = acos(c)
  }
}
