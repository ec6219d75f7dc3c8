import Foundation
import Testing
@testable import NeuralLimits

@Suite("GSL wrappers")
struct GSLTests {
  @Test("Gauss–Hermite: E[z⁴] = 3 and E[cos z] = e^{-1/2} to 1e-12")
  func gaussHermite1D() throws {
    let gh = try GaussHermite(degree: 40)
    #expect(abs(gh.expectation { pow($0, 4) } - 3) < 1e-12)
    #expect(abs(gh.expectation { cos($0) } - exp(-0.5)) < 1e-12)
    #expect(abs(gh.weights.reduce(0, +) - 1) < 1e-14)
  }

  @Test("2-D Gaussian expectation: E[cos(u − v)] = exp(−(q1 + q2 − 2c)/2) and E[u²v²] = q1q2 + 2c²")
  func gaussHermite2D() throws {
    let gh = try GaussHermite(degree: 40)
    let (q1, q2, c) = (1.3, 0.7, 0.4)
    let value = gh.expectation(q1: q1, q2: q2, c12: c) { u, v in cos(u - v) }
    #expect(abs(value - exp(-(q1 + q2 - 2 * c) / 2)) < 1e-12)
    let moment = gh.expectation(q1: q1, q2: q2, c12: c) { u, v in u * u * v * v }
    #expect(abs(moment - (q1 * q2 + 2 * c * c)) < 1e-12)
    // Degenerate: q1 = 0 gives u ≡ 0.
    #expect(abs(gh.expectation(q1: 0, q2: 2, c12: 0) { _, v in v * v } - 2) < 1e-12)
    #expect(throws: NeuralLimitsError.self) { try GaussHermite(degree: 0) }
  }

  @Test("Adaptive quadrature: ∫₀¹ x² = 1/3 and ∫ e^{-x²} = √π; bad bounds throw")
  func adaptive() throws {
    #expect(abs(try Quadrature.integrate({ $0 * $0 }, from: 0, to: 1).value - 1.0 / 3) < 1e-14)
    #expect(abs(try Quadrature.integrate({ exp(-$0 * $0) }, from: -.infinity, to: .infinity).value - Double.pi.squareRoot()) < 1e-12)
    #expect(abs(try Quadrature.integrate({ exp(-$0) }, from: 0, to: .infinity).value - 1) < 1e-12)
    #expect(throws: NeuralLimitsError.self) { try Quadrature.integrate({ $0 }, from: 1, to: 0) }
  }

  @Test("A GSL failure becomes a thrown error, not an abort")
  func gslErrorsThrow() {
    // ∫₀¹ 1/x diverges: GSL reports a status code, which must surface as NeuralLimitsError.gsl.
    #expect(throws: NeuralLimitsError.self) { try Quadrature.integrate({ 1 / $0 }, from: 0, to: 1, limit: 50) }
    #expect(throws: NeuralLimitsError.self) { try SpecialFunctions.gamma(-1) }
  }

  @Test("Brent root finding: cos x = x")
  func roots() throws {
    let root = try RootFinding.brent({ cos($0) - $0 }, lower: 0, upper: 1)
    #expect(abs(root - 0.7390851332151607) < 1e-13)
    #expect(throws: NeuralLimitsError.self) { try RootFinding.brent({ $0 * $0 + 1 }, lower: -1, upper: 1) }
  }

  @Test("ODE: y' = −y gives e^{-t}; the harmonic oscillator returns after 2π")
  func ode() throws {
    let y = try ODE.integrate(from: 0, to: 2, initial: [1]) { _, y, dy in dy[0] = -y[0] }
    #expect(abs(y[0] - exp(-2)) < 1e-11)
    let z = try ODE.integrate(from: 0, to: 2 * .pi, initial: [1, 0]) { _, y, dy in dy[0] = y[1]; dy[1] = -y[0] }
    #expect(abs(z[0] - 1) < 1e-10 && abs(z[1]) < 1e-10)
  }

  @Test("Special functions")
  func special() throws {
    #expect(abs(try SpecialFunctions.gamma(5) - 24) < 1e-12)
    #expect(abs(SpecialFunctions.erf(1) - 0.8427007929497149) < 1e-15)
    #expect(SpecialFunctions.doubleFactorial(7) == 105 && SpecialFunctions.doubleFactorial(-1) == 1)
  }
}

@Suite("Random streams")
struct RandomStreamTests {
  @Test("Same seed and stream give the same numbers; other streams or seeds differ")
  func reproducible() {
    let a = RandomStream(seed: 42, stream: 3).gaussians(100)
    let b = RandomStream(seed: 42, stream: 3).gaussians(100)
    #expect(a == b)
    #expect(a != RandomStream(seed: 42, stream: 4).gaussians(100))
    #expect(a != RandomStream(seed: 43, stream: 3).gaussians(100))
  }

  @Test("Gaussian mean and variance, uniform mean, within 4 standard errors (seed 7, n = 200000)")
  func moments() {
    let n = 200_000
    let z = RandomStream(seed: 7).gaussians(n)
    let mean = z.reduce(0, +) / Double(n)
    let variance = z.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
    #expect(abs(mean) < 4 * (1 / Double(n)).squareRoot())
    #expect(abs(variance - 1) < 4 * (2 / Double(n)).squareRoot())  // Var(s²) = 2/n for N(0,1)
    let u = RandomStream(seed: 8).uniforms(n)
    #expect(abs(u.reduce(0, +) / Double(n) - 0.5) < 4 * (1.0 / 12 / Double(n)).squareRoot())
    #expect(u.allSatisfy { $0 >= 0 && $0 < 1 })
  }
}
