import Foundation
import Testing

/// `compare --plot`: the figure, with its data and script beside it; a clear error without gnuplot.
@Suite("neural-limits compare --plot", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/gnuplot")))
struct PlotCommandTests {
  static let arch = ["--arch", "(dense -> relu) * 2 -> dense"]

  @Test("A width sweep: error against width on log axes with the fitted a + b/n; the script redraws from its folder")
  func sweep() throws {
    let folder = temporaryFolder()
    let (termination, stderr) = try CommandLineTool().run(["compare"] + PlotCommandTests.arch
      + ["--widths", "32,64", "--samples", "8", "--quiet", "--plot", folder + "/sweep.svg"])
    try #require(termination == .exited(0), "\(stderr)")
    #expect(try String(contentsOfFile: folder + "/sweep.svg", encoding: .utf8).contains("<svg"))
    let script = try String(contentsOfFile: folder + "/sweep.svg.gp", encoding: .utf8)
    #expect(script.contains("set output 'sweep.svg'") && script.contains("'sweep.svg.dat' index 0"), "\(script)")
    #expect(script.contains("set logscale xy") && script.contains("fit a + b/n") && script.contains("set xlabel 'width n'"))
    #expect(try String(contentsOfFile: folder + "/sweep.svg.dat", encoding: .utf8).contains("# nngp: width rel_frobenius_error"))
  }

  @Test("One width: entries against the theory with error bars, as PNG")
  func entries() throws {
    let folder = temporaryFolder()
    let (termination, stderr) = try CommandLineTool().run(["compare"] + PlotCommandTests.arch
      + ["--width", "32", "--samples", "8", "--quiet", "--plot", folder + "/entries.png"])
    try #require(termination == .exited(0), "\(stderr)")
    let png = try #require(FileManager.default.contents(atPath: folder + "/entries.png"))
    #expect(png.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
    #expect(try String(contentsOfFile: folder + "/entries.png.gp", encoding: .utf8).contains("yerrorbars"))
  }

  @Test("Without gnuplot on PATH: one line saying so, exit 2, the data and script written, no figure")
  func missingGnuplot() throws {
    let folder = temporaryFolder()
    let (termination, stderr) = try CommandLineTool().run(["compare"] + PlotCommandTests.arch
      + ["--width", "32", "--samples", "8", "--quiet", "--plot", folder + "/f.svg"], environment: ["PATH=/nonexistent"])
    #expect(termination == .exited(2))
    #expect(stderr.hasPrefix("neural-limits: ") && stderr.contains("gnuplot is not installed (Debian: apt install gnuplot-nox)")
      && stderr.split(separator: "\n").count == 1, "\(stderr)")
    #expect(FileManager.default.fileExists(atPath: folder + "/f.svg.dat") && FileManager.default.fileExists(atPath: folder + "/f.svg.gp"))
    #expect(!FileManager.default.fileExists(atPath: folder + "/f.svg"))
  }
}

