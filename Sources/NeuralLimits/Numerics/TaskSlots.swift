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
