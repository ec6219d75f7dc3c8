import Foundation
import Testing
@testable import NeuralLimits

@Suite("JSON and text matrices")
struct JSONTests {
  /// The matrix as nested JSON arrays, built value by value (the reference for `.matrix`).
  func nested(_ m: Matrix) -> JSONValue {
    .array((0..<m.rows).map { i in .array(m.row(i).map(JSONValue.number)) })
  }

  @Test("JSON keeps float64 values exactly and writes NaN as null")
  func json() {
    let value = JSONValue.object([("a", .number(0.1)), ("b", .array([.number(.nan), .integer(3)])), ("s", .string("q\"\n\u{1}"))])
    #expect(value.serialized() == #"{"a": 0.1, "b": [null, 3], "s": "q\"\n\u0001"}"#)
    #expect(value.serializedData() == Data(value.serialized().utf8))
    #expect(Double(JSONValue.number(1 / 3.0).serialized()) == 1 / 3.0)
  }

  @Test("Pretty JSON puts object members and matrix rows on their own lines")
  func pretty() throws {
    let value = JSONValue.object([("m", .matrix(try Matrix([[1, .infinity], [0.1, -0.0]]))), ("n", .integer(2))])
    #expect(value.serialized(pretty: true) == """
      {
        "m": [
          [1.0, null],
          [0.1, -0.0]
        ],
        "n": 2
      }
      """)
  }

  @Test("A matrix is written as the nested arrays it stands for, across parallel blocks of rows")
  func matrixText() throws {
    let stream = RandomStream(seed: 3)
    var big = try Matrix(rows: 100, columns: 1000, elements: stream.gaussians(100_000).map { $0 * 1e-3 })
    big[7, 3] = .nan
    big[99, 999] = -.infinity
    for m in [big, Matrix(rows: 0, columns: 3), Matrix(rows: 2, columns: 0), try Matrix([[.leastNonzeroMagnitude]])] {
      for pretty in [false, true] {
        let object = JSONValue.object([("k", .matrix(m))])
        #expect(object.serialized(pretty: pretty) == JSONValue.object([("k", nested(m))]).serialized(pretty: pretty))
      }
    }
    let csv = CSV.encode(big)
    #expect(csv.split(separator: UInt8(ascii: "\n")).count == 100)
    let back = try csv.withUnsafeBytes { try CSV.parse(bytes: $0, name: "t") }
    #expect(back.elements.map(\.bitPattern) == big.elements.map { $0.isNaN ? Double.nan.bitPattern : $0.bitPattern })
  }
}
