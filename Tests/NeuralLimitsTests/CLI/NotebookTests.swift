import Foundation
import Testing

/// Every notebook in `Notebooks/` runs at its reduced size (`SMOKE=1`) with the binary beside the
/// test runner, so none can rot unnoticed.
@Suite("Notebooks at smoke size")
struct NotebookTests {
  static let notebooks = ((try? FileManager.default.contentsOfDirectory(atPath: repositoryRoot.appendingPathComponent("Notebooks").path)) ?? [])
    .filter { $0.hasSuffix(".sh") }.sorted()

  /// Each notebook, and a line its output must contain.
  static let expected = [
    "hayou2021_stable_resnet.sh": "| decreasing | 3 | 2.7",
    "he2020_bayesian_ensembles.sh": "| ntkgp | 5 | 0.1806 |",
    "he2023_deep_transformers.sh": "| attention(q_std=0, causal=true) | 1 | 0.695984 |",
    "he2023_simplified_blocks.sh": "| 2 | 0.00628758 |",
    "noci2023_shaped_transformer.sh": "| 0.25 |",
    "zhang2022_tat_shaping.sh": "| 0.9 | 20 | 0.1813802775 |",
  ]

  @Test("Notebooks/ holds the notebooks this suite knows")
  func known() {
    #expect(NotebookTests.notebooks == NotebookTests.expected.keys.sorted())
  }

  @Test("A notebook runs at smoke size and prints its results", arguments: notebooks)
  func notebook(_ name: String) throws {
    let tool = try CommandLineTool()
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = [repositoryRoot.appendingPathComponent("Notebooks/" + name).path]
    process.currentDirectoryURL = repositoryRoot
    process.environment = ProcessInfo.processInfo.environment.merging(["SMOKE": "1", "NEURAL_LIMITS": tool.path]) { $1 }
    // Standard error to a file: a pipe read only after standard output could fill and block.
    let errorsPath = temporaryFolder() + "/stderr"
    _ = FileManager.default.createFile(atPath: errorsPath, contents: nil)
    let output = Pipe()
    process.standardOutput = output
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorsPath))
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    let errorText = (try? String(contentsOfFile: errorsPath, encoding: .utf8)) ?? ""
    #expect(process.terminationStatus == 0, "\(errorText)")
    #expect(text.contains(NotebookTests.expected[name] ?? "\u{0}"), "\(text)")
  }
}
