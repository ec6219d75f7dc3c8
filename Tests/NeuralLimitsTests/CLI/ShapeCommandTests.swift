import Foundation
import Testing

@Suite("neural-limits shape")
struct ShapeCommandTests {
  @Test("JSON keys as dks names them, for TAT and DKS")
  func keys() throws {
    let tool = try CommandLineTool()
    for (arguments, keys) in [(["--method", "tat", "--depth", "20"], ["negative_slope", "output_scale", "eta"]),
                              (["--method", "dks", "--activation", "erf", "--depth", "10", "--zeta", "2"],
                               ["input_scale", "input_shift", "output_shift", "output_scale", "zeta"])] {
      let out = temporaryFolder() + "/shape.json"
      let (termination, stderr) = try tool.run(["shape"] + arguments, stdout: out)
      #expect(termination == .exited(0), "\(stderr)")
      let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as! [String: Any]
      for key in keys { #expect(json[key] is Double, "\(key) in \(json)") }
    }
  }

  @Test("Errors: one line, exit 2", arguments: [
    ["--method", "tat", "--depth", "5"], ["--method", "tat", "--depth", "50", "--eta", "1.5"],
    ["--method", "dks", "--activation", "relu", "--depth", "5"], ["--method", "foo", "--depth", "5"],
    ["--method", "tat"], ["--method", "tat", "--arch", "dense(b_std=0.1) -> relu"],
  ])
  func errors(_ arguments: [String]) throws {
    let (termination, stderr) = try CommandLineTool().run(["shape"] + arguments)
    #expect(termination == .exited(2))
    #expect(stderr.split(separator: "\n").count == 1, "\(stderr)")
  }
}
