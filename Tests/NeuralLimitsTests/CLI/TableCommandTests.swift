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

  /// The stored rows' files (hidden temporary files left out).
  func storedRows(_ folder: String) -> [String] {
    files(folder).filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }
  }

  @Test("Killed halfway (SIGTERM or SIGKILL), a rerun computes only the missing rows; --force computes all, the same bytes",
        arguments: [SIGTERM, SIGKILL])
  func resumed(_ signal: Int32) throws {
    let tool = try CommandLineTool()
    let folder = temporaryFolder()
    try TableCommandTests.config.write(toFile: folder + "/sweep.yaml", atomically: true, encoding: .utf8)
    let rows = folder + "/out/.rows/sweep"
    let arguments = ["table", "--config", folder + "/sweep.yaml", "--out", folder + "/out"]
    let pid = try tool.start(arguments, stdout: "/dev/null", stderr: "/dev/null")
    let started = Date()
    while storedRows(rows).count < 4 && Date().timeIntervalSince(started) < 60 {
      usleep(2_000)
    }
    kill(pid, signal)
    let termination = CommandLineTool.wait(pid, timeout: 5)
    try #require(termination == (signal == SIGTERM ? .exited(143) : .signaled(SIGKILL)),
                 "the run ended before it could be interrupted: \(String(describing: termination))")
    let kept = storedRows(rows)
    if signal == SIGTERM { #expect(!files(rows).contains { $0.hasPrefix(".") }, "temporary files left: \(files(rows))") }
    #expect(kept.count >= 4 && kept.count < 8, "\(kept)")
    #expect(files(folder + "/out") == [".rows"], "a table was written by the interrupted run")
    let before = kept.map { identity(rows + "/" + $0) }

    let (rerun, stderr) = try tool.run(arguments, timeout: 120)
    try #require(rerun == .exited(0), "\(stderr)")
    #expect(stderr.contains("8 rows, \(8 - kept.count) computed, \(kept.count) reused"), "\(stderr)")
    #expect(kept.map { identity(rows + "/" + $0) } == before, "a stored row was computed again")
    #expect(storedRows(rows).count == 8)
    #expect(files(folder + "/out") == [".rows", "sweep.csv", "sweep.json", "sweep.md", "sweep.tex"])
    /// The tables without the lines naming the command line (which --force changes).
    func tables() throws -> [[Substring]] {
      try ["csv", "json", "md", "tex"].map {
        try String(contentsOfFile: folder + "/out/sweep." + $0, encoding: .utf8).split(separator: "\n").filter { !$0.contains("neural-limits table") }
      }
    }
    let resumedTables = try tables()

    // --force recomputes every row (each file replaced) and, the seeds being the same, writes
    // the same tables byte for byte: the rows are deterministic for a seed.
    let stored = storedRows(rows).map { identity(rows + "/" + $0) }
    let (forced, forcedErrors) = try tool.run(arguments + ["--force"], timeout: 120)
    try #require(forced == .exited(0), "\(forcedErrors)")
    #expect(forcedErrors.contains("8 rows, 8 computed, 0 reused"), "\(forcedErrors)")
    #expect(zip(storedRows(rows).map { identity(rows + "/" + $0) }, stored).allSatisfy { $0 != $1 }, "a row was not recomputed")
    #expect(try tables() == resumedTables)
  }

  @Test("The tables: header with command line, version and seeds; CSV with seeds and _se columns; booktabs; JSON")
  func formats() throws {
    let folder = temporaryFolder()
    try TableCommandTests.config.replacingOccurrences(of: "depth: [2, 4, 6, 8]", with: "depth: [2]")
      .write(toFile: folder + "/sweep.yaml", atomically: true, encoding: .utf8)
    let (termination, stderr) = try CommandLineTool().run(["table", "--config", folder + "/sweep.yaml", "--out", folder, "--quiet"])
    try #require(termination == .exited(0), "\(stderr)")
    func read(_ ext: String) throws -> String { try String(contentsOfFile: folder + "/sweep." + ext, encoding: .utf8) }
    let seeds = (0..<2).map { RandomStream.mix(3, UInt64($0)) }
    let command = "neural-limits table --config \(folder)/sweep.yaml --out \(folder) --quiet"
    let markdown = try read("md")
    #expect(markdown.contains("- command: \(command)\n") && markdown.contains("- neural-limits \(neuralLimitsVersion); configuration ")
      && markdown.contains("- seed 3; row k (from 0) uses seed SplitMix64(3, k)"), "\(markdown)")
    #expect(markdown.contains("| depth | width | nngp.rel_error | nngp.simulation[0,1] | ntk.simulation_correlation[0,1] | verdict |"))
    #expect(markdown.contains(" ± "))
    let csv = try read("csv").split(separator: "\n")
    #expect(csv.first == "# command: \(command)")
    let titles = try #require(csv.first { !$0.hasPrefix("#") })
    #expect(titles == "depth,width,seed,nngp.rel_error,\"nngp.simulation[0,1]\",\"nngp.simulation[0,1]_se\","
      + "\"ntk.simulation_correlation[0,1]\",\"ntk.simulation_correlation[0,1]_se\",verdict")
    #expect(csv.suffix(2).map { $0.split(separator: ",")[2] } == seeds.map { "\($0)"[...] }, "\(csv)")
    let latex = try read("tex")
    #expect(latex.hasPrefix("% command: \(command)\n"))
    for needle in ["\\begin{tabular}{rrrrrl}", "\\toprule", "\\midrule", "\\bottomrule", "\\pm", "\\texttt{nngp.rel\\_error}"] {
      #expect(latex.contains(needle), "\(needle)")
    }
    let json = try #require(JSONSerialization.jsonObject(with: Data(try read("json").utf8)) as? [String: Any])
    #expect(json["command_line"] as? String == command && json["version"] as? String == neuralLimitsVersion && json["seed"] as? String == "3")
    let jsonRows = try #require(json["rows"] as? [[String: Any]])
    #expect(jsonRows.count == 2 && jsonRows.map { $0["seed"] as? String } == seeds.map { "\($0)" })
    let estimate = try #require(jsonRows[0]["nngp.simulation[0,1]"] as? [String: Any])
    #expect(estimate["value"] is NSNumber && estimate["se"] is NSNumber && jsonRows[0]["verdict"] is String)
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
