import Foundation
import Testing
@testable import NeuralLimits

@Suite("JSON")
struct JSONTests {
  @Test("JSON keeps float64 values exactly and writes NaN as null")
  func json() {
    let value = JSONValue.object([("a", .number(0.1)), ("b", .array([.number(.nan), .integer(3)])), ("s", .string("q\"\n"))])
    #expect(value.serialized() == #"{"a": 0.1, "b": [null, 3], "s": "q\"\n"}"#)
    #expect(Double(JSONValue.number(1 / 3.0).serialized()) == 1 / 3.0)
  }
}
