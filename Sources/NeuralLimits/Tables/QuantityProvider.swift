import Foundation

/// The figures of one subcommand (`kernel`, `compare`, `sde`, …) as quantities of a table row.
///
/// A table configuration names a provider by its `command`; every grid point becomes one row,
/// checked by `init` before any row is computed, then computed by `compute`. Adding a provider
/// is one file declaring a type that conforms, and its name in `QuantityProviders.all`.
public protocol QuantityProvider: Sendable {
  /// The subcommand whose figures this provides: `command:` in a configuration.
  static var command: String { get }
  /// One line for `neural-limits table --list`.
  static var summary: String { get }
  /// The parameters a row takes, with their domains and defaults.
  static var parameters: [TableParameter] { get }
  /// The quantities a row can yield.
  static var quantities: [QuantityDeclaration] { get }
  /// Whether a row draws random numbers (then it gets a seed of its own, recorded in the table).
  static var isRandom: Bool { get }

  /// Checks a row — what the parameters' domains cannot say (an architecture, the inputs, an
  /// index within range, a quantity that needs a switch) — and keeps what `compute` needs.
  /// Errors come from `row.refuse` or `row.blame`, so they name the configuration's line and key.
  /// Cheap: runs for every row before any is computed.
  init(_ row: RowParameters, quantities: [QuantityName]) throws

  /// What identifies the row's inputs beyond its parameters (e.g. a hash of an input file's
  /// contents), so that a changed input invalidates rows computed before; empty if nothing.
  var inputFingerprint: String { get }

  /// The values of the quantities given to `init`, in order. `seed` is the row's own seed
  /// (0 when `isRandom` is false); `progress` receives `(done, total)` of the row's own work.
  func compute(seed: UInt64, progress: (@Sendable (Int, Int) -> Void)?) throws -> [QuantityValue]
}

/// The providers `neural-limits table` knows, by `command`.
public enum QuantityProviders {
  public static let all: [any QuantityProvider.Type] = [
    KernelQuantities.self, CompareQuantities.self, SDEQuantities.self, PosteriorQuantities.self, SignalPropQuantities.self,
  ]

  public static func named(_ command: String) -> (any QuantityProvider.Type)? {
    all.first { $0.command == command }
  }
}

/// A quantity a provider can yield: `name`, or `name[i,j]` when `indexed` (an entry of a
/// kernel matrix, 0-based).
public struct QuantityDeclaration: Sendable {
  public enum Kind: Sendable {
    /// A number without a standard error: exact (theory) or a statistic (an error, a z-score).
    case number
    /// Estimated (Monte Carlo): a number with its standard error.
    case estimated
    /// A word (a verdict).
    case text
  }

  public let name: String
  public let indexed: Bool
  public let kind: Kind
  public let summary: String

  public init(_ name: String, indexed: Bool = false, _ kind: Kind, _ summary: String) {
    self.name = name
    self.indexed = indexed
    self.kind = kind
    self.summary = summary
  }

  /// `name` or `name[i,j]`.
  public var usage: String { indexed ? "\(name)[i,j]" : name }
}

/// A quantity as a configuration asks for it: `base` or `base[i,j]`, with where it was written.
public struct QuantityName: Sendable, Hashable {
  /// As written, e.g. `nngp.simulation[0,1]`.
  public let text: String
  public let base: String
  public let indices: [Int]
  public let location: ConfigLocation

  public static func == (a: QuantityName, b: QuantityName) -> Bool { a.text == b.text }
  public func hash(into hasher: inout Hasher) { hasher.combine(text) }

  /// Splits a comma-separated list of quantity names, keeping the commas inside `[i,j]`.
  public static func split(_ list: String) -> [String] {
    var names: [String] = [], current = "", depth = 0
    for c in list {
      if c == "[" { depth += 1 } else if c == "]" { depth -= 1 }
      if c == ",", depth == 0 {
        names.append(current.trimmingCharacters(in: .whitespaces))
        current = ""
      } else {
        current.append(c)
      }
    }
    return names + [current.trimmingCharacters(in: .whitespaces)]
  }

  /// Parses `base` or `base[i,j]` (non-negative integers); nil if malformed.
  init?(_ text: String, location: ConfigLocation) {
    self.location = location
    self.text = text
    guard let open = text.firstIndex(of: "[") else {
      guard !text.isEmpty, !text.contains("]") else { return nil }
      base = text
      indices = []
      return
    }
    guard text.hasSuffix("]") else { return nil }
    base = String(text[..<open])
    let inside = text[text.index(after: open)..<text.index(before: text.endIndex)]
    let parts = inside.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !base.isEmpty, !parts.isEmpty, parts.allSatisfy({ ($0 ?? -1) >= 0 }) else { return nil }
    indices = parts.map { $0! }
  }
}

/// One value of a table cell.
public enum QuantityValue: Sendable, Equatable {
  case number(Double)
  case estimate(Double, standardError: Double)
  case text(String)

  /// The number (nil for text).
  public var number: Double? {
    switch self {
    case .number(let x), .estimate(let x, _): return x
    case .text: return nil
    }
  }
}
