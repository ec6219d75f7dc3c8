import CLAPACKE
import Foundation

/// How the OpenBLAS core of this process was chosen.
public enum OpenBLASCoreChoice: Equatable, Sendable {
  /// OpenBLAS's own detection, kept.
  case detected
  /// The program restarted itself with `OPENBLAS_CORETYPE` set, because OpenBLAS had detected
  /// the generic core `from`.
  case corrected(from: String)
  /// The user set `OPENBLAS_CORETYPE` (to `value`).
  case userSet(String)
}

/// Runs OpenBLAS on the core the CPU's features call for when its own detection fell back to a
/// generic one (see `OpenBLASCore`).
///
/// OpenBLAS reads `OPENBLAS_CORETYPE` once, when the library loads, before `main` runs: the only
/// way to change the core of a running program is to start it again with the variable set. The
/// `neural-limits` CLI and benchmark do so as their first statement. A Swift program using the
/// library does the same by calling `try? OpenBLASCoreSelection.relaunchIfNeeded()` first thing in
/// `main` (before it starts threads, prints or opens files), or by being started with
/// `OPENBLAS_CORETYPE` set to the core `neural-limits doctor` names under "Core for this CPU".
/// `Linkage.current()` tells which core runs and how it was chosen.
public enum OpenBLASCoreSelection {
  /// OpenBLAS's variable that forces a core.
  public static let coreTypeVariable = "OPENBLAS_CORETYPE"
  /// Set in the restarted process to the core OpenBLAS had detected; it marks the restart and
  /// prevents a second one.
  public static let detectedCoreVariable = "NEURAL_LIMITS_OPENBLAS_DETECTED_CORE"

  /// The core to restart with, or nil to carry on: a restart is due only when the running core
  /// is a fallback on `cpu`, the user has not set `OPENBLAS_CORETYPE` (even to an empty value)
  /// and this process is not itself a restart.
  public static func relaunchCore(running: String, cpu: CPUFeatures?, environment: [String: String]) -> String? {
    guard environment[coreTypeVariable] == nil, environment[detectedCoreVariable] == nil,
          let cpu, OpenBLASCore.isFallback(running, on: cpu) else { return nil }
    return OpenBLASCore.recommended(for: cpu)
  }

  /// How the running core was chosen, from this process's environment.
  public static func choice(environment: [String: String]) -> OpenBLASCoreChoice {
    guard let forced = environment[coreTypeVariable] else { return .detected }
    if let detected = environment[detectedCoreVariable] { return .corrected(from: detected) }
    return .userSet(forced)
  }

  /// The variables to set for a restart on the CPU's core, or nil when none is due
  /// (`relaunchCore` on the running core, this machine and this process's environment).
  public static func restartEnvironment() -> [String: String]? {
    let running = String(cString: openblas_get_corename())
    guard let core = relaunchCore(running: running, cpu: CPUFeatures.current,
                                  environment: ProcessInfo.processInfo.environment) else { return nil }
    return [detectedCoreVariable: running, coreTypeVariable: core]
  }

  /// Restarts this program (the same executable, with the same arguments and environment plus
  /// `OPENBLAS_CORETYPE` and `detectedCoreVariable`, by `ProcessRestart`) when `relaunchCore`
  /// calls for it; returns when no restart is due. Linux only (`/proc/self/exe`); elsewhere it
  /// always returns.
  ///
  /// - Throws: `NeuralLimitsError.io` when the program's executable cannot be re-executed; the
  ///   program then goes on with the generic core and an unchanged environment.
  public static func relaunchIfNeeded() throws {
    guard let environment = restartEnvironment() else { return }
    try ProcessRestart.execute("/proc/self/exe", setting: environment)
  }
}

/// Replaces the running process by an executable, with the same arguments.
public enum ProcessRestart {
  /// `execv(path, argv)` with `variables` added to the environment, and OpenBLAS's idle spinning
  /// shortened unless the user set it (`OpenBLASThreadTimeout`: the library reads it only when it
  /// loads, so a restart is its one chance); returns only by throwing `NeuralLimitsError.io`, after
  /// putting the environment back, when the exec fails.
  public static func execute(_ path: String, setting variables: [String: String]) throws -> Never {
    let variables = variables.merging(OpenBLASThreadTimeout.restartEnvironment(ProcessInfo.processInfo.environment)) { $1 }
    for (name, value) in variables { setenv(name, value, 1) }
    execv(path, CommandLine.unsafeArgv)
    let reason = String(cString: strerror(errno))
    for name in variables.keys { unsetenv(name) }
    throw NeuralLimitsError.io("cannot restart as \(path) (\(reason))")
  }
}
