import Foundation

/// Completed rows of a table, one JSON file per row in `DIR/.rows/<name>/<key>.json`, each
/// written atomically once its row is computed: an interrupted run leaves whole rows only, and
/// the next run reads them back instead of computing them again.
///
/// A file holds the row's identity (tool version, command, parameters, seed, inputs,
/// quantities) and its values; it is used only when the identity matches in full, so a changed
/// row is computed anew whatever its file name. Numbers are stored as strings holding their
/// shortest round-tripping decimal (`nan` and `inf` included) and read back with `Double(_:)`,
/// so a table assembled from stored rows equals a fresh one byte for byte (Foundation's JSON
/// reader goes through `NSDecimalNumber` on Linux, which loses the last bit).
struct RowStore {
  let folder: String

  init(output: String, name: String) throws {
    folder = output + "/.rows/" + name
    do {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    } catch {
      throw NeuralLimitsError.io("cannot create folder \(folder): \(error.localizedDescription)")
    }
  }

  private func path(_ row: TablePlan.Row) -> String { "\(folder)/\(row.key).json" }

  /// The stored values of `row`, or nil when there are none for exactly this row (or the file
  /// does not read as one).
  func load(_ row: TablePlan.Row, kinds: [QuantityDeclaration.Kind]) -> [QuantityValue]? {
    guard let data = FileManager.default.contents(atPath: path(row)),
          let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
          object["identity"] as? String == row.identity,
          let items = object["values"] as? [[String: Any]], items.count == kinds.count else { return nil }
    func number(_ any: Any?) -> Double? { (any as? String).flatMap(Double.init) }
    var values: [QuantityValue] = []
    for (item, kind) in zip(items, kinds) {
      switch kind {
      case .number:
        guard let x = number(item["value"]) else { return nil }
        values.append(.number(x))
      case .estimated:
        guard let x = number(item["value"]), let se = number(item["se"]) else { return nil }
        values.append(.estimate(x, standardError: se))
      case .text:
        guard let text = item["text"] as? String else { return nil }
        values.append(.text(text))
      }
    }
    return values
  }

  /// Writes `row`'s values atomically.
  func save(_ row: TablePlan.Row, _ values: [QuantityValue]) throws {
    let items: [JSONValue] = values.map {
      switch $0 {
      case .number(let x): return .object([("value", .string("\(x)"))])
      case .estimate(let x, let se): return .object([("value", .string("\(x)")), ("se", .string("\(se)"))])
      case .text(let text): return .object([("text", .string(text))])
      }
    }
    let json = JSONValue.object([("identity", .string(row.identity)), ("values", .array(items))])
    try AtomicFile.write(json.serializedData(pretty: true) + Data("\n".utf8), to: path(row))
  }
}
