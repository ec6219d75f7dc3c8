import ArgumentParser
import Foundation
import NeuralLimits

/// How results are written.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case json, csv, npy, table
}

/// Writes named matrices in `format`, to standard output or atomically under `out` (csv and npy
/// write one file per matrix, replaced together); a quadrature error estimate goes into JSON and
/// tables (and to standard error otherwise).
func write(_ named: [(String, Matrix)], format: OutputFormat, out: String?, quadratureErrorEstimate: Double?) throws {
  let note = quadratureErrorEstimate.map { String(format: "quadrature error estimate: %.2e relative (largest bound of any quadrature layer entry)", $0) }
  switch format {
  case .json:
    var members = named.map { ($0.0, JSONValue.matrix($0.1)) }
    if let quadratureErrorEstimate { members.append(("quadrature_error_estimate", .number(quadratureErrorEstimate))) }
    var json = JSONValue.object(members).serializedData(pretty: true)
    json.append(contentsOf: "\n".utf8)
    try emit(json, to: out)
  case .table:
    try emit(Data((named.map { "\($0.0):\n" + table($0.1) }.joined(separator: "\n") + (note.map { "\n\($0)\n" } ?? "")).utf8), to: out)
  case .csv:
    if let note { FileHandle.standardError.write(Data("neural-limits: \(note)\n".utf8)) }
    if let out {
      try makeFolder(out)
      try AtomicFile.write(named.map { (path: out + "/\($0.0).csv", data: CSV.encode($0.1)) })
    } else {
      var sections = Data()
      for (name, m) in named {
        sections.append(contentsOf: "# \(name)\n".utf8)
        sections.append(CSV.encode(m))
      }
      try StandardOutput.write(sections)
    }
  case .npy:
    if let note { FileHandle.standardError.write(Data("neural-limits: \(note)\n".utf8)) }
    guard let out else { throw NeuralLimitsError.invalidArgument("--format npy needs --out DIR") }
    try makeFolder(out)
    try NPY.write(named.map { (path: out + "/\($0.0).npy", matrix: $0.1) })
  }
}

/// Bytes to standard output, or atomically to a file.
func emit(_ data: Data, to path: String?) throws {
  if let path { try AtomicFile.write(data, to: path) } else { try StandardOutput.write(data) }
}

func makeFolder(_ path: String) throws {
  do {
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  } catch {
    throw NeuralLimitsError.io("cannot create folder \(path): \(error.localizedDescription)")
  }
}

/// Aligned columns with 6 significant digits.
func table(_ m: Matrix) -> String {
  (0..<m.rows).map { i in
    m.row(i).map { String(format: "%12.6g", $0) }.joined(separator: " ")
  }.joined(separator: "\n") + "\n"
}
