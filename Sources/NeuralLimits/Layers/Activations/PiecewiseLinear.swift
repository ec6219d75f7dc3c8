/// `φ(x) = b·x` for `x > 0`, `a·x` for `x < 0`: ReLU `(0, 1)`, leaky ReLU `(α, 1)`, `|x|` `(−1, 1)`,
/// neural-tangents' `ABRelu(a, b)`, and the shaped ReLU.
///
/// With `θ = arccos c` (Cho & Saul 2009, arc-cosine kernel of order 1):
/// `Σ' = √(q1q2)·[(a−b)²/(2π)·(sin θ − θ·c) + (a²+b²)/2·c]`,
/// `E[φ'φ'] = (a²+b²)/2 − (a−b)²·θ/(2π)`.
public struct PiecewiseLinear: Activation {
  public let a: Double
  public let b: Double
  public let specification: String

  public init(a: Double, b: Double, specification: String? = nil) {
    self.a = a
    self.b = b
    self.specification = specification ?? "abrelu(a=\(a), b=\(b))"
  }

  @inline(__always) public func value(_ x: Double) -> Double { x > 0 ? b * x : a * x }
  @inline(__always) public func derivative(_ x: Double) -> Double { x > 0 ? b : (x < 0 ? a : 0) }

  @inline(__always)
  public func dual(_ c12: Double, _ v: PairVariances) -> (nngp: Double, derivative: Double) {
    let g = PairGeometry(c12, v)
    let d2 = (a - b) * (a - b) / (2 * Double.pi), s2 = (a * a + b * b) / 2
    return (g.root * (d2 * (g.sine - g.angle * g.c) + s2 * g.c), s2 - d2 * g.angle)
  }

  /// `Activation`'s map, with the variance map of equal inputs chosen by a select rather than a
  /// branch, so that the loop over a row of entries vectorises (the hot loop of ReLU networks).
  public func transform(_ tile: KernelTile, context: LayerContext) {
    let nngp = tile.nngp
    let s2 = (a * a + b * b) / 2
    if tile.isDiagonal {
      for e in 0..<tile.count {
        tile.ntk?[e] *= s2
        nngp[e] *= s2
      }
      return
    }
    if let ntk = tile.ntk {
      for e in 0..<tile.count {
        let c12 = nngp[e], q = tile.side1.q[e]
        let (k, kDot) = dual(c12, tile.variances(e))
        // Nested selects rather than `&&`, whose short circuit would be a branch per entry.
        let q2 = tile.side2.q[e]
        ntk[e] *= c12 == q ? (q == q2 ? s2 : kDot) : kDot
        nngp[e] = c12 == q ? (q == q2 ? q * s2 : k) : k
      }
    } else {
      for e in 0..<tile.count {
        let c12 = nngp[e], q = tile.side1.q[e]
        let k = dual(c12, tile.variances(e)).nngp, q2 = tile.side2.q[e]
        nngp[e] = c12 == q ? (q == q2 ? q * s2 : k) : k
      }
    }
  }

  /// `q' = q·(a² + b²)/2`, `E[φ'²] = (a² + b²)/2`.
  @inline(__always)
  public func variance(_ q: Double) -> (nngp: Double, derivative: Double) {
    let s2 = (a * a + b * b) / 2
    return (q * s2, s2)
  }
}

/// `relu`: `max(x, 0)`.
public func ReLU() -> PiecewiseLinear { PiecewiseLinear(a: 0, b: 1, specification: "relu") }

/// `leaky_relu(alpha)`: `x` for `x > 0`, `α·x` otherwise.
public func LeakyReLU(alpha: Double) -> PiecewiseLinear {
  PiecewiseLinear(a: alpha, b: 1, specification: "leaky_relu(alpha=\(alpha))")
}

/// `abs`: `|x|`.
public func Abs() -> PiecewiseLinear { PiecewiseLinear(a: -1, b: 1, specification: "abs") }

/// The shaped ReLU of Li, Nica & Roy (2022): slopes `s₊ = 1 + c₊/√n` and `s₋ = 1 + c₋/√n`, so
/// that a network of depth proportional to its width `n` has a covariance SDE limit
/// (`ShapedReLUDrift`); `shaped_relu(c=c)` is `c₊ = c, c₋ = −c`. Both sides are the
/// piecewise-linear layer at these slopes; `n` is `width` when given, else the network's hidden
/// width on the kernel side and the layer's input width at finite width (so theory and
/// simulation use the same `n`).
public struct ShapedReLU: PointwiseKernel {
  public let cPlus: Double
  public let cMinus: Double
  public let width: Int?

  public init(cPlus: Double, cMinus: Double, width: Int? = nil) {
    self.cPlus = cPlus
    self.cMinus = cMinus
    self.width = width
  }

  /// Slopes `1 ± c/√n`.
  public init(c: Double, width: Int? = nil) { self.init(cPlus: c, cMinus: -c, width: width) }

  public var specification: String {
    "shaped_relu(c_plus=\(cPlus), c_minus=\(cMinus)" + (width.map { ", width=\($0))" } ?? ")")
  }

  /// The piecewise-linear activation with slopes `1 + c±/√n`.
  public func slopes(width n: Int) -> PiecewiseLinear {
    let root = Double(n).squareRoot()
    return PiecewiseLinear(a: 1 + cMinus / root, b: 1 + cPlus / root)
  }

  /// `c = 2/(s₊² + s₋²)`, the weight variance that keeps `V`'s diagonal in the mean
  /// (`X_{ℓ+1} = σ_s(X_ℓ)·√(c/n)·W_ℓ`).
  public func normalisation(width n: Int) -> Double {
    let s = slopes(width: n)
    return 2 / (s.a * s.a + s.b * s.b)
  }

  public var needsGaussianInput: Bool { true }
  public func outputIsGaussian(inputIsGaussian: Bool) -> Bool { false }

  public func outputWidth(_ context: LayerContext) throws -> Int? {
    guard width ?? context.hiddenWidth != nil else {
      throw NeuralLimitsError.architecture("shaped_relu needs a width: write shaped_relu(c=…, width=n) or give the network a width")
    }
    return context.inputWidth
  }

  public func transform(_ tile: KernelTile, context: LayerContext) {
    // outputWidth(_:) has checked that one of the two widths is known.
    slopes(width: width ?? context.hiddenWidth!).transform(tile, context: context)
  }

  public func forward(_ input: Matrix, parameters: UnsafeBufferPointer<Double>, outputWidth: Int, tokens: Int,
                      random: RandomStream, cache: inout [Double]) -> Matrix {
    slopes(width: width ?? input.columns).forward(input, parameters: parameters, outputWidth: outputWidth, tokens: tokens,
                                                  random: random, cache: &cache)
  }

  public func backward(_ cotangent: Matrix, input: Matrix, output: Matrix, parameters: UnsafeBufferPointer<Double>,
                       cache: [Double], copies: Int) -> Matrix {
    slopes(width: width ?? input.columns).backward(cotangent, input: input, output: output, parameters: parameters,
                                                   cache: cache, copies: copies)
  }

  public func sampleForward(_ input: Matrix, outputWidth: Int, tokens: Int, random: RandomStream, into output: inout Matrix,
                            scratch: SamplingScratch) {
    slopes(width: width ?? input.columns).sampleForward(input, outputWidth: outputWidth, tokens: tokens, random: random,
                                                        into: &output, scratch: scratch)
  }
}
