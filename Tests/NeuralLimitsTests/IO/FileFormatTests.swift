import Foundation
import Testing
@testable import NeuralLimits

@Suite("NPY and JSON")
struct FileFormatTests {
  let sample = try! Matrix([[1.5, -2, 0.1], [1e-300, .pi, -0.0]])

  @Test("NPY round trip is exact; the header is 64-byte aligned")
  func npyRoundTrip() throws {
    let data = NPY.encode(sample)
    let headerLength = Int(data[8]) | Int(data[9]) << 8
    #expect((10 + headerLength) % 64 == 0)
    #expect(try NPY.decode(data) == sample)
    let path = temporaryFolder() + "/m.npy"
    try NPY.write(sample, to: path)
    #expect(try readMatrix(path) == sample)
  }

  @Test("NPY written by NumPy: <f4, Fortran order and 1-D shape decode")
  func npyVariants() throws {
    // np.array([[1, 2], [3, 4]], dtype='<f4', order='F'): data column-major 1, 3, 2, 4.
    var header = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }"
    header += String(repeating: " ", count: 64 - (10 + header.utf8.count + 1) % 64) + "\n"
    var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8))
    for v in [Float(1), 3, 2, 4] { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
    #expect(try NPY.decode(data) == (try Matrix([[1, 2], [3, 4]])))
  }

  @Test("Malformed NPY gives a clear error")
  func npyErrors() {
    #expect(throws: NeuralLimitsError.self) { try NPY.decode(Data("not numpy".utf8)) }
    var truncated = NPY.encode(sample)
    truncated.removeLast(3)
    #expect(throws: NeuralLimitsError.io("npy: not a valid .npy file: expected 48 data bytes for shape (2, 3), found 45")) {
      try NPY.decode(truncated)
    }
    var wrongType = NPY.encode(sample)
    wrongType.replaceSubrange(22..<24, with: Array("c8".utf8))  // '<f8' → '<c8'
    #expect(throws: NeuralLimitsError.self) { try NPY.decode(wrongType) }
  }

  @Test("JSON keeps float64 values exactly and writes NaN as null")
  func json() {
    let value = JSONValue.object([("a", .number(0.1)), ("b", .array([.number(.nan), .integer(3)])), ("s", .string("q\"\n"))])
    #expect(value.serialized() == #"{"a": 0.1, "b": [null, 3], "s": "q\"\n"}"#)
    #expect(Double(JSONValue.number(1 / 3.0).serialized()) == 1 / 3.0)
  }
}
