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
  /// Computes the rows not already stored under `output` (all of them with `force`), as many at
  /// once as there are cores, storing each as soon as it is done. A row's own work (Monte Carlo
  /// samples, SDE paths) is parallel too: GCD shares the cores between both levels, so small
  /// rows and large ones both keep every core busy. Each row draws only from its own seed, so
  /// its values do not depend on which rows run beside it, nor on the thread count. OpenBLAS
  /// runs single-threaded meanwhile (its thread count is one global setting). After a failed
  /// row no new row starts; the rows already done stay stored, and the error of the first
  /// failed row (in the table's order) is thrown. `progress` receives the fraction done and a
  /// label.
  public func run(output: String, force: Bool,
                  progress: (@Sendable (Double, String) -> Void)? = nil) throws -> TableResults {
    let store = try RowStore(output: output, name: config.name)
    let kinds = declarations.map(\.kind)
    var values = rows.map { force ? nil : store.load($0, kinds: kinds) }
    let missing = values.indices.filter { values[$0] == nil }
    let tracker = RowProgress(rows: missing.count, of: rows.count, report: progress)
    let results = TaskSlots<Result<[QuantityValue], Error>>(count: missing.count)
    BLAS.concurrentPerform(iterations: missing.count) { [rows, provider, store] m in
      guard !tracker.stopped else { return }
      let row = rows[missing[m]]
      let result = Result { () throws -> [QuantityValue] in
        let computed = try row.work.compute(seed: row.seed) { part, total in tracker.update(m, Double(part) / Double(max(total, 1))) }
        precondition(computed.count == kinds.count, "\(provider.command) returned \(computed.count) values for \(kinds.count) quantities")
        try store.save(row, computed)
        return computed
      }
      if case .failure = result { tracker.stop() }
      tracker.finish(m)
      results.set(m, result.mapError { row.parameters.located($0) })
    }
    // Every slot is filled unless a row failed; then the first failure in the table's order.
    let outcomes = results.values
    for case .failure(let error) in outcomes { throw error }
    for (m, outcome) in zip(missing, outcomes) { values[m] = try outcome.get() }
    return TableResults(plan: self, values: values.map { $0! }, reused: rows.count - missing.count)
  }
}

/// The progress of rows computed in parallel: each row's fraction done, reported as their mean.
private final class RowProgress: @unchecked Sendable {
  private var fractions: [Double]
  private var done = 0
  private var failed = false
  private let total: Int
  private let report: (@Sendable (Double, String) -> Void)?
  private let lock = NSLock()

  init(rows: Int, of total: Int, report: (@Sendable (Double, String) -> Void)?) {
    fractions = Array(repeating: 0, count: rows)
    self.total = total
    self.report = report
  }

  /// Whether a row has failed (no row starts after that).
  var stopped: Bool {
    lock.lock()
    defer { lock.unlock() }
    return failed
  }

  func stop() {
    lock.lock()
    failed = true
    lock.unlock()
  }

  func update(_ row: Int, _ fraction: Double) {
    lock.lock()
    fractions[row] = min(max(fraction, fractions[row]), 1)
    let (mean, label) = state()
    lock.unlock()
    report?(mean, label)
  }

  func finish(_ row: Int) {
    lock.lock()
    fractions[row] = 1
    done += 1
    let (mean, label) = state()
    lock.unlock()
    report?(mean, label)
  }

  /// Under the lock: the mean fraction and the label.
  private func state() -> (Double, String) {
    (fractions.reduce(0, +) / Double(max(fractions.count, 1)), "\(done)/\(fractions.count) rows done (of \(total))")
  }
}
