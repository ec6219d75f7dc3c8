import Foundation

/// Matrices as CSV: one row of the matrix per line, comma-separated numbers. Blank lines and
/// lines starting with `#` are skipped; a first line that does not parse as numbers is a
/// header and skipped too. `nan`/`inf` parse (and are then rejected by callers that need
/// finite inputs, with the row and column named).
public enum CSV {
  public static func read(_ path: String) throws -> Matrix {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw NeuralLimitsError.io("cannot read \(path): no such file or not readable")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw NeuralLimitsError.io("\(path) is not UTF-8 text")
    }
    return try parse(text, name: path)
  }

  public static func parse(_ text: String, name: String = "CSV") throws -> Matrix {
    var rows: [[Double]] = []
    var sawHeader = false
    for (lineIndex, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
      if line.isEmpty || line.hasPrefix("#") { continue }
      let fields = line.split(separator: ",", omittingEmptySubsequences: false)
        .map { $0.trimmingCharacters(in: .whitespaces) }
      let values = fields.map(Double.init)
      if let bad = values.firstIndex(where: { $0 == nil }) {
        if rows.isEmpty && !sawHeader {
          sawHeader = true
          continue
        }
        throw NeuralLimitsError.io("\(name): line \(lineIndex + 1), field \(bad + 1): '\(fields[bad])' is not a number")
      }
      let row = values.map { $0! }
      if let first = rows.first, first.count != row.count {
        throw NeuralLimitsError.io("\(name): line \(lineIndex + 1) has \(row.count) fields, earlier lines have \(first.count)")
      }
      rows.append(row)
    }
    guard !rows.isEmpty else { throw NeuralLimitsError.io("\(name): no data rows") }
    return try Matrix(rows)
  }

  /// The matrix as CSV text, full precision (shortest round-tripping decimal).
  public static func format(_ m: Matrix) -> String {
    var out = ""
    for i in 0..<m.rows {
      out += m.row(i).map { "\($0)" }.joined(separator: ",")
      out += "\n"
    }
    return out
  }

  public static func write(_ m: Matrix, to path: String) throws {
    try AtomicFile.write(Data(format(m).utf8), to: path)
  }
}
