import Foundation

/// One result slot per parallel task (`DispatchQueue.concurrentPerform`): each task writes its
/// own slot, and the caller reads the values once every task has finished.
final class TaskSlots<Value>: @unchecked Sendable {
  private var slots: [Value?]
  private let lock = NSLock()

  init(count: Int) { slots = Array(repeating: nil, count: count) }

  var count: Int { slots.count }

  func set(_ index: Int, _ value: Value) {
    lock.lock()
    slots[index] = value
    lock.unlock()
  }

  /// The values written, in task order (slots left empty are skipped).
  var values: [Value] {
    lock.lock()
    defer { lock.unlock() }
    return slots.compactMap { $0 }
  }
}

/// Counts finished work items of a parallel loop and reports `(done, total)` after each.
final class TaskCounter: @unchecked Sendable {
  private var done = 0
  private let total: Int
  private let report: (@Sendable (Int, Int) -> Void)?
  private let lock = NSLock()

  init(total: Int, report: (@Sendable (Int, Int) -> Void)?) {
    self.total = total
    self.report = report
  }

  func advance() {
    lock.lock()
    done += 1
    let now = done
    lock.unlock()
    report?(now, total)
  }
}
