/// Where something was written in a table configuration: the file, the line and the key
/// (`grid.width`, `quantities[2]`), for one-line error messages.
public struct ConfigLocation: Sendable, Hashable, CustomStringConvertible {
  public let file: String
  /// 1-based; 0 when the value was not written (a provider's default).
  public let line: Int
  public let key: String

  public var description: String { line > 0 ? "\(file) line \(line), key '\(key)'" : "\(file), key '\(key)' (default)" }

  /// A one-line error naming this place.
  public func error(_ message: String) -> NeuralLimitsError {
    .invalidArgument("\(self): \(message)")
  }
}

/// A scalar value as written in a configuration, with where.
public struct ConfigScalar: Sendable {
  public let text: String
  public let location: ConfigLocation
}
