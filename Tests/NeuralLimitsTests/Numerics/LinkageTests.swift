import Foundation
import Testing
@testable import NeuralLimits

@Test("cblas_dgemm binds to OpenBLAS, not GSL's reference gslcblas")
func blasIsOpenBLAS() {
  let linkage = Linkage.current()
  #expect(linkage.usesOpenBLAS, "cblas_dgemm comes from \(linkage.cblasProvider)")
  #expect(linkage.gslVersion.hasPrefix("2."))
}

/// The lines of `neural-limits doctor`, by label (`"OpenBLAS core"` → `"SkylakeX, 2 thread(s), …"`),
/// from the CLI built beside the test runner.
func doctorReport() throws -> [String: String] {
  let folder = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).deletingLastPathComponent()
  let binary = folder.appendingPathComponent("neural-limits").path
  try #require(FileManager.default.isExecutableFile(atPath: binary), "no CLI at \(binary): run swift build --build-tests")
  let process = Process()
  process.executableURL = URL(fileURLWithPath: binary)
  process.arguments = ["doctor"]
  let output = Pipe()
  process.standardOutput = output
  try process.run()
  let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
  process.waitUntilExit()
  try #require(process.terminationStatus == 0, "neural-limits doctor exited with \(process.terminationStatus)")
  var report: [String: String] = [:]
  for line in text.split(separator: "\n") {
    guard let colon = line.firstIndex(of: ":") else { continue }
    report[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
  }
  return report
}

@Test("neural-limits doctor: cblas_dgemm still binds to OpenBLAS after the CLI's start-up")
func doctorBindsOpenBLAS() throws {
  let report = try doctorReport()
  #expect(report["cblas_dgemm bound to"]?.contains("openblas") == true, "\(report)")
  #expect(report["BLAS check"]?.hasPrefix("ok") == true, "\(report)")
}

@Test("neural-limits doctor runs a core fit for this CPU, restarting once where OpenBLAS falls back")
func doctorCoreFitsCPU() throws {
  let report = try doctorReport()
  let core = try #require(report["OpenBLAS core"]?.split(separator: ",").first.map(String.init), "\(report)")
  // This test process never restarts: its core is OpenBLAS's own detection.
  let own = Linkage.current()
  if let forced = ProcessInfo.processInfo.environment[OpenBLASCoreSelection.coreTypeVariable] {
    #expect(report["OpenBLAS core"]?.hasSuffix("set by the user (OPENBLAS_CORETYPE=\(forced))") == true, "\(report)")
  } else if let cpu = own.cpu, OpenBLASCore.isFallback(own.openBLASCore, on: cpu) {
    #expect(core == OpenBLASCore.recommended(for: cpu))
    #expect(!OpenBLASCore.isFallback(core, on: cpu))
    #expect(report["OpenBLAS detected"] == "\(own.openBLASCore) (generic fallback)")
    #expect(report["Core check"] == "ok (corrected from the generic \(own.openBLASCore))")
  } else {
    #expect(core == own.openBLASCore)
    #expect(report["Core check"] == "ok")
  }
}
