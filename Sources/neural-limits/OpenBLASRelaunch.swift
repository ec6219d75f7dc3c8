import Foundation
import NeuralLimits

extension NeuralLimitsCommand {
  /// Restarts the command once on the OpenBLAS core the CPU's features call for when OpenBLAS
  /// fell back to a generic one and the user has not set `OPENBLAS_CORETYPE`
  /// (`OpenBLASCoreSelection`). Must run before anything else: the restart replaces the process.
  /// If the restart fails, one warning line goes to standard error and the command carries on
  /// with the slow core.
  static func relaunchOnCPUsOpenBLASCore() {
    do {
      try OpenBLASCoreSelection.relaunchIfNeeded()
    } catch {
      FileHandle.standardError.write(Data("neural-limits: warning: \(error)\n".utf8))
    }
  }
}
