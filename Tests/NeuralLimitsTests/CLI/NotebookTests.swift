import Foundation
import Testing

/// Every notebook runs at its reduced size (`SMOKE=1`) with the binary beside the test runner, so
/// none can rot unnoticed.
@Suite("Notebooks at smoke size")
struct NotebookTests {
  @Test("Notebooks/noci2023_shaped_transformer.sh runs and prints its summary")
  func shapedTransformer() throws {
    let tool = try CommandLineTool()
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = [repositoryRoot.appendingPathComponent("Notebooks/noci2023_shaped_transformer.sh").path]
    process.currentDirectoryURL = repositoryRoot
    process.environment = ProcessInfo.processInfo.environment.merging(["SMOKE": "1", "NEURAL_LIMITS": tool.path]) { $1 }
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    #expect(text.split(separator: "\n").filter { $0.hasPrefix("| 0.") || $0.hasPrefix("| 1 ") }.count == 4, "\(text)")
  }
}
