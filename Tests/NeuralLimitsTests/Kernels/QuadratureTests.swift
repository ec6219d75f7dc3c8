import Foundation
import Testing
@testable import NeuralLimits

/// Covariances at which dual kernels are compared: `(q1, q2, c12)`.
let covariances: [(Double, Double, Double)] = [(1, 1, 0.3), (2.5, 0.4, -0.6), (0.7, 1.9, 1.1), (1.3, 1.3, 1.3), (0.2, 3, 0)]

/// The same pointwise function through `NumericalActivation` (Hermite expansion).
func numerical<A: Activation>(_ activation: A, tolerance: Double = 1e-10) throws -> NumericalActivation {
  try NumericalActivation(name: activation.specification, tolerance: tolerance,
                          function: { activation.value($0) }, derivative: { activation.derivative($0) })
}

/// Errors relative to the kernel's diagonal `√(K(x,x)·K(x',x'))`, NNGP and derivative kernel.
struct RelativeError: CustomStringConvertible {
  var nngp = 0.0
  var derivative = 0.0
  var largest: Double { max(nngp, derivative) }
  var description: String { String(format: "(nngp %.2e, derivative %.2e)", nngp, derivative) }
}

/// Per covariance of `covariances`, the relative difference between a closed form's dual
/// kernels and `b`'s, with `b`'s estimate.
func dualDifferences<A: Activation>(_ a: A, _ b: NumericalActivation) -> [(actual: RelativeError, estimate: Double)] {
  covariances.map { (q1, q2, c) in
    let v = PairVariances(q1: q1, q2: q2)
    let x = a.dual(c, v), y = b.estimatedDual(c, v), d1 = a.variance(q1), d2 = a.variance(q2)
    return (RelativeError(nngp: abs(x.nngp - y.nngp) / (d1.nngp * d2.nngp).squareRoot(),
                          derivative: abs(x.derivative - y.derivative) / (d1.derivative * d2.derivative).squareRoot()),
            y.error)
  }
}

/// `E[g(u)·h(v)]` for `(u, v)` of variances `q1`, `q2` and correlation `ρ`, by nested adaptive
/// quadrature (GSL QAGS on finite pieces, QAGIU/QAGIL on the tails): `u = √q1·z1`,
/// `v = a·z1 + b·z2` with `a = ρ√q2`, `b = √q2·√((1−ρ)(1+ρ))`. Every piece meets the Gaussian's
/// bulk (splits at 0 and ±10), and narrow features get pieces of their own: the inner integrand
/// around `z2 = −a·z1/b` (`±10/b`), the outer one around 0 (`±10/√q1`, `±10/|a|`). Absolute
/// tolerances are `10⁻¹⁴` of `scale` (`√(E g(u)²·E h(v)²)`) and of `√(E h(v)²)` for the inner
/// integrals, which enter the outer one weighted by `|g(u)|`.
func nestedExpectation(_ g: @escaping (Double) -> Double, _ h: @escaping (Double) -> Double, _ q1: Double, _ q2: Double,
                       _ rho: Double, scale: (outer: Double, inner: Double)) throws -> Double {
  let s1 = q1.squareRoot(), a = rho * q2.squareRoot(), b = q2.squareRoot() * ((1 - rho) * (1 + rho)).squareRoot()
  let density = { (z: Double) in exp(-z * z / 2) / (2 * Double.pi).squareRoot() }
  func integrate(_ f: @escaping (Double) -> Double, splits: [Double], scale: Double) throws -> Double {
    let points = Array(Set((splits + [-10, 0, 10]).filter { abs($0) < 40 })).sorted()
    let edges = [-Double.infinity] + points + [Double.infinity]
    return try zip(edges, edges.dropFirst()).reduce(0) { sum, piece in
      sum + (try Quadrature.integrate(f, from: piece.0, to: piece.1, absoluteTolerance: 1e-14 * scale,
                                      relativeTolerance: 1e-13, limit: 2000)).value
    }
  }
  func inner(_ z1: Double) throws -> Double {
    guard b > 0 else { return h(a * z1) }
    let centre = -a * z1 / b, width = 10 / b
    return try integrate({ z2 in density(z2) * h(a * z1 + b * z2) }, splits: [centre - width, centre, centre + width],
                         scale: scale.inner)
  }
  var failure: Error?
  let value = try integrate({ z1 in
    do { return density(z1) * g(s1 * z1) * (try inner(z1)) } catch { failure = error; return 0 }
  }, splits: [-10 / s1, 10 / s1] + (a == 0 ? [] : [-10 / abs(a), 10 / abs(a)]), scale: scale.outer)
  if let failure { throw failure }
  return value
}

/// The NNGP and derivative kernels of `a` by `nestedExpectation`, and the errors of `a`'s
/// estimated dual kernels against them.
func againstNested(_ a: NumericalActivation, _ q1: Double, _ q2: Double, _ rho: Double) throws
  -> (actual: RelativeError, estimate: Double)
{
  let v = PairVariances(q1: q1, q2: q2)
  let ours = a.estimatedDual(rho * v.root, v)
  let f = a.function, df = a.slope
  let d1 = a.estimatedVariance(q1), d2 = a.estimatedVariance(q2)
  let nngp = try nestedExpectation(f, f, q1, q2, rho, scale: ((d1.nngp * d2.nngp).squareRoot(), d2.nngp.squareRoot()))
  let derivative = try nestedExpectation(df, df, q1, q2, rho,
                                         scale: ((d1.derivative * d2.derivative).squareRoot(), d2.derivative.squareRoot()))
  var actual = RelativeError()
  actual.nngp = abs(ours.nngp - nngp) / (d1.nngp * d2.nngp).squareRoot()
  actual.derivative = abs(ours.derivative - derivative) / (d1.derivative * d2.derivative).squareRoot()
  return (actual, ours.error)
}

@Suite("Dual kernels by Hermite expansion, against closed forms and nested adaptive quadrature")
struct QuadratureTests {
  static let smooth: [any Activation] = [
    Erf(), Erf(a: 1.5, b: 0.7, c: 0.2), Erf.sigmoidLike, Gelu(), Sine(), Sine(a: 0.8, b: 1.3, c: 0.4), Sine.cosine(),
    RBF(gamma: 0.5), Exponential(a: 0.7, b: 0.4), Identity(), Monomial(degree: 0), Monomial(degree: 2),
    Monomial(degree: 3), Monomial(degree: 5),
  ]

  @Test("Closed-form activations through the expansion agree to 1e-10, honestly estimated", arguments: 0..<smooth.count)
  func smoothAgree(_ index: Int) throws {
    func check<A: Activation>(_ a: A) throws {
      for (actual, estimate) in dualDifferences(a, try numerical(a)) {
        #expect(Self.honest(actual.largest, estimate, tolerance: 1e-10), "\(a.specification): \(actual), estimate \(estimate)")
      }
    }
    try check(Self.smooth[index])
  }

  /// The rule for an entry: the error is within the target `tolerance`, and the estimate bounds it
  /// (up to the reference's own accuracy, 10⁻¹³) and overstates it by at most 100× — or, where the
  /// error is at round-off (below 10⁻¹³, which the reference cannot resolve), stays below
  /// `tolerance/100`.
  static func honest(_ actual: Double, _ estimate: Double, tolerance: Double) -> Bool {
    actual <= tolerance && estimate >= actual - 1e-13
      && (actual >= 1e-13 ? estimate <= 100 * actual : estimate <= tolerance / 100)
  }

  static let variances: [(Double, Double)] = [(0.01, 0.01), (1, 1), (10, 10), (100, 100), (0.01, 100), (1, 10)]
  static let correlations = [-0.999, -0.5, 0, 0.3, 0.9, 0.999]

  @Test("tanh, softplus and swish at variances 0.01…100 and correlations up to ±0.999: within 1e-10 of nested adaptive quadrature, honestly estimated",
        arguments: ["tanh", "softplus", "swish"], 0..<variances.count)
  func againstAdaptive(_ name: String, _ index: Int) throws {
    let a = try ArchitectureParser.parse(name).graph.primitives[0] as! NumericalActivation
    let (q1, q2) = Self.variances[index]
    for rho in Self.correlations {
      let (actual, estimate) = try againstNested(a, q1, q2, rho)
      #expect(Self.honest(actual.largest, estimate, tolerance: 1e-10), "\(name) q \(q1), \(q2) ρ \(rho): \(actual), estimate \(estimate)")
    }
    // The variance map (entries of an input with itself) against 1-D adaptive quadrature.
    let (k, kDot, estimate) = a.estimatedVariance(q1)
    let f = a.function, df = a.slope
    let exact = (try ExtremeInputTests.gaussianExpectation(q1) { f($0) * f($0) },
                 try ExtremeInputTests.gaussianExpectation(q1) { df($0) * df($0) })
    let actual = max(abs(k - exact.0) / exact.0, abs(kDot - exact.1) / exact.1)
    #expect(Self.honest(actual, estimate, tolerance: 1e-10), "\(name) variance map at \(q1): \(actual), estimate \(estimate)")
  }

  @Test("At tol=1e-6 the truncation shows: errors within the target, estimates above them by at most 100×",
        arguments: ["tanh", "softplus", "swish"], [(1.0, 1.0), (10, 10), (1, 10)])
  func looseTolerance(_ name: String, _ variances: (Double, Double)) throws {
    let a = try ArchitectureParser.parse("\(name)(tol=1e-6)").graph.primitives[0] as! NumericalActivation
    for rho in [-0.999, 0.5, 0.9, 0.99, 0.999] {
      let (actual, estimate) = try againstNested(a, variances.0, variances.1, rho)
      #expect(Self.honest(actual.largest, estimate, tolerance: 1e-6), "\(name) q \(variances) ρ \(rho): \(actual), estimate \(estimate)")
    }
  }

  /// A kink makes the coefficients converge algebraically: the expansion does not reach 10⁻¹⁰,
  /// and its estimate must not claim it — but must still bound the actual error.
  @Test("Kinked activations: the estimate bounds the error and does not claim the target",
        arguments: [ReLU(), Abs()])
  func kinked(_ a: PiecewiseLinear) throws {
    let b = try numerical(a)
    for (actual, estimate) in dualDifferences(a, b) {
      #expect(estimate >= actual.largest && estimate > 1e-6 && actual.largest < 0.05, "\(a.specification): \(actual), estimate \(estimate)")
    }
    // In a network, the layer refuses rather than return numbers it cannot vouch for.
    let network = Serial { Dense(); b; Dense() }
    #expect(throws: NeuralLimitsError.self) { try network.kernels(try Matrix([[0.3, -0.2], [0.1, 0.4]])) }
  }
}

@Suite("Quadrature layers in networks")
struct QuadratureNetworkTests {
  /// Three inputs of variance `q` after a dense layer of `w_std = √q` (and one of `q/4`).
  static func inputs() throws -> Matrix { try Matrix([[1, -0.5, 1.2], [0.3, 1.4, -0.9], [0.2, 0.4, -0.6]]) }

  @Test("The diagonal and off-diagonal entries of tanh at variance ~10 are within 1e-10 of nested adaptive quadrature")
  func tanhNetwork() throws {
    let x = try Self.inputs()
    let w = 3.5
    let state = try ArchitectureParser.parse("dense(w_std=\(w)) -> tanh").kernels(x)
    let input = try ArchitectureParser.parse("dense(w_std=\(w))").kernels(x).nngp
    let tanh = { (t: Double) in Foundation.tanh(t) }, slope = { (t: Double) in 1 - Foundation.tanh(t) * Foundation.tanh(t) }
    for i in 0..<3 {
      for j in i..<3 {
        let (q1, q2) = (input[i, i], input[j, j]), rho = input[i, j] / (q1 * q2).squareRoot()
        let nngp = i == j ? try ExtremeInputTests.gaussianExpectation(q1) { tanh($0) * tanh($0) }
          : try nestedExpectation(tanh, tanh, q1, q2, rho, scale: (1, 1))
        let dot = i == j ? try ExtremeInputTests.gaussianExpectation(q1) { slope($0) * slope($0) }
          : try nestedExpectation(slope, slope, q1, q2, rho, scale: (0.1, 0.1))
        let scale = (state.nngp[i, i] * state.nngp[j, j]).squareRoot()
        #expect(abs(state.nngp[i, j] - nngp) <= 1e-10 * scale, "NNGP[\(i), \(j)] \(state.nngp[i, j]) vs \(nngp)")
        #expect(abs(state.ntk![i, j] - input[i, j] * dot) <= 1e-10 * (state.ntk![i, i] * state.ntk![j, j]).squareRoot(),
                "NTK[\(i), \(j)] \(state.ntk![i, j]) vs \(input[i, j] * dot)")
      }
    }
  }

  /// Also across layer objects: the profiles a layer caches (and extends for longer partners)
  /// do not change what it computes.
  @Test("K(x2, x) is K(x, x2)ᵀ bit for bit, whatever was cached before", arguments: ["tanh", "softplus", "swish"])
  func symmetric(_ name: String) throws {
    let arch = "dense(w_std=3) -> \(name) -> dense -> \(name) -> dense"
    let network = try ArchitectureParser.parse(arch)
    let x = try Self.inputs(), x2 = try Matrix([[0.7, 0.1, -1.1], [-0.4, 0.8, 0.5], [1.0, -0.5, 1.2]])
    let forward = try network.kernels(x, x2)
    for backward in [try network.kernels(x2, x), try ArchitectureParser.parse(arch).kernels(x2, x)] {
      for i in 0..<3 {
        for j in 0..<3 {
          #expect(forward.nngp[i, j] == backward.nngp[j, i] && forward.ntk![i, j] == backward.ntk![j, i], "(\(i), \(j))")
        }
      }
    }
  }

  @Test("Networks report the largest estimate of any quadrature entry, within the target, exactly when they have quadrature layers")
  func networkEstimate() throws {
    let x = try Self.inputs()
    for arch in ["dense -> tanh -> dense -> softplus -> dense", "dense(w_std=10) -> tanh -> dense"] {
      let estimate = try #require(try ArchitectureParser.parse(arch).kernels(x).quadratureErrorEstimate, "\(arch)")
      #expect(estimate > 0 && estimate <= 1e-10, "\(arch): \(estimate)")
    }
    #expect(try ArchitectureParser.parse("dense -> relu -> dense").kernels(x).quadratureErrorEstimate == nil)
    // Correlations near 1 make the truncation visible at a loose target: the estimate follows.
    let loose = try ArchitectureParser.parse("dense -> tanh(tol=1e-4) -> dense").kernels(x).quadratureErrorEstimate
    #expect(try #require(loose) > 1e-9 && loose! <= 1e-4, "\(loose!)")
  }

  @Test("Sums with a branch that is not fused (dropout) keep every branch's estimate")
  func estimateThroughSums() throws {
    let x = try Self.inputs()
    let arch = "dense -> parallel(dense -> relu -> dropout(rate=0.1) -> dense, dense -> tanh(tol=1e-4) -> dense)"
    let estimate = try #require(try ArchitectureParser.parse(arch).kernels(x).quadratureErrorEstimate)
    #expect(estimate > 0 && estimate <= 1e-4)
  }

  @Test("Out of reach (tanh at variance 1e6): a one-line error naming the layer, the variance and the estimate, quickly")
  func outOfReach() throws {
    let start = Date()
    do {
      _ = try ArchitectureParser.parse("dense(w_std=1000) -> tanh -> dense").kernels(try Self.inputs())
      Issue.record("no error")
    } catch let error as NeuralLimitsError {
      let message = "\(error)"
      #expect(message.contains("tanh at pre-activation variance") && message.contains("exceeds tol=1e-10")
                && !message.contains("\n"), "\(message)")
    }
    #expect(Date().timeIntervalSince(start) < 2)
  }

  @Test("tol is validated; degree= is gone")
  func parameters() throws {
    #expect(try ArchitectureParser.parse("tanh(tol=1e-6)").graph.primitives[0].specification == "tanh(tol=1e-06)")
    for bad in ["tanh(tol=0)", "tanh(tol=0.1)", "softplus(tol=-1)", "swish(degree=8)"] {
      #expect(throws: NeuralLimitsError.self, "\(bad)") { try ArchitectureParser.parse(bad) }
    }
  }
}
