import Foundation
import Testing
@testable import NeuralLimits

@Suite("Sequence inputs: 3-D .npy and token rows")
struct SequenceInputTests {
  @Test("A 3-D array (N, m, d) reads as N·m input-major rows with m tokens; C and Fortran order agree")
  func threeDimensional() throws {
    let elements = (0..<12).map(Double.init)  // shape (2, 3, 2), C order
    let data = NPY.encode(elements, shape: [2, 3, 2])
    let (matrix, tokens) = try NPY.decodeSequences(data)
    #expect(tokens == 3)
    #expect(matrix == (try Matrix(rows: 6, columns: 2, elements: elements)))
    // A matrix reader still refuses three dimensions.
    #expect(throws: NeuralLimitsError.self) { try NPY.decode(data) }
    let path = temporaryFolder() + "/s.npy"
    #expect(FileManager.default.createFile(atPath: path, contents: data))
    #expect(try readSequences(path, tokens: nil).tokens == 3)
    #expect(try readSequences(path, tokens: 3).matrix == matrix)
    #expect(throws: NeuralLimitsError.self) { try readSequences(path, tokens: 2) }
    // Four dimensions and sequences of no tokens are refused.
    #expect(throws: NeuralLimitsError.self) { try NPY.decodeSequences(NPY.encode([], shape: [1, 1, 1, 0])) }
    #expect(throws: NeuralLimitsError.self) { try NPY.decodeSequences(NPY.encode([], shape: [2, 0, 3])) }
  }

  @Test("CSV rows with --tokens: whole sequences only")
  func tokenRows() throws {
    let path = temporaryFolder() + "/s.csv"
    #expect(FileManager.default.createFile(atPath: path, contents: Data("1,2\n3,4\n5,6\n7,8\n".utf8)))
    #expect(try readSequences(path, tokens: 2).tokens == 2)
    #expect(try readSequences(path, tokens: nil).tokens == 1)
    #expect(throws: NeuralLimitsError.self) { try readSequences(path, tokens: 3) }
    #expect(throws: NeuralLimitsError.self) { try readSequences(path, tokens: 0) }
  }

  @Test("Per-token layers act on an Nm × Nm state exactly as on the rows taken as independent inputs")
  func perTokenLayers() throws {
    let network = try ArchitectureParser.parse("dense(w_std=1.3, b_std=0.2) -> relu -> dense -> layernorm -> erf")
    let asSequences = try network.kernels(sequenceInputs, tokens: 4)
    let asRows = try network.kernels(sequenceInputs)
    #expect(asSequences.nngp == asRows.nngp)
    #expect(asSequences.ntk == asRows.ntk)
  }
}
