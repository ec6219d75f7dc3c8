import Foundation
import ArgumentParser
import NeuralLimits

/// `neural-limits doctor`: which BLAS, LAPACK and GSL this binary runs on, and whether OpenBLAS
/// runs the kernels the CPU's features call for.
struct Doctor: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Show the linked BLAS/LAPACK/GSL libraries, the CPU's features and OpenBLAS's kernel.")

  func run() throws {
    let linkage = Linkage.current()
    let lines = [
      "neural-limits \(neuralLimitsVersion)",
      "cblas_dgemm bound to: \(linkage.cblasProvider)",
      "OpenBLAS:             \(linkage.openBLASConfig)",
      "CPU features:         \(cpuLine(linkage.cpu))",
      "This binary:          \(binaryLine(linkage.cpu))",
      "OpenBLAS detected:    \(detectedLine(linkage))",
      "Core for this CPU:    \(linkage.recommendedCore ?? (linkage.cpu == nil ? "unknown" : "OpenBLAS's own (no AVX)"))",
      "OpenBLAS core:        \(linkage.openBLASCore), \(linkage.openBLASThreads) thread(s), \(choiceText(linkage.coreChoice))",
      "LAPACK (LAPACKE):     \(linkage.lapackVersion)",
      "GSL:                  \(linkage.gslVersion)",
      linkage.usesOpenBLAS ? "BLAS check:           ok (OpenBLAS, not GSL's reference gslcblas)"
                           : "BLAS check:           WARNING: not OpenBLAS; matrix products will be slow",
      "Core check:           \(coreCheck(linkage))",
    ]
    try StandardOutput.write(Data(lines.map { $0 + "\n" }.joined().utf8))
  }

  private func cpuLine(_ cpu: CPUFeatures?) -> String {
    guard let cpu else { return "unknown (no x86 flags in /proc/cpuinfo)" }
    return "\(cpu.vendor), \(cpu.vectorExtension) (\(cpu.vectorFlags.isEmpty ? "no AVX" : cpu.vectorFlags.joined(separator: " ")))"
  }

  /// Which build runs (the portable one, or one `make release` tuned for this CPU) and, for the
  /// portable one, whether a tuned build could run here.
  private func binaryLine(_ cpu: CPUFeatures?) -> String {
    if builtForVectorExtension > .sse { return "tuned for \(builtForVectorExtension) (make release)" }
    let level = cpu?.vectorExtension ?? .sse
    guard level >= .avx2 else { return "portable x86-64 (SSE2); this CPU has no AVX2 to tune for" }
    return "portable x86-64 (SSE2): no tuned build beside it; `make release` builds one for \(level)"
  }

  private func detectedLine(_ linkage: Linkage) -> String {
    guard let detected = linkage.detectedCore else { return "not run (OPENBLAS_CORETYPE set by the user)" }
    guard let cpu = linkage.cpu else { return detected }
    return OpenBLASCore.isFallback(detected, on: cpu) ? "\(detected) (generic fallback)" : detected
  }

  private func choiceText(_ choice: OpenBLASCoreChoice) -> String {
    switch choice {
    case .detected: return "as detected"
    case .corrected: return "corrected (restarted with \(OpenBLASCoreSelection.coreTypeVariable) set)"
    case .userSet(let value): return "set by the user (\(OpenBLASCoreSelection.coreTypeVariable)=\(value))"
    }
  }

  private func coreCheck(_ linkage: Linkage) -> String {
    guard linkage.runsFallbackCore, let cpu = linkage.cpu, let core = linkage.recommendedCore,
          let kernels = OpenBLASCore.vectorExtension(ofCore: linkage.openBLASCore) else {
      if case .corrected(let detected) = linkage.coreChoice { return "ok (corrected from the generic \(detected))" }
      return "ok"
    }
    let variable = OpenBLASCoreSelection.coreTypeVariable
    let remedy = if case .userSet = linkage.coreChoice { "unset \(variable) or set it to \(core)" } else { "start with \(variable)=\(core)" }
    return "WARNING: OpenBLAS runs the generic \(linkage.openBLASCore) core (\(kernels) kernels) on this \(cpu.vectorExtension) CPU:"
      + " matrix products run up to several times slower than on \(core) (\(remedy))"
  }
}
