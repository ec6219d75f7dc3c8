import Foundation

/// A computed table: every row's values, in the plan's order.
public struct TableResults: Sendable {
  public let plan: TablePlan
  /// Per row, per quantity.
  public let values: [[QuantityValue]]
  /// Rows read back from an earlier run rather than computed.
  public let reused: Int
}

extension TablePlan {
  /// Computes the rows not already stored under `output` (all of them with `force`), one after
  /// the other — each row's own work runs on every core (Monte Carlo samples, SDE paths), which
  /// keeps both cores busy on rows of any size and the results independent of scheduling —
  /// storing each as soon as it is done. `progress` receives the fraction done and a label.
  public func run(output: String, force: Bool,
                  progress: (@Sendable (Double, String) -> Void)? = nil) throws -> TableResults {
    let store = try RowStore(output: output, name: config.name)
    let kinds = declarations.map(\.kind)
    var values = rows.map { force ? nil : store.load($0, kinds: kinds) }
    let missing = values.indices.filter { values[$0] == nil }
    for (done, index) in missing.enumerated() {
      let row = rows[index]
      let label = "row \(done + 1)/\(missing.count) of \(rows.count)"
      progress?(Double(done) / Double(missing.count), label)
      let computed = try row.work.compute(seed: row.seed, progress: progress.map { report in
        { @Sendable part, total in report((Double(done) + Double(part) / Double(max(total, 1))) / Double(missing.count), label) }
      })
      precondition(computed.count == kinds.count, "\(provider.command) returned \(computed.count) values for \(kinds.count) quantities")
      try store.save(row, computed)
      values[index] = computed
    }
    return TableResults(plan: self, values: values.map { $0! }, reused: rows.count - missing.count)
  }
}
