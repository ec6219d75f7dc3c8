import Foundation
import Testing
@testable import NeuralLimits

/// The command-line tool under SIGINT/SIGTERM: the handler must only unlink and exit (it once
/// deadlocked allocating inside the handler), and the two-file outputs must be replaced together.
@Suite("Interrupted runs of the command-line tool")
struct InterruptTests {
  /// Inputs, architecture and signal moments are fixed by these.
  static let inputSeed: UInt64 = 11, momentSeed: UInt64 = 2024
  static let inputs = (rows: 1000, columns: 8), trials = 12
  static let architecture = "(dense -> relu) * 10 -> dense"

  /// The files a run leaves in `folder` (recursively), with their contents.
  func files(in folder: String) -> [String: Data] {
    var found: [String: Data] = [:]
    for case let name as String in FileManager.default.enumerator(atPath: folder)! {
      var isFolder: ObjCBool = false
      _ = FileManager.default.fileExists(atPath: folder + "/" + name, isDirectory: &isFolder)
      if !isFolder.boolValue { found[name] = FileManager.default.contents(atPath: folder + "/" + name) }
    }
    return found
  }

  /// True once `pid` catches both SIGINT and SIGTERM (bits 1 and 14 of SigCgt in /proc).
  func handlersInstalled(_ pid: pid_t) -> Bool {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigCgt:") }),
          let mask = UInt64(line.dropFirst(7).trimmingCharacters(in: .whitespaces), radix: 16) else { return false }
    return mask & (1 << (SIGINT - 1)) != 0 && mask & (1 << (SIGTERM - 1)) != 0
  }

  func arguments(_ format: String, x: String, out: String) -> [String] {
    ["kernel", "--arch", InterruptTests.architecture, "--x", x, "--format", format, "--out", out]
  }

  @Test("SIGINT/SIGTERM at seeded random moments: exit 130/143 within 1 s, no temporary or partial file",
        .enabled(if: FileManager.default.fileExists(atPath: "/proc/self/status")))
  func randomInterrupts() throws {
    let tool = try CommandLineTool()
    let folder = temporaryFolder()
    let x = try Matrix(rows: InterruptTests.inputs.rows, columns: InterruptTests.inputs.columns,
                       elements: RandomStream(seed: InterruptTests.inputSeed).gaussians(InterruptTests.inputs.rows * InterruptTests.inputs.columns))
    _ = FileManager.default.createFile(atPath: folder + "/x.npy", contents: NPY.encode(x))

    // Uninterrupted runs give the expected files and the run time.
    var expected: [String: [String: Data]] = [:]
    var runTime: [String: Double] = [:]
    for (format, out) in [("npy", "kernels"), ("json", "kernels.json")] {
      try FileManager.default.createDirectory(atPath: folder + "/reference-\(format)", withIntermediateDirectories: false)
      let start = Date()
      let (termination, stderr) = try tool.run(arguments(format, x: folder + "/x.npy", out: folder + "/reference-\(format)/" + out))
      runTime[format] = Date().timeIntervalSince(start)
      try #require(termination == .exited(0), "uninterrupted \(format) run: \(stderr)")
      expected[format] = files(in: folder + "/reference-\(format)")
    }

    let moments = RandomStream(seed: InterruptTests.momentSeed)
    for trial in 0..<InterruptTests.trials {
      let format = trial % 2 == 0 ? "npy" : "json"
      let signal = trial % 4 < 2 ? SIGTERM : SIGINT
      // Half the moments anywhere in the run, half in its last 40 %, where the files are written.
      let delay = runTime[format]! * (trial % 3 == 0 ? 1.1 * moments.uniform() : 0.6 + 0.5 * moments.uniform())
      let runFolder = folder + "/trial-\(trial)"
      try FileManager.default.createDirectory(atPath: runFolder, withIntermediateDirectories: false)
      let out = runFolder + (format == "npy" ? "/kernels" : "/kernels.json")
      let pid = try tool.start(arguments(format, x: folder + "/x.npy", out: out), stdout: "/dev/null", stderr: "/dev/null")
      let started = Date()
      while !handlersInstalled(pid) && Date().timeIntervalSince(started) < 10 { usleep(1_000) }
      usleep(UInt32(delay * 1e6))
      kill(pid, signal)
      let context = "trial \(trial): \(format), signal \(signal) \(String(format: "%.3f", delay)) s after the handlers were installed"
      guard let termination = CommandLineTool.wait(pid, timeout: 1) else {
        CommandLineTool.kill(pid)
        Issue.record("\(context): still running 1 s after the signal")
        continue
      }
      #expect(termination == .exited(128 + signal) || termination == .exited(0), "\(context): \(termination)")
      let left = files(in: runFolder)
      #expect(!left.keys.contains { $0.contains(".tmp-") }, "\(context): temporary files left: \(left.keys.sorted())")
      #expect(left.isEmpty || left == expected[format]!, "\(context): partial output: \(left.keys.sorted())")
    }
  }
}
