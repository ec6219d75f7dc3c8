import Foundation

/// A JSON value, written with every `Double` in its shortest round-tripping form (so float64
/// results survive a write/read cycle exactly). Non-finite numbers are written as `null`.
///
/// The text is built as bytes; `matrix` values (arrays of rows) are formatted in parallel, so a
/// kernel matrix is written at well over 100 MB/s.
public indirect enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  case number(Double)
  case integer(Int)
  case string(String)
  case array([JSONValue])
  /// Keys keep their order.
  case object([(String, JSONValue)])
  /// A matrix as an array of rows, the same text as `.array` of `.array`s of `.number`s.
  case matrix(Matrix)

  public static func == (a: JSONValue, b: JSONValue) -> Bool { a.serializedData() == b.serializedData() }

  /// The JSON text; `pretty` puts each object member and each array of arrays on its own line
  /// (so a matrix has one row per line), `indent` before the lines after the first.
  public func serialized(pretty: Bool = false, indent: String = "") -> String {
    var out = Data()
    append(to: &out, pretty: pretty, indent: indent)
    return String(decoding: out, as: UTF8.self)
  }

  /// `serialized(pretty:)` as UTF-8 bytes.
  public func serializedData(pretty: Bool = false) -> Data {
    var out = Data()
    append(to: &out, pretty: pretty, indent: "")
    return out
  }

  private func append(to out: inout Data, pretty: Bool, indent: String) {
    switch self {
    case .null: out.append(contentsOf: "null".utf8)
    case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
    case .number(let x): out.append(contentsOf: (x.isFinite ? x.description : "null").utf8)
    case .integer(let n): out.append(contentsOf: n.description.utf8)
    case .string(let s): JSONValue.appendQuoted(s, to: &out)
    case .array(let items):
      let nested = items.contains {
        switch $0 {
        case .array, .object, .matrix: return true
        default: return false
        }
      }
      if pretty && nested {
        let inner = indent + "  "
        out.append(contentsOf: "[\n".utf8)
        for (k, item) in items.enumerated() {
          out.append(contentsOf: ((k > 0 ? ",\n" : "") + inner).utf8)
          item.append(to: &out, pretty: true, indent: inner)
        }
        out.append(contentsOf: "\n\(indent)]".utf8)
      } else {
        out.append(contentsOf: "[".utf8)
        for (k, item) in items.enumerated() {
          if k > 0 { out.append(contentsOf: ", ".utf8) }
          item.append(to: &out, pretty: pretty, indent: indent)
        }
        out.append(contentsOf: "]".utf8)
      }
    case .object(let members):
      let inner = indent + "  "
      out.append(contentsOf: (pretty ? "{\n" : "{").utf8)
      for (k, (key, value)) in members.enumerated() {
        if k > 0 { out.append(contentsOf: (pretty ? ",\n" : ", ").utf8) }
        if pretty { out.append(contentsOf: inner.utf8) }
        JSONValue.appendQuoted(key, to: &out)
        out.append(contentsOf: ": ".utf8)
        value.append(to: &out, pretty: pretty, indent: inner)
      }
      out.append(contentsOf: (pretty ? "\n\(indent)}" : "}").utf8)
    case .matrix(let m):
      guard m.rows > 0 else { return out.append(contentsOf: "[]".utf8) }
      let inner = indent + "  "
      out.append(contentsOf: (pretty ? "[\n" : "[").utf8)
      m.appendText(to: &out, MatrixTextLayout(
        rowStart: pretty ? inner + "[" : "[", separator: ", ", rowEnd: pretty ? "],\n" : "], ",
        lastRowEnd: pretty ? "]\n\(indent)]" : "]]", nonFinite: "null"))
    }
  }

  private static func appendQuoted(_ s: String, to out: inout Data) {
    var quoted = "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": quoted += "\\\""
      case "\\": quoted += "\\\\"
      case "\n": quoted += "\\n"
      case "\t": quoted += "\\t"
      case "\r": quoted += "\\r"
      default:
        if scalar.value < 0x20 {
          let hex = String(scalar.value, radix: 16)
          quoted += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          quoted.unicodeScalars.append(scalar)
        }
      }
    }
    out.append(contentsOf: (quoted + "\"").utf8)
  }
}
