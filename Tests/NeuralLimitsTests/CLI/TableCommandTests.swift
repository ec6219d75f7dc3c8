import Foundation
import Testing
@testable import NeuralLimits

@Suite("neural-limits table")
struct TableCommandTests {
  /// Eight compare rows of a fraction of a second each (debug build).
  static let config = """
    name: sweep
    command: compare
    seed: 3
    parameters:
      arch: (dense -> relu) * {depth} -> dense
      samples: 32
    grid:
      depth: [2, 4, 6, 8]
      width: [128, 256]
    quantities: [nngp.rel_error, 'nngp.simulation[0,1]', 'ntk.simulation_correlation[0,1]', verdict]
    """

  func files(_ folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
  }

  /// Inode and modification time.
  func identity(_ path: String) -> [Int] {
    var s = stat()
    stat(path, &s)
    return [Int(s.st_ino), s.st_mtim.tv_sec, s.st_mtim.tv_nsec]
  }

  @Test("A bad configuration: one line naming the line and key, exit 2, nothing written")
  func refused() throws {
    let folder = temporaryFolder()
    try TableCommandTests.config.replacingOccurrences(of: "width: [128, 256]", with: "widht: [128, 256]")
      .write(toFile: folder + "/bad.yaml", atomically: true, encoding: .utf8)
    let (termination, stderr) = try CommandLineTool().run(["table", "--config", folder + "/bad.yaml", "--out", folder + "/out"])
    #expect(termination == .exited(2))
    #expect(stderr == "neural-limits: invalid argument: \(folder)/bad.yaml line 9, key 'grid.widht': unknown key: neither a parameter of compare "
      + "(arch, x, width, samples, readout) nor a {widht} in a template\n")
    #expect(!FileManager.default.fileExists(atPath: folder + "/out"))
  }

  @Test("Killed after its first rows, a rerun computes only the missing rows and writes what a fresh run writes")
  func resumed() throws {
    let tool = try CommandLineTool()
    let folder = temporaryFolder()
    try TableCommandTests.config.write(toFile: folder + "/sweep.yaml", atomically: true, encoding: .utf8)
    let rows = folder + "/out/.rows/sweep"
    let arguments = ["table", "--config", folder + "/sweep.yaml", "--out", folder + "/out"]
    let pid = try tool.start(arguments, stdout: "/dev/null", stderr: "/dev/null")
    let started = Date()
    while files(rows).filter({ $0.hasSuffix(".json") && !$0.hasPrefix(".") }).count < 2 && Date().timeIntervalSince(started) < 60 {
      usleep(2_000)
    }
    kill(pid, SIGTERM)
    let termination = CommandLineTool.wait(pid, timeout: 5)
    try #require(termination == .exited(143), "the run ended before it could be interrupted: \(String(describing: termination))")
    let kept = files(rows)
    #expect(!kept.contains { $0.hasPrefix(".") }, "temporary files left: \(kept)")
    #expect(kept.count >= 2 && kept.count < 8, "\(kept)")
    #expect(files(folder + "/out") == [".rows"], "a table was written by the interrupted run")
    let before = kept.map { identity(rows + "/" + $0) }

    let (rerun, stderr) = try tool.run(arguments, timeout: 120)
    try #require(rerun == .exited(0), "\(stderr)")
    #expect(stderr.contains("8 rows, \(8 - kept.count) computed, \(kept.count) reused"), "\(stderr)")
    #expect(kept.map { identity(rows + "/" + $0) } == before, "a stored row was computed again")
    #expect(files(rows).count == 8)
    #expect(files(folder + "/out") == [".rows", "sweep.csv", "sweep.json", "sweep.md", "sweep.tex"])

    // A fresh run elsewhere gives the same rows, bit for bit.
    let (fresh, freshErrors) = try tool.run(["table", "--config", folder + "/sweep.yaml", "--out", folder + "/fresh", "--force", "--quiet"],
                                            timeout: 120)
    try #require(fresh == .exited(0), "\(freshErrors)")
    func body(_ path: String) throws -> [Substring] {
      try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }
    }
    #expect(try body(folder + "/out/sweep.csv") == body(folder + "/fresh/sweep.csv"))
  }

  @Test("--plot draws a column against an axis with gnuplot, its data and script beside it",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/gnuplot")))
  func plot() throws {
    let folder = temporaryFolder()
    try """
      command: kernel
      parameters: {arch: 'dense -> (residual(relu -> dense(w_std=1.4), scale={scale})) * {depth} -> dense'}
      grid: {scale: ['1', 1/sqrt(L)], depth: [1, 10, 100]}
      quantities: ['nngp[0,0]', 'nngp.correlation[0,1]']
      """.write(toFile: folder + "/k.yaml", atomically: true, encoding: .utf8)
    let (termination, stderr) = try CommandLineTool().run(["table", "--config", folder + "/k.yaml", "--out", folder, "--quiet",
                                                           "--plot", folder + "/k.svg", "--plot-x", "depth", "--plot-y", "nngp[0,0]"])
    try #require(termination == .exited(0), "\(stderr)")
    let script = try String(contentsOfFile: folder + "/k.svg.gp", encoding: .utf8)
    #expect(script.contains("set logscale x") && script.contains("set logscale y") && script.contains("title \"scale=1/sqrt(L)\""))
    #expect(try String(contentsOfFile: folder + "/k.svg", encoding: .utf8).contains("<svg"))
    let (bad, badErrors) = try CommandLineTool().run(["table", "--config", folder + "/k.yaml", "--out", folder, "--plot", folder + "/k.svg",
                                                      "--plot-x", "scale"])
    #expect(bad == .exited(2) && badErrors.contains("--plot-x: axis scale has a value that is not a number"), "\(badErrors)")
  }

  @Test("--list names every command's parameters and quantities")
  func list() throws {
    let folder = temporaryFolder()
    let (termination, _) = try CommandLineTool().run(["table", "--list"], stdout: folder + "/list.txt")
    #expect(termination == .exited(0))
    let text = try String(contentsOfFile: folder + "/list.txt", encoding: .utf8)
    for needle in ["kernel:", "compare:", "sde:", "nngp.simulation[i,j] (± standard error)", "ks.rho_12.p"] {
      #expect(text.contains(needle), "\(needle)")
    }
  }
}
