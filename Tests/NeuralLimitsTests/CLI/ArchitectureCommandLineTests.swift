import Foundation
import Testing

/// The architecture language through the command-line tool: every hostile specification of the
/// issue that once crashed (stack overflow, SIGABRT, heap corruption) or hung ends with one line
/// on standard error, exit code 2, nothing on standard output, within seconds.
@Suite("Hostile architectures through the command-line tool")
struct ArchitectureCommandLineTests {
  static let specs = [
    String(repeating: "(", count: 30_000) + "dense" + String(repeating: ")", count: 30_000),
    String(repeating: "residual(", count: 12_000) + "dense" + String(repeating: ")", count: 12_000),
    "(dense) * 99999999999", "(dense) * 100000000",
    "(residual(relu -> dense, scale=0.5)) * 9223372036854775807", "((dense -> relu) * 100000) * 100000",
    "(dense -> relu) * 4611686018427387904", "dense -> \u{0}relu", "dense(w_std=1e999)", "",
  ]

  @Test("One line on stderr, exit 2, empty stdout, in under 10 s", arguments: 0..<specs.count)
  func refused(_ index: Int) throws {
    let tool = try CommandLineTool()
    let folder = temporaryFolder()
    let x = folder + "/x.csv", out = folder + "/stdout"
    _ = FileManager.default.createFile(atPath: x, contents: Data("1,2\n3,4\n".utf8))
    let start = Date()
    let (termination, stderr) = try tool.run(["kernel", "--arch", ArchitectureCommandLineTests.specs[index], "--x", x],
                                             stdout: out, timeout: 10)
    #expect(termination == .exited(2), "ended \(String(describing: termination)) after \(Date().timeIntervalSince(start)) s")
    #expect(stderr.hasPrefix("neural-limits: ") && stderr.filter { $0 == "\n" }.count == 1, "\(stderr.prefix(300))")
    #expect((try? Data(contentsOf: URL(fileURLWithPath: out)))?.isEmpty ?? true)
  }

  @Test("30 nested brackets (which once hung: exponential time) give a kernel in under 5 s")
  func nested() throws {
    let tool = try CommandLineTool()
    let x = temporaryFolder() + "/x.csv"
    _ = FileManager.default.createFile(atPath: x, contents: Data("1,2\n3,4\n".utf8))
    let spec = String(repeating: "(", count: 30) + "dense" + String(repeating: ")", count: 30) + " -> relu -> dense"
    let (termination, stderr) = try tool.run(["kernel", "--arch", spec, "--x", x], timeout: 5)
    #expect(termination == .exited(0), "\(stderr)")
  }
}
