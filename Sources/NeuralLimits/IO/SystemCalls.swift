import Dispatch
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

/// Writes `parts`, one after another from offset 0, to the regular file `descriptor` with
/// `pwrite(2)`, the byte range split evenly between the cores: copying into the page cache is
/// processor work (and on a virtual machine whose memory is filled lazily, most of a large
/// write's time), so two cores write a 256 MB kernel pair in about half the time.
func writeAllParallel(_ parts: [UnsafeRawBufferPointer], to descriptor: Int32, failure: @autoclosure () -> String) throws {
  let total = parts.reduce(0) { $0 + $1.count }
  let workers = total < 1 << 22 ? 1 : ProcessInfo.processInfo.activeProcessorCount
  let share = (total + workers - 1) / max(workers, 1)
  let failures = TaskSlots<Int32>(count: workers)
  let shared = SharedParts(parts: parts)
  DispatchQueue.concurrentPerform(iterations: workers) { worker in
    let range = (worker * share)..<min(total, (worker + 1) * share)
    var start = 0
    for part in shared.parts {
      defer { start += part.count }
      let (first, end) = (max(range.lowerBound, start), min(range.upperBound, start + part.count))
      var offset = first
      while offset < end {
        let written = pwrite(descriptor, part.baseAddress! + (offset - start), min(end - offset, 1 << 30), off_t(offset))
        if written < 0 {
          if errno == EINTR { continue }
          failures.set(worker, errno)
          return
        }
        offset += written
      }
    }
  }
  if let code = failures.values.first { throw NeuralLimitsError.io("\(failure()): \(errorDescription(code))") }
}

/// The parts of a parallel write, read by every worker.
private struct SharedParts: @unchecked Sendable {
  let parts: [UnsafeRawBufferPointer]
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
