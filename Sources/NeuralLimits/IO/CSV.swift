import Foundation

/// Matrices as CSV: one row of the matrix per line, numbers separated by commas.
///
/// Reading works on the bytes: lines end with LF or CRLF (the last may have neither); a UTF-8
/// byte-order mark, blank lines and lines starting with `#` are skipped; spaces and tabs around
/// fields are ignored. The first remaining line is a header, and skipped, when none of its
/// fields is a number; a line mixing numbers and other text is an error. Numbers are strict
/// decimals, `nan`, `inf` or `infinity` (see `DecimalNumber`: no hex, no NUL bytes), correctly
/// rounded. Errors name the file, line and field. Non-finite values are read; callers that need
/// finite inputs reject them, naming the row and column.
public enum CSV {
  public static func read(_ path: String) throws -> Matrix {
    let data = try readFile(path)
    return try data.withUnsafeBytes { try parse(bytes: $0, name: path) }
  }

  public static func parse(_ text: String, name: String = "CSV") throws -> Matrix {
    var text = text
    return try text.withUTF8 { try parse(bytes: UnsafeRawBufferPointer($0), name: name) }
  }

  static func parse(bytes: UnsafeRawBufferPointer, name: String) throws -> Matrix {
    var values: [Double] = []
    var rows = 0, columns = 0, lineNumber = 0
    var headerPossible = true
    var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    while start < bytes.count {
      lineNumber += 1
      let newline = memchr(bytes.baseAddress! + start, Int32(UInt8(ascii: "\n")), bytes.count - start)
      let end = newline.map { bytes.baseAddress!.distance(to: UnsafeRawPointer($0)) } ?? bytes.count
      var line = Line(bytes: bytes, range: start..<end)
      start = end + 1
      guard !line.isSkipped else { continue }
      if headerPossible {
        headerPossible = false
        if try line.isHeader(lineNumber, name) { continue }
      }
      var count = 0
      while let field = line.nextField() {
        count += 1
        guard let value = DecimalNumber.parse(UnsafeRawBufferPointer(rebasing: bytes[field])) else {
          throw notANumber(bytes, field, lineNumber, count, name)
        }
        values.append(value)
      }
      if rows == 0 { columns = count }
      guard count == columns else {
        throw NeuralLimitsError.io("\(name): line \(lineNumber) has \(count) fields, earlier lines have \(columns)")
      }
      rows += 1
    }
    guard rows > 0 else { throw NeuralLimitsError.io("\(name): no data rows") }
    return try Matrix(rows: rows, columns: columns, elements: values)
  }

  /// One line without its end, read field by field.
  private struct Line {
    let bytes: UnsafeRawBufferPointer
    var range: Range<Int>
    private var done = false

    /// `range` up to LF; a CR before it and spaces and tabs around the text are dropped.
    init(bytes: UnsafeRawBufferPointer, range: Range<Int>) {
      self.bytes = bytes
      var upper = range.upperBound
      if upper > range.lowerBound && bytes[upper - 1] == UInt8(ascii: "\r") { upper -= 1 }
      self.range = CSV.trimmed(bytes, range.lowerBound..<upper)
    }

    /// Blank or a `#` comment.
    var isSkipped: Bool { range.isEmpty || bytes[range.lowerBound] == UInt8(ascii: "#") }

    /// The next field, trimmed, or nil after the last.
    mutating func nextField() -> Range<Int>? {
      guard !done else { return nil }
      var comma = range.lowerBound
      while comma < range.upperBound && bytes[comma] != UInt8(ascii: ",") { comma += 1 }
      let field = CSV.trimmed(bytes, range.lowerBound..<comma)
      if comma == range.upperBound { done = true } else { range = (comma + 1)..<range.upperBound }
      return field
    }

    /// True when no field is a number; throws at the first non-number of a mixed line.
    func isHeader(_ lineNumber: Int, _ name: String) throws -> Bool {
      var line = self
      var firstText: (field: Range<Int>, index: Int)?
      var sawNumber = false
      var index = 0
      while let field = line.nextField() {
        index += 1
        if DecimalNumber.parse(UnsafeRawBufferPointer(rebasing: bytes[field])) == nil {
          if firstText == nil { firstText = (field, index) }
        } else {
          sawNumber = true
        }
      }
      guard let firstText else { return false }
      if sawNumber { throw notANumber(bytes, firstText.field, lineNumber, firstText.index, name) }
      return true
    }
  }

  /// `range` without leading and trailing spaces and tabs.
  private static func trimmed(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Range<Int> {
    func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
    var lower = range.lowerBound, upper = range.upperBound
    while lower < upper && isBlank(bytes[lower]) { lower += 1 }
    while upper > lower && isBlank(bytes[upper - 1]) { upper -= 1 }
    return lower..<upper
  }

  /// "name: line L, field F: '…' is not a number", the field shown with control characters
  /// escaped and cut at 40 characters.
  private static func notANumber(_ bytes: UnsafeRawBufferPointer, _ field: Range<Int>, _ line: Int, _ index: Int,
                                 _ name: String) -> NeuralLimitsError {
    let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[field]), as: UTF8.self)
    var shown = ""
    for scalar in text.unicodeScalars.prefix(40) {
      shown += scalar.properties.generalCategory == .control ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
    }
    if text.unicodeScalars.count > 40 { shown += "…" }
    return .io("\(name): line \(line), field \(index): '\(shown)' is not a number")
  }

  /// The matrix as CSV: every number in its shortest round-tripping form (`nan`, `inf` and
  /// `-inf` for non-finite ones), one row per line, rows formatted in parallel.
  public static func encode(_ m: Matrix) -> Data {
    var out = Data()
    m.appendText(to: &out, MatrixTextLayout(rowStart: "", separator: ",", rowEnd: "\n", lastRowEnd: "\n", nonFinite: nil))
    return out
  }

  public static func write(_ m: Matrix, to path: String) throws {
    try AtomicFile.write(encode(m), to: path)
  }
}
