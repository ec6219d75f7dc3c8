import Foundation
import Testing
@testable import NeuralLimits

/// The repository's root folder (tests read `Data/` from it).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent()

/// One case of `Data/reference/kernels.json`, made by neural-tangents 0.6.5 in float64.
struct ReferenceCase: CustomTestStringConvertible, Sendable {
  let name: String
  let arch: String
  let x: Matrix
  let x2: Matrix?
  let nngp: Matrix
  let ntk: Matrix
  var testDescription: String { name }

  static let all: [ReferenceCase] = {
    let url = repositoryRoot.appendingPathComponent("Data/reference/kernels.json")
    let root = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    return (root["cases"] as! [[String: Any]]).map { c in
      func matrix(_ key: String) -> Matrix? {
        (c[key] as? [[NSNumber]]).map { try! Matrix($0.map { $0.map(\.doubleValue) }) }
      }
      return ReferenceCase(name: c["name"] as! String, arch: c["arch"] as! String, x: matrix("x")!, x2: matrix("x2"),
                           nngp: matrix("nngp")!, ntk: matrix("ntk")!)
    }
  }()
}

/// The tolerance for self-pair entries `k(x, x)` against neural-tangents.
///
/// neural-tangents forms the diagonal's correlation from separately rounded variances, so its
/// `c = 1 − O(10⁻¹⁶)` instead of 1; through `θ = arccos c ≈ √(2(1 − c))` that becomes an error of
/// ~10⁻⁸ in `θ`, which kinked activations pass on: ~10⁻⁹ in ReLU-family NTKs, and for `sign`
/// (`Σ' = 1 − 2θ/π`) it compounds layer by layer to 10⁻² by depth 3. Our diagonal has `c = 1`
/// exactly; `ClosedFormTests` checks it against the exact values instead. `nil`: not compared.
func selfPairTolerance(_ arch: String) -> Double? {
  if arch.contains("sign") { return nil }
  let kinked = ["relu", "abs", "abrelu", "rectified_monomial"]
  return kinked.contains { arch.contains($0) } ? 1e-7 : 1e-10
}

@Suite("Kernels against neural-tangents 0.6.5")
struct ReferenceTests {
  @Test("NNGP and NTK agree to 1e-10 relative (self-pairs: see selfPairTolerance)", arguments: ReferenceCase.all)
  func agrees(_ reference: ReferenceCase) throws {
    let network = try ArchitectureParser.parse(reference.arch)
    let state = try network.kernels(reference.x, reference.x2, get: [.nngp, .ntk])
    let selfPairs = reference.x2 == nil
    for (name, ours, theirs) in [("NNGP", state.nngp, reference.nngp), ("NTK", state.ntk!, reference.ntk)] {
      let scale = theirs.elements.reduce(0) { max($0, abs($1)) }
      for i in 0..<theirs.rows {
        for j in 0..<theirs.columns {
          let error = abs(ours[i, j] - theirs[i, j]) / max(abs(theirs[i, j]), 1e-8 * scale, 1e-300)
          let tolerance = selfPairs && i == j ? selfPairTolerance(reference.arch) : 1e-10
          guard let tolerance else { continue }
          #expect(error <= tolerance, "\(name)[\(i), \(j)] relative error \(error) for \(reference.arch)")
        }
      }
    }
  }
}
