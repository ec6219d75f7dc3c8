/// A parameter of a quantity provider, as a table configuration names it under `parameters:` or
/// as a `grid:` axis: its domain is checked for every row before any work.
public struct TableParameter: Sendable {
  /// What values the parameter takes.
  public enum Kind: Sendable, CustomStringConvertible {
    /// A value in a domain of the architecture language (reals, integers, choices; `false|true`
    /// for switches).
    case value(LayerEntry.Domain)
    /// Free text; `{axis}` in it is replaced by the row's value of that grid axis (a template).
    case text

    public var description: String {
      switch self {
      case .value(let domain): return "\(domain)"
      case .text: return "text ({axis} replaced by the row's value)"
      }
    }
  }

  /// Whether the parameter must be given.
  public enum Presence: Sendable {
    case required
    /// Absent unless given (e.g. an optional width).
    case optional
    /// This value (as written in a configuration) unless given.
    case defaulted(String)
  }

  public let name: String
  public let kind: Kind
  public let presence: Presence
  public let summary: String

  public init(_ name: String, _ kind: Kind, _ presence: Presence, _ summary: String) {
    self.name = name
    self.kind = kind
    self.presence = presence
    self.summary = summary
  }

  /// `name: domain, default …: summary`, for `neural-limits table --list`.
  public var usage: String {
    let presence: String
    switch self.presence {
    case .required: presence = "required"
    case .optional: presence = "optional"
    case .defaulted(let value): presence = "default \(value)"
    }
    return "\(name): \(kind), \(presence) — \(summary)"
  }
}
