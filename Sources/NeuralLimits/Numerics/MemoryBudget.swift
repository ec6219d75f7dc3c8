import Foundation

/// The check every large allocation goes through first: an estimate against 80% of the
/// machine's physical memory, so that an impossible size is a one-line `resources` error
/// rather than an allocation failure that kills the process.
enum MemoryBudget {
  /// Throws `resources` when `bytes` (an estimate) exceeds 80% of physical memory; the message
  /// says what needs it and what to lower.
  static func require(_ bytes: Double, for what: String, hint: String) throws {
    let available = Double(ProcessInfo.processInfo.physicalMemory) * 0.8
    guard bytes < available else {
      let gib = { (b: Double) in String(format: "%.1f", b / 1_073_741_824) }
      throw NeuralLimitsError.resources("\(what) need about \(gib(bytes)) GiB, more than the \(gib(available)) GiB available; \(hint)")
    }
  }
}
