import Foundation
import Testing
@testable import NeuralLimits

@Suite("neural-limits sde")
struct SDECommandTests {
  @Test("Bad settings: one line on stderr, exit 2", arguments: [
    ["--model", "shaped-resnet", "--gamma", "1.5"], ["--model", "shaped-mlp", "--tokens", "1"],
    ["--model", "shaped-mlp", "--dt", "0"], ["--model", "shaped-mlp", "--T", "-1"], ["--model", "shaped-mlp", "--T", "nan"],
    ["--model", "shaped-attention", "--tau0", "0"], ["--model", "shaped-mlp", "--rho0", "1"],
    ["--model", "shaped-mlp", "--tokens", "4", "--rho0", "-0.5"], ["--model", "shaped-mlp", "--paths", "0"],
    ["--model", "shaped-mlp", "--simulate", "--width", "1", "--tokens", "3"],
    ["--model", "shaped-mlp", "--simulate", "--width", "400000000000"], ["--model", "transformer"],
    ["--model", "shaped-mlp", "--plot", "figure.jpg"], ["--model", "shaped-mlp", "--dt", "2", "--T", "1"],
  ])
  func refused(_ arguments: [String]) throws {
    // Few paths, so that a setting wrongly accepted ends quickly rather than hanging the suite.
    let paths = arguments.contains("--paths") ? [] : ["--paths", "20"]
    let (termination, stderr) = try CommandLineTool().run(["sde"] + arguments + paths + ["--quiet"], timeout: 30)
    #expect(termination == .exited(2), "\(arguments): \(String(describing: termination))")
    #expect(stderr.hasPrefix("neural-limits: ") && stderr.filter { $0 == "\n" }.count == 1, "\(stderr)")
  }

  @Test("A small run writes JSON with a verdict and P × m × m / S × m × m arrays")
  func run() throws {
    let folder = temporaryFolder()
    let (termination, stderr) = try CommandLineTool().run(
      ["sde", "--model", "shaped-transformer", "--tokens", "3", "--T", "0.2", "--paths", "40", "--simulate", "--width", "30",
       "--samples", "30", "--format", "json", "--out", folder + "/report.json", "--dump-final", folder + "/final"], timeout: 60)
    try #require(termination == .exited(0), "\(stderr)")
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/report.json"))) as! [String: Any]
    #expect(["agree", "disagree"].contains(json["verdict"] as? String))
    for (name, count) in [("sde", 40), ("network", 30)] {
      let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/final/\(name).npy"))
      let header = try data.withUnsafeBytes { try NPYHeader($0, name: name) }
      #expect(header.shape == [count - ((json["stopping_times"] as? [Any])?.count ?? 0) * (name == "sde" ? 1 : 0), 3, 3])
    }
  }
}
