import Foundation

/// The inputs of `kernel` and `compare` rows (parameter `x`), and their kernel entries.
enum TableInputs {
  static let parameter = TableParameter(
    "x", .text, .defaulted("spiral"),
    "the inputs: spiral (the \(DefaultInputs.description)) or a CSV or .npy file, one input per row, relative to the configuration")

  /// The matrix `x` names.
  static func load(_ row: RowParameters) throws -> Matrix {
    row.text("x") == "spiral" ? DefaultInputs.spiral() : try row.blame("x") { try readMatrix(row.path("x")) }
  }

  /// The inputs' shape and contents (every element's bits), hashed.
  static func fingerprint(_ x: Matrix) -> String {
    var bytes = Array("\(x.rows)x\(x.columns)".utf8)
    for v in x.elements { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
    return FNV1a.hex(bytes)
  }

  /// Refuses an entry `[i,j]` beyond `count` inputs.
  static func checkEntries(_ quantities: [QuantityName], count: Int, _ row: RowParameters) throws {
    for q in quantities where q.indices.contains(where: { $0 >= count }) {
      throw row.refuse(q, "an entry index is beyond the \(count) inputs (indices start at 0)")
    }
  }
}
