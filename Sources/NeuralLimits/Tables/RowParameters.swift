import Foundation

/// One row's parameter values as a provider reads them: every value already in its declared
/// domain, defaults filled in, templates resolved; with where each came from, so that a
/// provider's refusal names the configuration's line and key.
public struct RowParameters: Sendable {
  /// 0-based position in the table.
  public let index: Int
  /// The row's grid values, `depth=4, width=128` (empty without a grid).
  public let description: String
  /// The configuration's folder: relative paths are read from there.
  public let folder: String
  /// By parameter name: the value as text (`nil`: an optional parameter not given) and where.
  let values: [String: (text: String?, location: ConfigLocation)]

  private func entry(_ name: String) -> (text: String?, location: ConfigLocation) {
    guard let entry = values[name] else { preconditionFailure("'\(name)' is not a declared parameter") }
    return entry
  }

  private func required(_ name: String) -> String {
    guard let text = entry(name).text else { preconditionFailure("'\(name)' is optional: read it with an optional accessor") }
    return text
  }

  public func text(_ name: String) -> String { required(name) }
  public func optionalText(_ name: String) -> String? { entry(name).text }
  /// Checked against an integer domain before the provider sees it.
  public func integer(_ name: String) -> Int { Int(required(name))! }
  public func optionalInteger(_ name: String) -> Int? { entry(name).text.map { Int($0)! } }
  /// Checked against a real domain before the provider sees it.
  public func real(_ name: String) -> Double { Double(required(name))! }
  public func optionalReal(_ name: String) -> Double? { entry(name).text.map { Double($0)! } }
  /// A `false|true` choice.
  public func flag(_ name: String) -> Bool { required(name) == "true" }

  /// A file named by a parameter, relative to the configuration's folder unless absolute.
  public func path(_ name: String) -> String {
    let text = required(name)
    return text.hasPrefix("/") ? text : folder + "/" + text
  }

  /// An error naming the parameter's line and key, and this row.
  public func refuse(_ name: String, _ message: String) -> NeuralLimitsError {
    entry(name).location.error(message + rowSuffix)
  }

  /// An error naming the quantity's line and key, and this row.
  public func refuse(_ quantity: QuantityName, _ message: String) -> NeuralLimitsError {
    quantity.location.error("\(quantity.text): \(message)" + rowSuffix)
  }

  /// Runs `body`, turning a `NeuralLimitsError` it throws into one that names the parameter.
  public func blame<T>(_ name: String, _ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch let error as NeuralLimitsError {
      throw refuse(name, "\(error)")
    }
  }

  /// A `NeuralLimitsError` thrown while computing this row, its message prefixed with the row
  /// (`row 3 (depth=4, width=64): …`); other errors as they are.
  func located(_ error: Error) -> Error {
    guard let error = error as? NeuralLimitsError else { return error }
    let row = "row \(index + 1)" + (description.isEmpty ? "" : " (\(description))") + ": "
    switch error {
    case .invalidArgument(let m): return NeuralLimitsError.invalidArgument(row + m)
    case .dimensionMismatch(let m): return NeuralLimitsError.dimensionMismatch(row + m)
    case .io(let m): return NeuralLimitsError.io(row + m)
    case .architecture(let m): return NeuralLimitsError.architecture(row + m)
    case .resources(let m): return NeuralLimitsError.resources(row + m)
    case .accuracy(let m): return NeuralLimitsError.accuracy(row + m)
    case .notPositiveDefinite, .lapack, .gsl: return NeuralLimitsError.invalidArgument(row + "\(error)")
    }
  }

  private var rowSuffix: String { description.isEmpty ? "" : " (row \(index + 1): \(description))" }

  /// `name=value` lines in the order given, for the row's identity.
  func canonical(_ order: [String]) -> String {
    order.map { "\($0)=\(values[$0]?.text ?? "(none)")\n" }.joined()
  }
}
