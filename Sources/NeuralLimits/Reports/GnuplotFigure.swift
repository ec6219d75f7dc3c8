import Foundation

/// A figure drawn by gnuplot (Debian's `gnuplot-nox`). The data and the script are written beside
/// the figure — `FIGURE.dat` and `FIGURE.gp` — so that it can be restyled and redrawn with
/// `gnuplot FIGURE.gp` run in the figure's folder (the script names its files without a folder);
/// the terminal follows the figure's extension (`.svg`, `.png`, `.pdf`). Every file is written
/// atomically; the figure is drawn to a temporary name and renamed.
public enum GnuplotFigure {
  /// `script` plots from the data file, called `'DATA'` in it (replaced by the data file's path);
  /// the terminal and output lines are prepended here.
  public static func render(to path: String, data: String, script: String, size: (Int, Int) = (1000, 450)) throws {
    let terminal = try terminalCheck(path, size: size)
    let dataPath = path + ".dat", scriptPath = path + ".gp"
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent().path, name = url.lastPathComponent
    let drawingName = ".\(name).drawing-\(getpid())", drawing = folder + "/" + drawingName
    func quoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }
    let body = script.replacingOccurrences(of: "'DATA'", with: quoted(name + ".dat"))
    let full = "set terminal \(terminal)\nset output \(quoted(name))\n\(body)\n"
    try AtomicFile.write([(path: dataPath, data: Data(data.utf8)), (path: scriptPath, data: Data(full.utf8))])
    // Draw into a temporary file first, so a failed or interrupted run leaves no partial figure.
    let drawingScript = "set terminal \(terminal)\nset output \(quoted(drawingName))\n\(body)\nset output\n"
    // gnuplot is looked up on PATH first: started through a missing program, the script's
    // write into the pipe could meet a closed reader and raise SIGPIPE. Standard error is read
    // to its end before waiting, so a flood of warnings cannot fill that pipe and block both.
    guard let gnuplot = GnuplotFigure.executable() else {
      throw NeuralLimitsError.io("gnuplot is not installed (Debian: apt install gnuplot-nox); the data and script are in \(dataPath), \(scriptPath)")
    }
    let process = Process()
    process.currentDirectoryURL = URL(fileURLWithPath: folder)
    process.executableURL = URL(fileURLWithPath: gnuplot)
    let input = Pipe(), errors = Pipe()
    process.standardInput = input
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    do {
      try process.run()
    } catch {
      throw NeuralLimitsError.io("cannot run \(gnuplot): \(error.localizedDescription); the data and script are in \(dataPath), \(scriptPath)")
    }
    input.fileHandleForWriting.write(Data(drawingScript.utf8))
    try? input.fileHandleForWriting.close()
    let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      unlink(drawing)
      let first = message.split(separator: "\n").first.map(String.init) ?? "exit status \(process.terminationStatus)"
      throw NeuralLimitsError.io("gnuplot failed drawing \(path): \(first)")
    }
    guard rename(drawing, path) == 0 else {
      unlink(drawing)
      throw NeuralLimitsError.io("cannot write \(path): \(String(cString: strerror(errno)))")
    }
  }

  /// The first executable `gnuplot` in a folder of `PATH`, or nil.
  static func executable() -> String? {
    let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    return folders.map { "\($0)/gnuplot" }.first { FileManager.default.isExecutableFile(atPath: $0) }
  }

  /// The gnuplot terminal for the figure's extension; throws for any other extension (so that a
  /// command can refuse a bad `--plot` before it computes anything).
  @discardableResult
  public static func terminalCheck(_ path: String, size: (Int, Int) = (1000, 450)) throws -> String {
    switch URL(fileURLWithPath: path).pathExtension.lowercased() {
    case "svg": return "svg size \(size.0),\(size.1) dynamic enhanced font 'Helvetica,12' background rgb 'white'"
    case "png": return "pngcairo size \(size.0),\(size.1) enhanced font 'Helvetica,11'"
    case "pdf": return "pdfcairo size \(Double(size.0) / 100),\(Double(size.1) / 100) enhanced font 'Helvetica,9'"
    default: throw NeuralLimitsError.invalidArgument("--plot takes a .svg, .png or .pdf file, got \(path)")
    }
  }
}
