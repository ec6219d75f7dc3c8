import Foundation
import Testing

/// `signalprop --causal` and `--plot`.
@Suite("neural-limits signalprop --causal, --plot")
struct SignalPropCommandTests {
  @Test("--causal masks every attention layer: the same profile as writing causal=true on each")
  func causal() throws {
    let folder = temporaryFolder()
    let tool = try CommandLineTool()
    for (name, arguments) in [("flag", ["--arch", "(attention(q_std=0) -> dense -> relu -> dense) * 3", "--causal"]),
                              ("written", ["--arch", "(attention(q_std=0, causal=true) -> dense -> relu -> dense) * 3"])] {
      let (termination, stderr) = try tool.run(["signalprop", "--tokens", "4", "--format", "csv", "--out", "\(folder)/\(name).csv"]
        + arguments)
      try #require(termination == .exited(0), "\(stderr)")
    }
    let flag = try String(contentsOfFile: folder + "/flag.csv", encoding: .utf8)
    #expect(flag == (try String(contentsOfFile: folder + "/written.csv", encoding: .utf8)))
    // Uniform-causal attention from Σ₀ = I: the diagonal 1, 1/2, 1/3, 1/4 after the first layer.
    #expect(flag.split(separator: "\n")[1].hasSuffix(",1,0.5,0.333333,0.25"), "\(flag)")
  }

  @Test("--plot: correlation and effective rank against depth, theory lines and simulated points with error bars",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/gnuplot")))
  func plot() throws {
    let folder = temporaryFolder()
    let (termination, stderr) = try CommandLineTool().run(["signalprop", "--arch", "(uspa(rho_final=0.5) -> dense) * 3",
      "--tokens", "4", "--simulate", "--width", "16", "--samples", "4", "--plot", folder + "/p.svg"])
    try #require(termination == .exited(0), "\(stderr)")
    #expect(try String(contentsOfFile: folder + "/p.svg", encoding: .utf8).contains("<svg"))
    let script = try String(contentsOfFile: folder + "/p.svg.gp", encoding: .utf8)
    #expect(script.contains("yerrorbars") && script.contains("effective rank") && script.contains("uspa(rho\\_final=0.5)"))
    #expect(try String(contentsOfFile: folder + "/p.svg.dat", encoding: .utf8).split(separator: "\n").count == 7)
  }

  @Test("A bad --plot extension is refused before any work: one line, exit 2")
  func badExtension() throws {
    let (termination, stderr) = try CommandLineTool().run(["signalprop", "--arch", "dense", "--tokens", "2", "--plot", "x.jpg"])
    #expect(termination == .exited(2) && stderr.split(separator: "\n").count == 1 && stderr.contains(".svg, .png or .pdf"))
  }
}
