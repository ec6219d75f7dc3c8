import Foundation

/// The local Q and C maps of an activation `φ`, the objects of Deep Kernel Shaping (Martens et
/// al. 2021, *Rapid training of deep neural networks without skip connections or normalization
/// layers using Deep Kernel Shaping*, §3–4) and TAT (Zhang et al. 2022, *Deep Learning without
/// Shortcuts: Shaping the Kernel with Tailored Rectifiers*, §3):
///
/// - Q map `Q(q) = E[φ(√q·z)²]`, `z ~ N(0, 1)`, and its slope
///   `Q'(q) = E[φ(√q·z)·φ'(√q·z)·z]/√q` (differentiating under the integral);
/// - C map, for two inputs of the same `q`: `C(c) = E[φ(u)φ(v)]/Q(q)` with
///   `(u, v) ~ N(0, q·[[1, c], [c, 1]])`, its slope `C'(c) = q·E[φ'(u)φ'(v)]/Q(q)` (Price's theorem:
///   `∂E[φ(u)φ(v)]/∂Cov(u, v) = E[φ'(u)φ'(v)]`) and curvature at 1, `C''(1) = q²·E[φ''(√q·z)²]/Q(q)`;
///   `C(0) = E[φ(√q·z)]²/Q(q)`.
///
/// DKS and TAT normalise the input so that `q = 1` at every layer (the default here), where
/// `C'(1) = E[φ'(z)²]/E[φ(z)²]` — dks's `_calc_c_slope`, `_calc_q_slope_1` and `_calc_c_curv`
/// (`dks/base/activation_transform.py`) with `q_output = Q(1)` rather than an assumed 1.
///
/// `Q`, `C` and `C'` are the activation's own variance map and dual kernels (`Activation.variance`,
/// `Activation.dual`): closed forms where the library has them (for leaky ReLU the arc-cosine kernel,
/// `C(c) = [(1−α)²(√(1−c²) − c·arccos c)/π + (1+α²)c]/(1+α²)`), Hermite expansions otherwise. `Q'`
/// and `C''(1)` are 1-D Gaussian integrals (GSL's QAGI) of `φ`, `φ'` and `φ''`, the last by a
/// five-point central difference of `φ'` (step `10⁻³·max(1, |x|)`, error about `10⁻¹²`) — it
/// assumes `φ` twice differentiable, except for piecewise-linear activations with a kink, whose
/// `C''(1)` is `+∞` exactly (`C''(c) = (a−b)²/(2π√(1−c²))·q/Q(q)`).
public struct LocalMaps: Sendable {
  public let activation: any Activation
  /// The input `q` of both inputs (DKS: 1).
  public let q: Double
  /// `Q(q)`.
  public let qValue: Double

  public init(_ activation: any Activation, q: Double = 1) throws {
    guard q > 0, q.isFinite else { throw NeuralLimitsError.invalidArgument("q must be positive and finite, got \(q)") }
    self.activation = activation
    self.q = q
    qValue = activation.variance(q).nngp
    guard qValue > 0, qValue.isFinite else {
      throw NeuralLimitsError.invalidArgument("\(activation.specification) has Q(\(q)) = \(qValue): its C map is undefined")
    }
  }

  /// `Q'(q) = E[φ(√q·z)·φ'(√q·z)·z]/√q`.
  public func qSlope() throws -> Double {
    let root = q.squareRoot(), phi = activation
    return try Quadrature.gaussianExpectation { z in phi.value(root * z) * phi.derivative(root * z) * z } / root
  }

  /// `C(c)` for `c ∈ [−1, 1]` (`C(1) = 1`).
  public func cMap(_ c: Double) throws -> Double {
    try check(c)
    return c == 1 ? 1 : activation.dual(q * c, PairVariances(q1: q, q2: q)).nngp / qValue
  }

  /// `C'(c) = q·E[φ'(u)φ'(v)]/Q(q)` for `c ∈ [−1, 1]`.
  public func cSlope(_ c: Double) throws -> Double {
    try check(c)
    let kDot = c == 1 ? activation.variance(q).derivative : activation.dual(q * c, PairVariances(q1: q, q2: q)).derivative
    return q * kDot / qValue
  }

  /// `C(0) = E[φ]²/Q(q)`.
  public func cValueAtZero() throws -> Double { try cMap(0) }

  /// `C''(1) = q²·E[φ''(√q·z)²]/Q(q)`; `+∞` for a kinked piecewise-linear activation.
  public func cCurvatureAtOne() throws -> Double {
    if let p = activation as? PiecewiseLinear { return p.a == p.b ? 0 : .infinity }
    let root = q.squareRoot(), phi = activation
    let expectation = try Quadrature.gaussianExpectation { z in
      let x = root * z, h = 1e-3 * max(1, abs(x))
      let second = (phi.derivative(x - 2 * h) - 8 * phi.derivative(x - h) + 8 * phi.derivative(x + h)
        - phi.derivative(x + 2 * h)) / (12 * h)
      return second * second
    }
    return q * q * expectation / qValue
  }

  private func check(_ c: Double) throws {
    guard c >= -1, c <= 1 else { throw NeuralLimitsError.invalidArgument("a correlation must be in [-1, 1], got \(c)") }
  }
}
