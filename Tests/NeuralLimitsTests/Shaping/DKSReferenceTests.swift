import Foundation
import Testing
@testable import NeuralLimits

/// `Data/reference/shaping.json`, made by DeepMind's `dks` 0.1.2 (`generate_shaping.py`).
enum ShapingReference {
  struct TATRow: Sendable {
    let eta: Double, depth: Int
    /// `nil`: dks finds no solution.
    let negativeSlope: Double?, outputScale: Double?
  }
  struct DKSRow: Sendable, CustomTestStringConvertible {
    let activation: String, zeta: Double, depth: Int
    /// input_scale, input_shift, output_shift, output_scale
    let parameters: [Double]
    var testDescription: String { "\(activation) ζ=\(zeta) L=\(depth)" }
  }

  private static func load() -> [String: Any] {
    let url = repositoryRoot.appendingPathComponent("Data/reference/shaping.json")
    return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
  }
  static let tat: [TATRow] = (load()["tat_leaky_relu"] as! [[String: Any]]).map { r in
    TATRow(eta: r["eta"] as! Double, depth: r["depth"] as! Int, negativeSlope: r["negative_slope"] as? Double,
           outputScale: r["output_scale"] as? Double)
  }
  static let dks: [DKSRow] = (load()["dks"] as! [[String: Any]]).map { r in
    DKSRow(activation: r["activation"] as! String, zeta: r["zeta"] as! Double, depth: r["depth"] as! Int,
           parameters: ["input_scale", "input_shift", "output_shift", "output_scale"].map { r[$0] as! Double })
  }

  /// The library's activation for a row's name.
  static func activation(_ name: String) throws -> any Activation {
    try ArchitectureParser.parse("dense -> \(name)").graph.primitives.last as! any Activation
  }
}

@Suite("TAT and DKS against dks 0.1.2")
struct DKSReferenceTests {
  @Test("TAT leaky ReLU: negative_slope and output_scale to 1e-6, no solution where dks has none")
  func tat() throws {
    for row in ShapingReference.tat {
      if let slope = row.negativeSlope, let scale = row.outputScale {
        let p = try TAT.solve(eta: row.eta, depth: row.depth)
        #expect(abs(p.negativeSlope - slope) < 1e-6, "eta \(row.eta) depth \(row.depth): \(p.negativeSlope) vs \(slope)")
        #expect(abs(p.outputScale - scale) < 1e-6)
      } else {
        #expect(throws: NeuralLimitsError.self) { try TAT.solve(eta: row.eta, depth: row.depth) }
      }
    }
  }

  @Test("DKS: input_scale, input_shift, output_shift, output_scale to 1e-6", arguments: ShapingReference.dks)
  func dks(_ row: ShapingReference.DKSRow) throws {
    let p = try DKS.solve(try ShapingReference.activation(row.activation), zeta: row.zeta, depth: row.depth)
    let got = [p.inputScale, p.inputShift, p.outputShift, p.outputScale]
    for k in 0..<4 {
      #expect(abs(got[k] - row.parameters[k]) < 1e-6 * max(1, abs(row.parameters[k])), "\(got) vs \(row.parameters)")
    }
  }
}
