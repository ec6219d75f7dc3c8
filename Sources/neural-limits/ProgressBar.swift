import Foundation

/// A progress bar on standard error for runs over a second, drawn only when standard error is
/// a terminal (never into logs or pipes).
final class ProgressBar: @unchecked Sendable {
  private let enabled: Bool
  private let start = Date()
  private let lock = NSLock()
  private var drawn = false
  private var lastDraw = Date.distantPast

  init(enabled: Bool) {
    self.enabled = enabled && isatty(STDERR_FILENO) == 1
  }

  /// `(done, total)` samples.
  var update: @Sendable (Int, Int) -> Void {
    { [self] done, total in self.draw(done, total) }
  }

  private func draw(_ done: Int, _ total: Int) {
    guard enabled else { return }
    lock.lock()
    defer { lock.unlock() }
    let now = Date()
    let elapsed = now.timeIntervalSince(start)
    guard elapsed > 1, done == total || now.timeIntervalSince(lastDraw) > 0.1 else { return }
    lastDraw = now
    drawn = true
    let width = 30, filled = total > 0 ? width * done / total : width
    let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
    let line = String(format: "\r[%@%@] %d/%d samples, %.1f s, ~%.0f s left ",
                      String(repeating: "#", count: filled), String(repeating: " ", count: width - filled),
                      done, total, elapsed, eta)
    FileHandle.standardError.write(Data(line.utf8))
  }

  /// Clears the bar's line.
  func finish() {
    lock.lock()
    defer { lock.unlock() }
    if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
  }
}
