import Testing
@testable import NeuralLimits

@Suite("The input kernel made in the fused pass; NTK-only matrices")
struct InputGramTests {
  static let architecture = "(dense(w_std=1.5, b_std=0.05) -> erf) * 2 -> dense(w_std=1.5, b_std=0.05)"

  @Test("A row segment of x1·x2ᵀ/d agrees with dgemm within twice the dot-product error bound; Σ₀(x, x') and Σ₀(x', x) are the same number")
  func segments() {
    let x1 = randomMatrix(5, 7, seed: 1), x2 = randomMatrix(9, 7, seed: 2)
    let reference = BLAS.product(x1, x2, transposeB: true, alpha: 1.0 / 7)
    let forward = InputGram(x1, x2), backward = InputGram(x2, x1)
    var row = [Double](repeating: 0, count: 9), column = [Double](repeating: 0, count: 5)
    for i in 0..<5 {
      row.withUnsafeMutableBufferPointer { forward.segment(row: i, from: 0, count: 9, into: $0.baseAddress!) }
      // A dot product of d terms is within d·ε of Σ|x1ᵢₖ·x2ⱼₖ| (Higham 2002, §3.1), here over d.
      for j in 0..<9 {
        let bound: Double = zip(x1.row(i), x2.row(j)).map { abs($0 * $1) }.reduce(0, +) / 7
        #expect(abs(row[j] - reference[i, j]) <= 2 * 7 * Double.ulpOfOne * bound)
      }
    }
    for j in 0..<9 {
      column.withUnsafeMutableBufferPointer { backward.segment(row: j, from: 0, count: 5, into: $0.baseAddress!) }
      row.withUnsafeMutableBufferPointer { forward.segment(row: 0, from: 0, count: 9, into: $0.baseAddress!) }
      #expect(column[0] == row[j])
    }
    // A segment that starts inside the row.
    var part = [Double](repeating: 0, count: 4), whole = [Double](repeating: 0, count: 9)
    part.withUnsafeMutableBufferPointer { forward.segment(row: 3, from: 5, count: 4, into: $0.baseAddress!) }
    whole.withUnsafeMutableBufferPointer { forward.segment(row: 3, from: 0, count: 9, into: $0.baseAddress!) }
    #expect(part == Array(whole[5...]))
  }

  @Test("NTK-only matrices: the NNGP not stored, the NTK that of kernels() to 1e-14 (bit for bit where inputs repeat, features are many or a layer is not fused)",
        arguments: [architecture, "dense -> relu -> dropout(rate=0.2) -> dense"])
  func ntkOnly(_ architecture: String) throws {
    let network = try ArchitectureParser.parse(architecture)
    var x = randomMatrix(30, 4, seed: 3)
    let y = randomMatrix(12, 4, seed: 4)
    for (name, x1, x2) in [("train", x, nil), ("cross", y, Optional(x)), ("test", y, nil)] {
      #expect(try !KernelState(inputs: x1, x2, ntk: true, storingNNGP: false).storesNNGP)
      let both = try network.kernels(x1, x2)
      let alone = try network.kernelMatrices(x1, x2, get: .ntk)
      // The input kernel summed apart from BLAS's: the same to rounding (bit for bit through a
      // layer that is not fused, where the NNGP is stored after all).
      #expect(alone.nngp == nil && relativeError(alone.ntk!, both.ntk!) < 1e-14, "\(name)")
      let nngp = try network.kernelMatrices(x1, x2, get: .nngp)
      #expect(nngp.nngp == both.nngp && nngp.ntk == nil, "\(name)")
    }
    for j in 0..<4 { x[7, j] = x[2, j] }  // input 7 repeats input 2: the input kernel is written first
    #expect(try KernelState(inputs: x, nil, ntk: true, storingNNGP: false).storesNNGP)
    #expect(try network.kernelMatrices(x, nil, get: .ntk).ntk == network.kernels(x).ntk)
    let wide = randomMatrix(10, InputGram.widest + 1, seed: 5)  // more features: stored, by BLAS
    #expect(try KernelState(inputs: wide, nil, ntk: true, storingNNGP: false).storesNNGP)
    #expect(try network.kernelMatrices(wide, nil, get: .ntk).ntk == network.kernels(wide).ntk)
  }
}
