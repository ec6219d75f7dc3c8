import Foundation
import Testing
@testable import NeuralLimits

@Suite("NPY")
struct NPYTests {
  let sample = try! Matrix([[1.5, -2, 0.1], [1e-300, .pi, -0.0]])

  /// A `.npy` file with the header dict `dict` (padded as NumPy does) and the bytes `data`.
  func npy(_ dict: String, version: UInt8 = 1, data: [UInt8] = []) -> Data {
    let preamble = version == 1 ? 10 : 12
    let header = dict + String(repeating: " ", count: (64 - (preamble + dict.utf8.count + 1) % 64) % 64) + "\n"
    let length = header.utf8.count
    let lengthBytes = (0..<(preamble - 8)).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) }
    return Data([0x93] + Array("NUMPY".utf8) + [version, 0] + lengthBytes + Array(header.utf8) + data)
  }

  func bytes<T>(_ values: [T]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }  // little-endian hosts

  @Test("Round trip is exact; the data starts at a multiple of 64 bytes")
  func roundTrip() throws {
    let data = NPY.encode(sample)
    let headerLength = Int(data[8]) | Int(data[9]) << 8
    #expect((10 + headerLength) % 64 == 0)
    #expect(data.count == 10 + headerLength + 8 * 6)
    #expect(try NPY.decode(data) == sample)
    let path = temporaryFolder() + "/m.npy"
    #expect(FileManager.default.createFile(atPath: path, contents: data))
    #expect(try readMatrix(path) == sample)
  }

  @Test("Files as NumPy writes them: <f4, <i8, <i4, Fortran order, 1-D, version 2.0")
  func variants() throws {
    let m = try Matrix([[1, 2, 3], [4, 5, 6]])
    // np.array(m, dtype='<f4', order='F'): column-major 1, 4, 2, 5, 3, 6.
    #expect(try NPY.decode(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", data: bytes([Float(1), 4, 2, 5, 3, 6]))) == m)
    #expect(try NPY.decode(npy("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3), }", data: bytes([Int64(1), 2, 3, 4, 5, 6]))) == m)
    #expect(try NPY.decode(npy("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", data: bytes([Int32(1), 2, 3, 4, 5, 6]))) == m)
    #expect(try NPY.decode(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", data: bytes([1.0, 2, 3]))) == (try Matrix([[1], [2], [3]])))
    #expect(try NPY.decode(npy("{\"shape\": (2,3), \"fortran_order\": False, \"descr\": \"<f8\"}", version: 2, data: bytes(m.elements))) == m)
    #expect(try NPY.decode(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 3), }")) == Matrix(rows: 0, columns: 3))
  }

  @Test("Fortran order of any rank is rearranged into C order")
  func fortranOrder() throws {
    let data = npy("{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3, 4), }", data: bytes((0..<24).map(Int32.init)))
    let elements = try data.withUnsafeBytes { NPY.elements($0, try NPYHeader($0, name: "t")) }
    // C index (i, j, k) holds the Fortran offset i + 2j + 6k.
    var expected: [Double] = []
    for i in 0..<2 {
      for j in 0..<3 {
        for k in 0..<4 { expected.append(Double(i + 2 * j + 6 * k)) }
      }
    }
    #expect(elements == expected)
  }

  @Test("Malformed headers and data give one-line errors, without allocating for claimed sizes")
  func errors() {
    func expectError(_ data: Data, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
      #expect(throws: NeuralLimitsError.io("t: not a valid .npy file: " + message), sourceLocation: sourceLocation) {
        try NPY.decode(data, name: "t")
      }
    }
    let f8 = "{'descr': '<f8', 'fortran_order': False, 'shape': "
    expectError(Data("not numpy".utf8), "missing the \\x93NUMPY magic")
    expectError(Data(), "missing the \\x93NUMPY magic")
    expectError(npy(f8 + "(2, 3), }", version: 4), "unsupported version 4.0")
    var truncated = NPY.encode(sample)
    truncated.removeLast(3)
    expectError(truncated, "expected 48 data bytes for shape (2, 3), found 45")
    expectError(npy(f8 + "(4611686018427387904, 4), }"), "shape (4611686018427387904, 4) has more elements than memory can address")
    expectError(npy(f8 + "(4611686018427387904, 1), }"), "expected more than 9223372036854775807 data bytes for shape (4611686018427387904, 1), found 0")
    expectError(npy(f8 + "(1000000, 1000000), }"), "expected 8000000000000 data bytes for shape (1000000, 1000000), found 0")
    expectError(npy(f8 + "(99999999999999999999, 1), }"), "a dimension of the shape is too large")
    expectError(npy(f8 + "(-2, 3), }"), "the shape is not a tuple of non-negative integers")
    expectError(npy(f8 + "(2, 3, 4), }", data: bytes([Double](repeating: 0, count: 24))),
                "shape (2, 3, 4) has 3 dimensions; a matrix is read from (n,) or (n, d)")
    expectError(npy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", data: [UInt8](repeating: 0, count: 8)),
                "dtype '<c8' is not one of <f8, <f4, <i8, <i4")
    expectError(npy("{'descr': '<f8', 'shape': (1,), }"), "the header has no 'fortran_order' True or False")
    expectError(npy(f8 + "(1,), 'extra': 'x'}"), "unexpected key 'extra' in the header")
    expectError(npy(f8 + "(1,), 'shape': (1,)}"), "key 'shape' appears twice in the header")
    expectError(npy(f8 + "(1,), } trailing"), "unexpected 't' at byte 68 of the header")
    expectError(npy(f8 + "(1,),"), "the header dict is cut short")
    var longHeader = NPY.encode(sample)
    longHeader[8] = 0xFF
    longHeader[9] = 0xFF
    expectError(longHeader, "the header claims 65535 bytes, the file has 166 after the preamble")
  }
}
