import Foundation

/// Matrices in NumPy's `.npy` format (version 1.0/2.0/3.0).
///
/// Layout: the magic `\x93NUMPY`, a major and minor version byte, the header length (2 bytes
/// little-endian in 1.0, 4 bytes in 2.0/3.0), then an ASCII Python-dict header such as
/// `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }` padded with spaces to a
/// multiple of 64 bytes and ended by `\n`, then the raw data. Reading accepts little-endian
/// `<f8`, `<f4`, `<i8` and `<i4`, C or Fortran order, shapes `(n,)` (one column) and `(n, d)`.
/// Writing produces version 1.0, `<f8`, C order.
public enum NPY {
  public static func read(_ path: String) throws -> Matrix {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw NeuralLimitsError.io("cannot read \(path): no such file or not readable")
    }
    return try decode(data, name: path)
  }

  public static func decode(_ data: Data, name: String = "npy") throws -> Matrix {
    let bytes = [UInt8](data)
    func fail(_ why: String) -> NeuralLimitsError { .io("\(name): not a valid .npy file: \(why)") }
    guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8) else {
      throw fail("missing the \\x93NUMPY magic")
    }
    let major = bytes[6]
    let headerLength: Int
    let headerStart: Int
    switch major {
    case 1:
      headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
      headerStart = 10
    case 2, 3:
      guard bytes.count >= 12 else { throw fail("truncated header") }
      headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
      headerStart = 12
    default:
      throw fail("unsupported version \(major)")
    }
    guard bytes.count >= headerStart + headerLength else { throw fail("truncated header") }
    guard let header = String(bytes: bytes[headerStart..<(headerStart + headerLength)], encoding: .utf8) else {
      throw fail("header is not text")
    }
    let descr = try field("descr", in: header, name: name)
    let fortran = try field("fortran_order", in: header, name: name) == "True"
    let shapeText = try field("shape", in: header, name: name)
    let dims = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
      .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    let shape = dims.compactMap { Int($0) }
    guard shape.count == dims.count, (1...2).contains(shape.count), shape.allSatisfy({ $0 >= 0 }) else {
      throw fail("shape \(shapeText) is not (n,) or (n, d)")
    }
    let rows = shape[0], columns = shape.count == 2 ? shape[1] : 1
    let width: Int
    let convert: (UnsafeRawBufferPointer, Int) -> Double
    switch descr {
    case "<f8": width = 8; convert = { Double(bitPattern: UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: $1 * 8, as: UInt64.self))) }
    case "<f4": width = 4; convert = { Double(Float(bitPattern: UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: $1 * 4, as: UInt32.self)))) }
    case "<i8": width = 8; convert = { Double(Int64(littleEndian: $0.loadUnaligned(fromByteOffset: $1 * 8, as: Int64.self))) }
    case "<i4": width = 4; convert = { Double(Int32(littleEndian: $0.loadUnaligned(fromByteOffset: $1 * 4, as: Int32.self))) }
    default: throw fail("dtype \(descr) is not one of <f8, <f4, <i8, <i4")
    }
    let start = headerStart + headerLength
    let count = rows * columns
    guard bytes.count - start == count * width else {
      throw fail("expected \(count * width) data bytes for shape \(shapeText), found \(bytes.count - start)")
    }
    var elements = [Double](repeating: 0, count: count)
    bytes[start...].withUnsafeBytes { raw in
      for k in 0..<count {
        let source = fortran ? (k % columns) * rows + k / columns : k
        elements[k] = convert(raw, source)
      }
    }
    return try Matrix(rows: rows, columns: columns, elements: elements)
  }

  /// The value text of `'key': value` in a NumPy header dict.
  private static func field(_ key: String, in header: String, name: String) throws -> String {
    guard let keyRange = header.range(of: "'\(key)':") else {
      throw NeuralLimitsError.io("\(name): not a valid .npy file: header has no '\(key)'")
    }
    let rest = header[keyRange.upperBound...].trimmingCharacters(in: .whitespaces)
    if rest.hasPrefix("(") {
      guard let close = rest.firstIndex(of: ")") else {
        throw NeuralLimitsError.io("\(name): not a valid .npy file: unterminated shape")
      }
      return String(rest[...close])
    }
    let end = rest.firstIndex(where: { $0 == "," || $0 == "}" }) ?? rest.endIndex
    return rest[..<end].trimmingCharacters(in: CharacterSet(charactersIn: "' "))
  }

  /// Version 1.0, `<f8`, C order.
  public static func encode(_ m: Matrix) -> Data {
    var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (\(m.rows), \(m.columns)), }"
    let unpadded = 10 + header.utf8.count + 1
    header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
    var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
    let length = UInt16(header.utf8.count)
    data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
    data.append(contentsOf: Array(header.utf8))
    m.elements.withUnsafeBufferPointer { p in
      for v in p { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
    }
    return data
  }

  public static func write(_ m: Matrix, to path: String) throws {
    try AtomicFile.write(encode(m), to: path)
  }
}

/// Reads a matrix from a `.npy` or CSV file, chosen by the extension (`.npy`, else CSV).
public func readMatrix(_ path: String) throws -> Matrix {
  path.lowercased().hasSuffix(".npy") ? try NPY.read(path) : try CSV.read(path)
}
