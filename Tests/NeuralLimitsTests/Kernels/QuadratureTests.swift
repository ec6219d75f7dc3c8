import Foundation
import Testing
@testable import NeuralLimits

/// Covariances at which dual kernels are compared: `(q1, q2, c12)`.
let covariances: [(Double, Double, Double)] = [(1, 1, 0.3), (2.5, 0.4, -0.6), (0.7, 1.9, 1.1), (1.3, 1.3, 1.3), (0.2, 3, 0)]

/// The same pointwise function through 2-D Gauss–Hermite quadrature.
func numerical<A: Activation>(_ activation: A, degree: Int = 96) throws -> NumericalActivation {
  try NumericalActivation(name: activation.specification, degree: degree,
                          function: { activation.value($0) }, derivative: { activation.derivative($0) })
}

/// The largest relative difference between two activations' dual kernels over `covariances`
/// (relative to `max(|value|, 10⁻⁶)`, since some duals vanish at `c12 = 0`).
func dualDifference<A: Activation>(_ a: A, _ b: NumericalActivation) -> (nngp: Double, derivative: Double) {
  var worst = (nngp: 0.0, derivative: 0.0)
  for (q1, q2, c) in covariances {
    let v = PairVariances(q1: q1, q2: q2)
    let x = a.dual(c, v), y = b.dual(c, v)
    worst.nngp = max(worst.nngp, abs(x.nngp - y.nngp) / max(abs(x.nngp), 1e-6))
    worst.derivative = max(worst.derivative, abs(x.derivative - y.derivative) / max(abs(x.derivative), 1e-6))
  }
  return worst
}

@Suite("Closed-form dual kernels against Gauss–Hermite quadrature")
struct QuadratureTests {
  static let smooth: [any Activation] = [
    Erf(), Erf(a: 1.5, b: 0.7, c: 0.2), Erf.sigmoidLike, Gelu(), Sine(), Sine(a: 0.8, b: 1.3, c: 0.4), Sine.cosine(),
    RBF(gamma: 0.5), Exponential(a: 0.7, b: 0.4), Identity(), Monomial(degree: 0), Monomial(degree: 2),
    Monomial(degree: 3), Monomial(degree: 5),
  ]

  @Test("Smooth activations agree to 1e-8 relative", arguments: 0..<smooth.count)
  func smoothAgree(_ index: Int) throws {
    func check<A: Activation>(_ a: A) throws {
      let d = dualDifference(a, try numerical(a))
      #expect(d.nngp <= 1e-8 && d.derivative <= 1e-8, "\(a.specification): \(d)")
    }
    try check(Self.smooth[index])
  }

  /// A kink along a line that the tensor grid does not follow makes Gauss–Hermite converge
  /// only at first order (error ∝ 1/degree): at the default 96 nodes per axis the NNGP is within
  /// 2e-2 and the derivative kernel (a step function's expectation) within 0.2 — which is why the
  /// piecewise-linear family has closed forms. Quadrupling the nodes must cut the error ≥ 3×.
  @Test("Kinked activations: quadrature reaches 2e-2 (NNGP) and 0.2 (derivative), at first order",
        arguments: [ReLU(), LeakyReLU(alpha: 0.1), Abs(), PiecewiseLinear(a: -0.4, b: 1.3)])
  func kinkedAgreeLoosely(_ a: PiecewiseLinear) throws {
    let d = dualDifference(a, try numerical(a))
    #expect(d.nngp <= 2e-2 && d.derivative <= 0.2, "\(a.specification): \(d)")
    let fine = dualDifference(a, try numerical(a, degree: 384))
    #expect(fine.nngp <= d.nngp / 3, "\(a.specification): \(fine) vs \(d)")
  }

  @Test("Rectified monomials of degree 2 and 3 (kink in a higher derivative) agree to 2e-4 and 1e-2",
        arguments: [2, 3])
  func rectifiedMonomial(_ degree: Int) throws {
    let a = RectifiedMonomial(degree: degree)
    let d = dualDifference(a, try numerical(a, degree: 200))
    #expect(d.nngp <= 2e-4 && d.derivative <= 1e-2, "\(a.specification): \(d)")
  }

  @Test("tanh by Gauss–Hermite agrees with nested adaptive quadrature (GSL QAGI) to 1e-8")
  func tanhAgainstAdaptive() throws {
    let tanhLayer = try NumericalActivation.tanh()
    let (q1, q2, c) = (1.2, 0.8, 0.5)
    // E[tanh(u)tanh(v)] = ∫∫ φ(z1)φ(z2) tanh(√q1 z1) tanh(a z1 + b z2), the 2 × 2 Cholesky factor.
    let s1 = q1.squareRoot(), a = c / s1, b = (q2 - a * a).squareRoot()
    let density = { (z: Double) in exp(-z * z / 2) / (2 * Double.pi).squareRoot() }
    let reference = try Quadrature.integrate({ z1 in
      let inner = try! Quadrature.integrate({ z2 in density(z2) * tanh(a * z1 + b * z2) }, from: -.infinity, to: .infinity)
      return density(z1) * tanh(s1 * z1) * inner.value
    }, from: -.infinity, to: .infinity).value
    let value = tanhLayer.dual(c, PairVariances(q1: q1, q2: q2)).nngp
    #expect(abs(value - reference) <= 1e-8 * abs(reference))
    // The estimate (96 against 48 nodes) is conservative: above the true error, and small.
    let estimate = try tanhLayer.errorEstimate(c, q1, q2)
    #expect(estimate >= abs(value - reference) && estimate < 1e-6, "estimate \(estimate)")
  }

  @Test("Networks report a quadrature error estimate exactly when they have quadrature layers")
  func networkEstimate() throws {
    let x = try Matrix([[0.3, -0.2], [0.1, 0.4], [-0.5, 0.2]])
    let smooth = try ArchitectureParser.parse("dense -> tanh -> dense -> softplus -> dense").kernels(x)
    let estimate = try #require(smooth.quadratureErrorEstimate)
    #expect(estimate < 1e-8, "\(estimate)")
    #expect(try ArchitectureParser.parse("dense -> relu -> dense").kernels(x).quadratureErrorEstimate == nil)
    // Large variances make tanh's derivative kernel narrow on the node grid: the estimate says so.
    let wide = try ArchitectureParser.parse("dense(w_std=20) -> tanh -> dense").kernels(x)
    #expect(try #require(wide.quadratureErrorEstimate) > 1e-6)
  }
}
