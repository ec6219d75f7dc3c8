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
    { [self] done, total in self.draw(total > 0 ? Double(done) / Double(total) : 1, "\(done)/\(total) samples") }
  }

  /// The fraction done and what it counts (e.g. `row 2/12`).
  var updateFraction: @Sendable (Double, String) -> Void {
    { [self] fraction, label in self.draw(fraction, label) }
  }

  private func draw(_ fraction: Double, _ label: String) {
    guard enabled else { return }
    lock.lock()
    defer { lock.unlock() }
    let now = Date()
    let elapsed = now.timeIntervalSince(start)
    guard elapsed > 1, fraction >= 1 || now.timeIntervalSince(lastDraw) > 0.1 else { return }
    lastDraw = now
    drawn = true
    let width = 30, filled = min(width, max(0, Int(Double(width) * fraction)))
    let eta = fraction > 0 ? elapsed / fraction * (1 - fraction) : 0
    let line = String(format: "\r[%@%@] %@, %.1f s, ~%.0f s left \u{1B}[K",
                      String(repeating: "#", count: filled), String(repeating: " ", count: width - filled),
                      label, elapsed, eta)
    FileHandle.standardError.write(Data(line.utf8))
  }

  /// Clears the bar's line.
  func finish() {
    lock.lock()
    defer { lock.unlock() }
    if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
  }
}
