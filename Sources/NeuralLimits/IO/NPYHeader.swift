/// The header of a `.npy` file, parsed and checked against the file's length before any data is
/// touched.
///
/// Layout: the magic `\x93NUMPY`, a major and minor version byte, the header length (2 bytes
/// little-endian in version 1.0, 4 bytes in 2.0 and 3.0), then a Python dict literal such as
/// `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }` padded with spaces and ended by
/// `\n`, then the raw data. The dict must have exactly the keys `descr` (a string),
/// `fortran_order` (`True` or `False`) and `shape` (a tuple of non-negative integers, of any
/// length); element and byte counts are computed with overflow checks.
struct NPYHeader {
  /// The element types read.
  enum ElementType: String, CaseIterable {
    case float64 = "<f8", float32 = "<f4", int64 = "<i8", int32 = "<i4"

    var width: Int {
      switch self {
      case .float64, .int64: return 8
      case .float32, .int32: return 4
      }
    }
  }

  let elementType: ElementType
  let fortranOrder: Bool
  let shape: [Int]
  /// The number of elements, the product of `shape`.
  let count: Int
  /// Where the data starts; exactly `count × elementType.width` bytes follow.
  let dataOffset: Int
  private let name: String

  init(_ bytes: UnsafeRawBufferPointer, name: String) throws {
    self.name = name
    func fail(_ why: String) -> NeuralLimitsError { NPYHeader.failure(name, why) }
    guard bytes.count >= 10, bytes.prefix(6).elementsEqual([0x93] + Array("NUMPY".utf8)) else {
      throw fail("missing the \\x93NUMPY magic")
    }
    let headerStart: Int
    switch bytes[6] {
    case 1: headerStart = 10
    case 2, 3: headerStart = 12
    default: throw fail("unsupported version \(bytes[6]).\(bytes[7])")
    }
    guard bytes.count >= headerStart else { throw fail("truncated header") }
    let headerLength = (8..<headerStart).reversed().reduce(0) { $0 << 8 | Int(bytes[$1]) }
    guard headerLength <= bytes.count - headerStart else {
      throw fail("the header claims \(headerLength) bytes, the file has \(bytes.count - headerStart) after the preamble")
    }
    dataOffset = headerStart + headerLength
    var literal = PythonLiteral(bytes: bytes, range: headerStart..<dataOffset)
    let dict = try literal.dict(fail)
    for key in dict.keys where !["descr", "fortran_order", "shape"].contains(key) {
      throw fail("unexpected key '\(key)' in the header")
    }
    guard case .string(let descr) = dict["descr"] else { throw fail("the header has no 'descr' string") }
    guard case .bool(let fortranOrder) = dict["fortran_order"] else { throw fail("the header has no 'fortran_order' True or False") }
    guard case .tuple(let shape) = dict["shape"] else { throw fail("the header has no 'shape' tuple") }
    guard let elementType = ElementType(rawValue: descr) else {
      throw fail("dtype '\(descr)' is not one of \(ElementType.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    self.elementType = elementType
    self.fortranOrder = fortranOrder
    self.shape = shape
    var count = 1
    for dimension in shape {
      let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
      guard !overflow else { throw fail("shape \(NPYHeader.text(shape)) has more elements than memory can address") }
      count = product
    }
    self.count = count
    let (byteCount, overflow) = count.multipliedReportingOverflow(by: elementType.width)
    guard !overflow, byteCount == bytes.count - dataOffset else {
      throw fail("expected \(overflow ? "more than \(Int.max)" : "\(byteCount)") data bytes for shape \(NPYHeader.text(shape)), found \(bytes.count - dataOffset)")
    }
  }

  /// The shape as Python writes it: `(3, 4)`, `(5,)`, `()`.
  var shapeText: String { NPYHeader.text(shape) }

  /// "name: not a valid .npy file: why".
  func failure(_ why: String) -> NeuralLimitsError { NPYHeader.failure(name, why) }

  private static func failure(_ name: String, _ why: String) -> NeuralLimitsError {
    .io("\(name): not a valid .npy file: \(why)")
  }

  private static func text(_ shape: [Int]) -> String {
    shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
  }
}

/// The Python literals of a `.npy` header: a dict of quoted-string keys whose values are
/// strings, `True`/`False` or tuples of non-negative integers. Nothing else is accepted.
private struct PythonLiteral {
  enum Value {
    case string(String), bool(Bool), tuple([Int])
  }

  let bytes: UnsafeRawBufferPointer
  var position: Int
  let end: Int

  init(bytes: UnsafeRawBufferPointer, range: Range<Int>) {
    self.bytes = bytes
    position = range.lowerBound
    end = range.upperBound
  }

  /// The dict, which only spaces and line ends may follow.
  mutating func dict(_ fail: (String) -> NeuralLimitsError) throws -> [String: Value] {
    var dict: [String: Value] = [:]
    try expect("{", fail)
    while !take("}") {
      guard let key = string() else { throw unexpected(fail) }
      try expect(":", fail)
      guard dict[key] == nil else { throw fail("key '\(key)' appears twice in the header") }
      dict[key] = try value(fail)
      if !take(",") {
        try expect("}", fail)
        break
      }
    }
    skipSpaces()
    guard position == end else { throw unexpected(fail) }
    return dict
  }

  private mutating func value(_ fail: (String) -> NeuralLimitsError) throws -> Value {
    if let text = string() { return .string(text) }
    if take("True") { return .bool(true) }
    if take("False") { return .bool(false) }
    try expect("(", fail)
    var dimensions: [Int] = []
    while !take(")") {
      skipSpaces()
      var dimension = 0, digits = 0
      while position < end, case let digit = bytes[position] &- UInt8(ascii: "0"), digit < 10 {
        let (shifted, overflow1) = dimension.multipliedReportingOverflow(by: 10)
        let (sum, overflow2) = shifted.addingReportingOverflow(Int(digit))
        guard !overflow1 && !overflow2 else { throw fail("a dimension of the shape is too large") }
        dimension = sum
        digits += 1
        position += 1
      }
      guard digits > 0 else { throw fail("the shape is not a tuple of non-negative integers") }
      dimensions.append(dimension)
      if !take(",") {
        try expect(")", fail)
        break
      }
    }
    return .tuple(dimensions)
  }

  /// A quoted string without escapes, or nil (nothing consumed).
  private mutating func string() -> String? {
    skipSpaces()
    guard position < end, case let quote = bytes[position], quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\"") else { return nil }
    var close = position + 1
    while close < end && bytes[close] != quote && bytes[close] >= 0x20 && bytes[close] != UInt8(ascii: "\\") { close += 1 }
    guard close < end && bytes[close] == quote else { return nil }
    defer { position = close + 1 }
    return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(position + 1)..<close]), as: UTF8.self)
  }

  /// Consumes `token` after spaces when it comes next.
  private mutating func take(_ token: String) -> Bool {
    skipSpaces()
    let token = Array(token.utf8)
    guard end - position >= token.count, bytes[position..<(position + token.count)].elementsEqual(token) else { return false }
    position += token.count
    return true
  }

  private mutating func expect(_ token: String, _ fail: (String) -> NeuralLimitsError) throws {
    guard take(token) else { throw unexpected(fail) }
  }

  private func unexpected(_ fail: (String) -> NeuralLimitsError) -> NeuralLimitsError {
    guard position < end else { return fail("the header dict is cut short") }
    let byte = bytes[position]
    let shown = byte >= 0x20 && byte < 0x7F ? "'\(Character(UnicodeScalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    return fail("unexpected \(shown) at byte \(position) of the header")
  }

  private mutating func skipSpaces() {
    while position < end && (bytes[position] == UInt8(ascii: " ") || bytes[position] == UInt8(ascii: "\n")
                             || bytes[position] == UInt8(ascii: "\t") || bytes[position] == UInt8(ascii: "\r")) {
      position += 1
    }
  }
}
