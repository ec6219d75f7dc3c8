import Foundation
import Testing
@testable import NeuralLimits

@Suite("Local and global Q/C maps, and the solvers' defining equations")
struct ShapingMapsTests {
  /// dks's `_leaky_relu_cmap`: `[(1−α)²(√(1−c²) + (π − arccos c)c)/π + 2αc]/(1 + α²)`.
  static func leakyCMap(_ c: Double, _ alpha: Double) -> Double {
    ((1 - alpha) * (1 - alpha) * ((1 - c * c).squareRoot() + (Double.pi - acos(c)) * c) / Double.pi + 2 * alpha * c)
      / (1 + alpha * alpha)
  }

  @Test("ReLU and leaky ReLU: C map, C'(c), C(0), Q(1), Q'(1), C''(1) in closed form", arguments: [0.0, 0.05, 0.3, 1])
  func leakyClosedForms(alpha: Double) throws {
    let maps = try LocalMaps(alpha == 0 ? ReLU() : LeakyReLU(alpha: alpha))
    let s2 = (1 + alpha * alpha) / 2
    #expect(abs(maps.qValue - s2) < 1e-15)
    #expect(abs(try maps.qSlope() - s2) < 1e-12)  // Q(q) = q·(1 + α²)/2
    for c in [-1, -0.7, 0, 0.2, 0.9, 0.999999, 1] {
      #expect(abs(try maps.cMap(c) - Self.leakyCMap(c, alpha)) < 1e-14, "c = \(c)")
      // C'(c) = [(1−α)²(π − arccos c)/π + 2α]/(1 + α²)
      let slope = ((1 - alpha) * (1 - alpha) * (Double.pi - acos(c)) / Double.pi + 2 * alpha) / (1 + alpha * alpha)
      #expect(abs(try maps.cSlope(c) - slope) < 1e-14, "c = \(c)")
    }
    #expect(abs(try maps.cValueAtZero() - (1 - alpha) * (1 - alpha) / (Double.pi * (1 + alpha * alpha))) < 1e-15)
    #expect(try maps.cSlope(1) == 1)
    #expect(try maps.cCurvatureAtOne() == (alpha == 1 ? 0 : .infinity))
    #expect(throws: NeuralLimitsError.self) { try maps.cMap(1.5) }
  }

  @Test("erf: closed-form maps, and the same maps by Hermite quadrature of a closure")
  func erfMaps() throws {
    let closed = try LocalMaps(Erf())
    let numerical = try LocalMaps(NumericalActivation(name: "erf closure", function: { erf($0) },
                                                      derivative: { 2 / Double.pi.squareRoot() * exp(-$0 * $0) }))
    // Q(q) = (2/π)·arcsin(2q/(1 + 2q)), Q'(1) = 4/(3π√5), E[φ'²] = 4/(π√5), E[φ''²] = 16/(π·5^{3/2}).
    let q1 = 2 / Double.pi * asin(2.0 / 3)
    for maps in [closed, numerical] {
      #expect(abs(maps.qValue - q1) < 1e-12)
      #expect(abs(try maps.qSlope() - 4 / (3 * Double.pi * sqrt(5.0))) < 1e-12)
      #expect(abs(try maps.cSlope(1) - 4 / (Double.pi * sqrt(5.0)) / q1) < 1e-12)
      #expect(abs(try maps.cCurvatureAtOne() - 16 / (Double.pi * pow(5, 1.5)) / q1) < 1e-9)
      #expect(abs(try maps.cValueAtZero()) < 1e-14)
    }
    for c in [-0.9, -0.3, 0.1, 0.5, 0.95] {
      #expect(abs(try closed.cMap(c) - numerical.cMap(c)) < 1e-10, "c = \(c)")
      #expect(abs(try closed.cSlope(c) - numerical.cSlope(c)) < 1e-10, "c = \(c)")
    }
  }

  @Test("TAT: the solution meets max C_f(0) = eta and Q(1) = 1 to 1e-10", arguments: [(0.5, 5), (0.9, 20), (0.98, 1000)])
  func tatEquations(eta: Double, depth: Int) throws {
    let p = try TAT.solve(eta: eta, depth: depth)
    let network = try GlobalMap.chain(depth: depth, activation: ReLU())
    #expect(abs(try TAT.maximalCValueAtZero(negativeSlope: p.negativeSlope, network: network) - eta) < 1e-10)
    let layer = try Shaping.tatLeakyReLU(eta: eta, depth: depth)
    #expect(abs(try LocalMaps(layer).qValue - 1) < 1e-14)
    // The layer itself through the plain network: its global C map at 0 is eta.
    #expect(abs(try GlobalMap.chain(depth: depth, activation: layer).cMap(0) - eta) < 1e-10)
  }

  @Test("DKS: the solution meets Q(1) = 1, Q'(1) = 1, C(0) = 0, C'_f(1) = zeta to 1e-10",
        arguments: [("tanh", 1.5, 20), ("softplus", 2.0, 10), ("gelu", 1.5, 100), ("sigmoid_like", 1.5, 20)])
  func dksEquations(name: String, zeta: Double, depth: Int) throws {
    let layer = try Shaping.dks(activation: name, zeta: zeta, depth: depth)
    let maps = try LocalMaps(layer)
    #expect(abs(maps.qValue - 1) < 1e-10)
    #expect(abs(try maps.qSlope() - 1) < 1e-10)
    #expect(abs(try maps.cValueAtZero()) < 1e-10)
    #expect(abs(pow(try maps.cSlope(1), Double(depth)) - zeta) < 1e-10)
    #expect(abs(try GlobalMap.chain(depth: depth, activation: layer).cSlopeAtOne() - zeta) < 1e-10)
  }

  @Test("Global C map: normalised residual sums w²C_shortcut + (1 − w²)C_residual, equal to the kernel evaluator")
  func residualGlobalMap() throws {
    let phi = "tat_leaky_relu(eta=0.9, depth=20)"
    let spec = "dense -> \(phi) -> (residual(dense -> \(phi) -> dense -> \(phi) -> dense, scale=0.6, skip=0.8)) * 3 -> dense"
    let layer = try ArchitectureParser.parse(spec)
    let map = try GlobalMap(layer.graph)
    let local = try LocalMaps(try Shaping.tatLeakyReLU(eta: 0.9, depth: 20))
    for c in [0.0, 0.3, -0.4] {
      var x = try local.cMap(c)
      for _ in 0..<3 { x = 0.64 * x + 0.36 * (try local.cMap(try local.cMap(x))) }
      #expect(abs(try map.cMap(c) - x) < 1e-14)
      // Inputs with q = 1 and correlation c (input kernel x·x'ᵀ/d, d = 2).
      let inputs = try Matrix([[sqrt(2.0), 0], [sqrt(2.0) * c, (2 * (1 - c * c)).squareRoot()]])
      let k = try layer.kernels(inputs, get: .nngp).nngp
      #expect(abs(k[0, 1] / (k[0, 0] * k[1, 1]).squareRoot() - x) < 1e-12)
    }
    // The subnetwork maximum of C'_f(1)-type maps includes a residual branch taken alone.
    let branchy = try GlobalMap(ArchitectureParser.parse("dense -> residual(dense -> relu -> relu -> relu -> dense, scale=0.6, skip=0.8) -> dense").graph)
    let m = branchy.evaluate(from: 1) { _, x in 2 * x }
    #expect(abs(m.network - (0.64 + 0.36 * 8)) < 1e-12)
    #expect(m.subnetworks == 8)
  }

  @Test("Refused: unnormalised sums, dense with a bias or w_std ≠ 1, dropout, bad eta/zeta, no solution")
  func refusals() throws {
    for spec in ["dense -> residual(dense -> relu -> dense, scale=1)", "dense(b_std=0.1) -> relu", "dense(w_std=2) -> relu",
                 "dense -> relu -> dropout(rate=0.1)"] {
      #expect(throws: NeuralLimitsError.self, "\(spec)") { try GlobalMap(ArchitectureParser.parse(spec).graph) }
    }
    #expect(throws: NeuralLimitsError.self) { try TAT.solve(eta: 0, depth: 20) }
    #expect(throws: NeuralLimitsError.self) { try TAT.solve(eta: 1, depth: 20) }
    #expect(throws: NeuralLimitsError.self) { try TAT.solve(eta: 0.9, depth: 5) }
    #expect(throws: NeuralLimitsError.self) { try DKS.solve(Erf(), zeta: 1, depth: 5) }
    #expect(throws: NeuralLimitsError.self) { try ArchitectureParser.parse("dense -> tat_leaky_relu(eta=0.9, depth=3)") }
    #expect(throws: NeuralLimitsError.self) { try ArchitectureParser.parse("dense -> dks(activation=relu)") }
    // An unshaped activation has Q(1) ≠ 1: the global C map refuses it.
    #expect(throws: NeuralLimitsError.self) { try GlobalMap(ArchitectureParser.parse("dense -> relu -> dense").graph).cMap(0) }
  }
}
