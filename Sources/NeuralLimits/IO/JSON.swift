/// A JSON value, written with every `Double` in its shortest round-tripping form (so float64
/// results survive a write/read cycle exactly). Non-finite numbers are written as `null`.
public indirect enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  case number(Double)
  case integer(Int)
  case string(String)
  case array([JSONValue])
  /// Keys keep their order.
  case object([(String, JSONValue)])

  public static func == (a: JSONValue, b: JSONValue) -> Bool { a.serialized() == b.serialized() }

  /// A matrix as an array of rows.
  public static func matrix(_ m: Matrix) -> JSONValue {
    .array((0..<m.rows).map { i in .array(m.row(i).map(JSONValue.number)) })
  }

  /// The JSON text; `pretty` puts each object member and each array of arrays on its own line.
  public func serialized(pretty: Bool = false, indent: String = "") -> String {
    switch self {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .number(let x): return x.isFinite ? "\(x)" : "null"
    case .integer(let n): return "\(n)"
    case .string(let s): return JSONValue.quote(s)
    case .array(let items):
      let nested = items.contains { if case .array = $0 { return true }; if case .object = $0 { return true }; return false }
      if pretty && nested {
        let inner = indent + "  "
        return "[\n" + items.map { inner + $0.serialized(pretty: true, indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
      }
      return "[" + items.map { $0.serialized(pretty: pretty, indent: indent) }.joined(separator: ", ") + "]"
    case .object(let members):
      if pretty {
        let inner = indent + "  "
        return "{\n" + members.map { inner + JSONValue.quote($0.0) + ": " + $0.1.serialized(pretty: true, indent: inner) }
          .joined(separator: ",\n") + "\n\(indent)}"
      }
      return "{" + members.map { JSONValue.quote($0.0) + ": " + $0.1.serialized() }.joined(separator: ", ") + "}"
    }
  }

  private static func quote(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      default:
        if scalar.value < 0x20 {
          out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
  }
}
