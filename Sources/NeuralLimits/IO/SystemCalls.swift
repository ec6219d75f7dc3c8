import Foundation

/// The text of an `errno` value, e.g. "No space left on device".
func errorDescription(_ code: Int32) -> String {
  String(cString: strerror(code))
}

/// Writes all of `data` to `descriptor` with write(2), continuing after partial writes and
/// retrying after EINTR; a failure throws `io("<failure>: <reason>")`.
func writeAll(_ data: Data, to descriptor: Int32, failure: @autoclosure () -> String) throws {
  try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
    var offset = 0
    while offset < bytes.count {
      let written = write(descriptor, bytes.baseAddress! + offset, min(bytes.count - offset, 1 << 30))
      if written < 0 {
        if errno == EINTR { continue }
        throw NeuralLimitsError.io("\(failure()): \(errorDescription(errno))")
      }
      offset += written
    }
  }
}
