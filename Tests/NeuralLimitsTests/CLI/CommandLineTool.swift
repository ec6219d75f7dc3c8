import Foundation
import Testing

/// The `neural-limits` binary built beside the test runner, run in a subprocess.
struct CommandLineTool {
  /// How a subprocess ended.
  enum Termination: Equatable {
    case exited(Int32)
    case signaled(Int32)
  }

  let path: String

  /// The binary beside the test runner (`swift build --build-tests` builds both), else under
  /// `.build/debug`; throws when neither exists.
  init() throws {
    let candidates = [
      URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("neural-limits").path,
      FileManager.default.currentDirectoryPath + "/.build/debug/neural-limits",
    ]
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
      throw ToolMissing(candidates: candidates)
    }
    path = found
  }

  struct ToolMissing: Error, CustomStringConvertible {
    let candidates: [String]
    var description: String {
      "the neural-limits binary is not at \(candidates.joined(separator: " or ")); run swift build --build-tests first"
    }
  }

  /// Starts the tool with standard output and error going to files (standard input from
  /// /dev/null), SIGINT and SIGTERM at their defaults and unblocked, in this process's
  /// environment or `environment` (`NAME=value` items); returns the process id.
  func start(_ arguments: [String], stdout: String, stderr: String, environment: [String]? = nil) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var defaults = sigset_t(), unblocked = sigset_t()
    sigemptyset(&defaults)
    sigaddset(&defaults, SIGINT)
    sigaddset(&defaults, SIGTERM)
    sigemptyset(&unblocked)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setsigmask(&attributes, &unblocked)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
    let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { $0.map { strdup($0) } + [nil] }
    defer { envp?.forEach { free($0) } }
    var pid = pid_t()
    let status = envp.map { envp in posix_spawn(&pid, path, &actions, &attributes, argv, envp) }
      ?? posix_spawn(&pid, path, &actions, &attributes, argv, environ)
    guard status == 0 else { throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(status))]) }
    return pid
  }

  /// Waits up to `timeout` seconds for `pid` to end; nil when it is still running.
  static func wait(_ pid: pid_t, timeout: Double) -> Termination? {
    let deadline = Date().addingTimeInterval(timeout)
    repeat {
      var status: Int32 = 0
      if waitpid(pid, &status, WNOHANG) == pid {
        return status & 0x7F == 0 ? .exited((status >> 8) & 0xFF) : .signaled(status & 0x7F)
      }
      usleep(2_000)
    } while Date() < deadline
    return nil
  }

  /// Kills `pid` and reaps it.
  static func kill(_ pid: pid_t) {
    Foundation.kill(pid, SIGKILL)
    var status: Int32 = 0
    waitpid(pid, &status, 0)
  }

  /// Runs the tool to its end (at most `timeout` seconds); returns how it ended and its
  /// standard error.
  func run(_ arguments: [String], stdout: String = "/dev/null", timeout: Double = 60,
           environment: [String]? = nil) throws -> (Termination?, String) {
    let stderr = NSTemporaryDirectory() + "neural-limits-stderr-" + UUID().uuidString
    defer { try? FileManager.default.removeItem(atPath: stderr) }
    let pid = try start(arguments, stdout: stdout, stderr: stderr, environment: environment)
    let termination = CommandLineTool.wait(pid, timeout: timeout)
    if termination == nil { CommandLineTool.kill(pid) }
    return (termination, (try? String(contentsOfFile: stderr, encoding: .utf8)) ?? "")
  }
}
