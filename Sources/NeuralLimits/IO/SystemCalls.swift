import Foundation

/// The text of an `errno` value, e.g. "No space left on device".
func errorDescription(_ code: Int32) -> String {
  String(cString: strerror(code))
}

/// Writes all of `data` to `descriptor` with write(2), continuing after partial writes and
/// retrying after EINTR; a failure throws `io("<failure>: <reason>")`.
func writeAll(_ data: Data, to descriptor: Int32, failure: @autoclosure () -> String) throws {
  try data.withUnsafeBytes { try writeAll($0, to: descriptor, failure: failure()) }
}

/// Writes all of `bytes` to `descriptor`, as `writeAll(_:to:failure:)`.
func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32, failure: @autoclosure () -> String) throws {
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

/// The whole contents of the file at `path`, read with read(2), so that pipes such as a shell's
/// `<(command)` work as well as regular files; throws `io("cannot read <path>: <reason>")`.
func readFile(_ path: String) throws -> Data {
  func failure(_ code: Int32) -> NeuralLimitsError { .io("cannot read \(path): \(errorDescription(code))") }
  let descriptor = open(path, O_RDONLY | O_CLOEXEC)
  guard descriptor >= 0 else { throw failure(errno) }
  defer { close(descriptor) }
  var status = stat()
  let size = fstat(descriptor, &status) == 0 ? Int(status.st_size) : 0
  // Read straight into the buffer, sized for a regular file (a pipe has size 0; a sparse file
  // may claim terabytes, hence the cap); one spare byte to see the end without growing.
  var data = Data(count: min(size, 1 << 30) + 1)
  var filled = 0
  while true {
    if filled == data.count { data.count = 2 * data.count + (1 << 16) }
    let count = data.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, $0.count - filled) }
    if count == 0 {
      data.count = filled
      return data
    }
    if count < 0 {
      if errno == EINTR { continue }
      throw failure(errno)
    }
    filled += count
  }
}
