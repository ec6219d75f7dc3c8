import Foundation
import Testing

@Suite("Standard output of the command-line tool")
struct StandardOutputTests {
  @Test("A failed write to standard output is an error (exit 2), not a silent success",
        .enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
  func fullDevice() throws {
    let tool = try CommandLineTool()
    let x = temporaryFolder() + "/x.csv"
    _ = FileManager.default.createFile(atPath: x, contents: Data("1,2\n3,4\n".utf8))
    for arguments in [["kernel", "--arch", "dense", "--x", x], ["kernel", "--arch", "dense", "--x", x, "--format", "csv"], ["layers"], ["doctor"]] {
      let (termination, stderr) = try tool.run(arguments, stdout: "/dev/full")
      #expect(termination == .exited(2), "\(arguments)")
      #expect(stderr == "neural-limits: cannot write to standard output: No space left on device\n", "\(arguments)")
    }
  }
}
