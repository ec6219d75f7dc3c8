import Foundation

/// Writes files atomically: the bytes go to a hidden temporary file in the same folder, which
/// is then renamed over the destination, so a reader (or an interrupted run) never sees a
/// partial file. Temporary files still pending when the process is interrupted (SIGINT,
/// SIGTERM) are removed by `AtomicFile.installInterruptCleanup()`.
public enum AtomicFile {
  /// Writes `data` to `path` atomically. Throws `io` with a one-line message.
  public static func write(_ data: Data, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent()
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
      throw NeuralLimitsError.io("cannot write \(path): folder \(folder.path) does not exist")
    }
    let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UUID().uuidString.prefix(8))")
    PendingFiles.shared.add(temporary.path)
    defer { PendingFiles.shared.remove(temporary.path) }
    do {
      try data.write(to: temporary)
      guard rename(temporary.path, url.path) == 0 else {
        let reason = String(cString: strerror(errno))
        try? FileManager.default.removeItem(at: temporary)
        throw NeuralLimitsError.io("cannot write \(path): \(reason)")
      }
    } catch let error as NeuralLimitsError {
      throw error
    } catch {
      try? FileManager.default.removeItem(at: temporary)
      throw NeuralLimitsError.io("cannot write \(path): \(error.localizedDescription)")
    }
  }

  /// Writes UTF-8 `text` to `path` atomically.
  public static func write(_ text: String, to path: String) throws {
    try write(Data(text.utf8), to: path)
  }

  /// On SIGINT/SIGTERM: remove pending temporary files, then exit with 130/143.
  public static func installInterruptCleanup() {
    for sig in [SIGINT, SIGTERM] {
      signal(sig) { received in
        PendingFiles.shared.removeAll()
        _exit(128 + received)
      }
    }
  }
}

/// The temporary files being written right now (guarded by a lock).
final class PendingFiles: @unchecked Sendable {
  static let shared = PendingFiles()
  private let lock = NSLock()
  private var paths: Set<String> = []

  func add(_ path: String) { lock.lock(); paths.insert(path); lock.unlock() }
  func remove(_ path: String) { lock.lock(); paths.remove(path); lock.unlock() }
  func removeAll() {
    // Called from a signal handler: no locking (the process exits right after); unlink is async-signal-safe.
    for path in paths { unlink(path) }
  }
}
