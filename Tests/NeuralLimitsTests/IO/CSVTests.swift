import Foundation
import Testing
@testable import NeuralLimits

@Suite("CSV")
struct CSVTests {
  let sample = try! Matrix([[1.5, -2, 0.1], [1e-300, .pi, -0.0]])
  let twoByTwo = try! Matrix([[1, 2], [3, 4]])

  @Test("Round trip is exact; headers, comments and blank lines are skipped")
  func roundTrip() throws {
    let path = temporaryFolder() + "/m.csv"
    #expect(FileManager.default.createFile(atPath: path, contents: CSV.encode(sample)))
    #expect(try CSV.read(path) == sample)
    #expect(try CSV.parse("x,y\n# comment\n1,2\n\n3,4\n") == twoByTwo)
    #expect(try CSV.parse("# comment\n\n  x , y \n 1 ,\t2\n3,4") == twoByTwo)
  }

  @Test("A pipe is read like a file (as a shell's <(command) gives)")
  func pipeInput() throws {
    var ends: [Int32] = [0, 0]
    try #require(pipe(&ends) == 0)
    defer { close(ends[0]) }
    let text = Array("1,2\n3,4\n".utf8)
    #expect(write(ends[1], text, text.count) == text.count)
    close(ends[1])
    #expect(try CSV.read("/dev/fd/\(ends[0])") == twoByTwo)
  }

  @Test("Windows line ends, a missing final line end and a byte-order mark are read")
  func lineEnds() throws {
    for text in ["1,2\r\n3,4\r\n", "1,2\r\n3,4", "1,2\n3,4\r\n", "\u{FEFF}x,y\r\n1,2\r\n\r\n3,4\r\n", "1,2\r\n# c\r\n3,4\r"] {
      #expect(try CSV.parse(text) == twoByTwo, "\(text.debugDescription)")
    }
  }

  @Test("A first line is a header only when none of its fields is a number")
  func header() {
    #expect(throws: NeuralLimitsError.io("t: line 1, field 3: '3x' is not a number")) {
      try CSV.parse("1,2,3x\n4,5,6\n", name: "t")
    }
    #expect(throws: NeuralLimitsError.io("t: line 2, field 1: 'x' is not a number")) {
      try CSV.parse("# comment\nx,2\n", name: "t")
    }
    #expect(throws: NeuralLimitsError.io("t: line 2, field 1: 'a' is not a number")) {
      try CSV.parse("x,y\na,b\n1,2\n", name: "t")
    }
    #expect(throws: NeuralLimitsError.io("t: no data rows")) { try CSV.parse("x,y\n", name: "t") }
  }

  @Test("Only strict decimals, nan and inf are numbers")
  func syntax() throws {
    #expect(try CSV.parse("1.,.5,+1.5E+3\n-inf,NaN,Infinity\n").elements.map(\.description) == ["1.0", "0.5", "1500.0", "-inf", "nan", "inf"])
    for (text, field) in [("0x10,1", "0x10"), ("1\0,1", "1\\u{0}"), ("1_0,1", "1_0"), ("1e,1", "1e"), ("1 2,1", "1 2"),
                          ("1,2\r3,4", "2\\u{d}3")] {
      #expect(throws: NeuralLimitsError.io("t: line 2, field \(text.hasPrefix("1,") ? 2 : 1): '\(field)' is not a number"),
              "\(text.debugDescription)") {
        try CSV.parse("1,2\n" + text + "\n", name: "t")
      }
    }
  }

  @Test("Malformed CSV gives a one-line error naming the file, line and field")
  func errors() {
    #expect(throws: NeuralLimitsError.io("t: line 3, field 2: 'abc' is not a number")) {
      try CSV.parse("1,2\n3,4\n5,abc\n", name: "t")
    }
    #expect(throws: NeuralLimitsError.io("t: line 2 has 3 fields, earlier lines have 2")) {
      try CSV.parse("1,2\n3,4,5\n", name: "t")
    }
    #expect(throws: NeuralLimitsError.io("t: line 2, field 3: '' is not a number")) { try CSV.parse("1,2,3\n4,5,\n", name: "t") }
    #expect(throws: NeuralLimitsError.io("t: line 1, field 2: '\(String(repeating: "y", count: 40))…' is not a number")) {
      try CSV.parse("1," + String(repeating: "y", count: 100), name: "t")
    }
    #expect(throws: NeuralLimitsError.io("t: no data rows")) { try CSV.parse("", name: "t") }
    #expect(throws: NeuralLimitsError.io("cannot read /nonexistent/file.csv: No such file or directory")) {
      try CSV.read("/nonexistent/file.csv")
    }
    #expect(throws: NeuralLimitsError.io("cannot read /: Is a directory")) { try CSV.read("/") }
  }
}
