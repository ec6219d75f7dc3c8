import Foundation
import NeuralLimits

/// The vector extension this binary was compiled for: `make release` builds, beside the portable
/// binary, one tuned for the build machine's CPU (`-mavx2 -mfma`, or AVX-512 F/CD/BW/DQ/VL too)
/// with `NEURAL_LIMITS_AVX2` or `NEURAL_LIMITS_AVX512` defined, installed as
/// `neural-limits-avx2` or `neural-limits-avx512` next to `neural-limits`.
#if NEURAL_LIMITS_AVX512
let builtForVectorExtension = VectorExtension.avx512
#elseif NEURAL_LIMITS_AVX2
let builtForVectorExtension = VectorExtension.avx2
#else
let builtForVectorExtension = VectorExtension.sse
#endif

extension NeuralLimitsCommand {
  /// Restarts the command once, before anything else, when it should run elsewhere: on the
  /// binary tuned for this CPU (`TunedBinary.handOver`), and with OpenBLAS on the core the CPU's
  /// features call for when OpenBLAS fell back to a generic one and the user has not set
  /// `OPENBLAS_CORETYPE` (`OpenBLASCoreSelection`). Both in one `execv` (`ProcessRestart`, which
  /// also shortens OpenBLAS's idle spinning unless the user set it). A tuned binary on
  /// a CPU lacking its extensions, with no portable binary beside it, stops with exit code 2. If
  /// the restart fails, one warning line goes to standard error and the command carries on here.
  static func relaunchForThisCPU() {
    let path = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    let cpu = CPUFeatures.current?.vectorExtension ?? .sse
    let target = TunedBinary.handOver(running: path, builtFor: builtForVectorExtension, cpu: cpu)
    if target == nil, builtForVectorExtension > cpu {
      fail("this binary was built for \(builtForVectorExtension), which this CPU (\(cpu)) lacks; run the portable neural-limits or rebuild with make")
    }
    let environment = OpenBLASCoreSelection.restartEnvironment()
    guard target != nil || environment != nil else { return }
    do {
      try ProcessRestart.execute(target ?? "/proc/self/exe", setting: environment ?? [:])
    } catch {
      FileHandle.standardError.write(Data("neural-limits: warning: \(error); carrying on here\n".utf8))
    }
  }
}
