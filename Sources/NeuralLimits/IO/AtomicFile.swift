import CInterrupt
import Foundation

/// Writes files atomically: the bytes go to a hidden temporary file `.<name>.tmp-<pid>-<random>`
/// in the destination's folder, which is then renamed over the destination, so a reader (or an
/// interrupted run) never sees a partial file.
///
/// - Several files are written as one: every temporary file is written before any is renamed,
///   so a failed write leaves all the old files in place, and the renames run with interrupts
///   deferred (see `CInterrupt.h`), so SIGINT or SIGTERM cannot leave new files beside old ones.
/// - An existing destination must be a regular file: a symbolic link, folder, device or pipe is
///   refused rather than replaced.
/// - Temporary files are registered in a preallocated table that the handler installed by
///   `installInterruptCleanup()` empties on SIGINT/SIGTERM before exiting with 130/143.
public enum AtomicFile {
  /// Writes `data` to `path` atomically. Throws `io` with a one-line message.
  public static func write(_ data: Data, to path: String) throws {
    try write([(path: path, data: data)])
  }

  /// Writes every file, all or (barring a failed rename, which needs the folder to change
  /// meanwhile) none. Throws `io` with a one-line message naming the file.
  public static func write(_ files: [(path: String, data: Data)]) throws {
    try withParts(files.map(\.data)) { parts in
      try write(zip(files, parts).map { (path: $0.0.path, parts: [$0.1]) })
    }
  }

  /// As `write(_:)`, each file given as consecutive byte ranges written in order (e.g. a header,
  /// then a matrix's elements straight from its storage, with no copy).
  public static func write(_ files: [(path: String, parts: [UnsafeRawBufferPointer])]) throws {
    for file in files { try checkDestination(file.path) }
    var temporaries: [TemporaryFile] = []
    var renamed = 0
    defer { temporaries[renamed...].forEach { $0.discard() } }
    for file in files {
      temporaries.append(try TemporaryFile(beside: file.path))
      try temporaries[temporaries.count - 1].write(file.parts)
    }
    nl_interrupt_defer()
    defer { nl_interrupt_resume() }
    for (temporary, file) in zip(temporaries, files) {
      guard nl_replace(temporary.path, file.path) == 0 else {
        throw NeuralLimitsError.io("cannot write \(file.path): \(errorDescription(errno))")
      }
      nl_pending_unregister(temporary.slot)
      renamed += 1
    }
  }

  /// On SIGINT/SIGTERM: remove pending temporary files, then exit with 130/143. Signals that
  /// are ignored when this is called (as in background jobs) stay ignored.
  public static func installInterruptCleanup() {
    nl_interrupt_install()
  }

  /// Throws unless `path`'s folder exists and `path` is absent or a regular file.
  private static func checkDestination(_ path: String) throws {
    let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
    var status = stat()
    guard stat(folder, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else {
      throw NeuralLimitsError.io("cannot write \(path): folder \(folder) does not exist")
    }
    guard lstat(path, &status) == 0 else { return }
    let kind: String
    switch status.st_mode & S_IFMT {
    case S_IFREG: return
    case S_IFLNK: kind = "a symbolic link"
    case S_IFDIR: kind = "a folder"
    case S_IFCHR, S_IFBLK: kind = "a device"
    case S_IFIFO: kind = "a named pipe"
    default: kind = "a socket"
    }
    throw NeuralLimitsError.io("cannot write \(path): it is \(kind), not a regular file; remove it or choose another path")
  }
}

/// A hidden temporary file beside its destination, registered for removal on interrupt.
private struct TemporaryFile {
  let path: String
  let slot: Int32
  private let destination: String
  private let descriptor: Int32

  /// Registers, then creates the file (with interrupts deferred, so that a handler running on
  /// another thread cannot exit between the two and leave it behind).
  init(beside destination: String) throws {
    self.destination = destination
    let url = URL(fileURLWithPath: destination)
    let name = ".\(url.lastPathComponent).tmp-\(getpid())-\(String(UInt32.random(in: .min ... .max), radix: 16))"
    path = url.deletingLastPathComponent().appendingPathComponent(name).path
    slot = nl_pending_register(path)
    switch slot {
    case Int32(NL_PENDING_FULL):
      throw NeuralLimitsError.io("cannot write \(destination): more than \(NL_PENDING_SLOTS) files are being written at once")
    case Int32(NL_PENDING_TOO_LONG):
      throw NeuralLimitsError.io("cannot write \(destination): the path is longer than \(NL_PENDING_PATH_BYTES - 1) bytes")
    default: break
    }
    nl_interrupt_defer()
    descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
    let openError = errno
    nl_interrupt_resume()
    guard descriptor >= 0 else {
      nl_pending_unregister(slot)
      throw NeuralLimitsError.io("cannot write \(destination): \(errorDescription(openError))")
    }
  }

  /// Writes `parts` in order and closes the file.
  func write(_ parts: [UnsafeRawBufferPointer]) throws {
    do {
      try writeAllParallel(parts, to: descriptor, failure: "cannot write \(destination)")
    } catch {
      close(descriptor)
      throw error
    }
    guard close(descriptor) == 0 else {
      throw NeuralLimitsError.io("cannot write \(destination): \(errorDescription(errno))")
    }
  }

  /// Removes the file and its registration.
  func discard() {
    unlink(path)
    nl_pending_unregister(slot)
  }
}

/// Calls `body` with the bytes of every `Data`, in order (nested `withUnsafeBytes`).
func withParts<R>(_ data: [Data], _ body: ([UnsafeRawBufferPointer]) throws -> R) rethrows -> R {
  guard let first = data.first else { return try body([]) }
  return try first.withUnsafeBytes { head in try withParts(Array(data.dropFirst())) { try body([head] + $0) } }
}
