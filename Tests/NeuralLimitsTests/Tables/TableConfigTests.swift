import Foundation
import Testing
@testable import NeuralLimits

/// Table configurations: what is refused before any work (with the line and key), and how a
/// grid becomes rows.
@Suite("Table configurations")
struct TableConfigTests {
  static let valid = """
    command: compare
    seed: 7
    parameters:
      arch: (dense -> relu) * {depth} -> dense
      samples: 4
    grid:
      depth: [1, 2]
      width: {from: 8, to: 32, factor: 2}
    quantities: [nngp.rel_error, 'nngp.simulation[0,1]', verdict]
    plots:
      - {file: f.svg, x: width, y: [nngp.rel_error]}
    """

  func plan(_ text: String, path: String = "t.yaml") throws -> TablePlan {
    try TablePlan(TableConfig(text: text, path: path, hash: FNV1a.hex(Array(text.utf8))))
  }

  @Test("A grid is the product of its axes, the first slowest; ranges expand; row k's seed is SplitMix64(seed, k)")
  func rows() throws {
    let p = try plan(TableConfigTests.valid)
    #expect(p.rows.map(\.axisValues) == [["1", "8"], ["1", "16"], ["1", "32"], ["2", "8"], ["2", "16"], ["2", "32"]])
    #expect(p.rows.map(\.seed) == (0..<6).map { RandomStream.mix(7, UInt64($0)) })
    #expect(p.rows[4].parameters.text("arch") == "(dense -> relu) * 2 -> dense")
    #expect(p.rows[4].parameters.integer("width") == 16 && p.rows[4].parameters.integer("samples") == 4)
    #expect(Set(p.rows.map(\.key)).count == 6)
    // The identity, and so the stored row, does not depend on the title or the plots.
    let retitled = try plan("title: another\n" + TableConfigTests.valid.replacingOccurrences(of: "f.svg", with: "g.png"))
    #expect(retitled.rows.map(\.key) == p.rows.map(\.key))
    #expect(try GridAxis.range(from: .init(text: "0.5", location: p.config.command.location), to: .init(text: "1", location: p.config.command.location),
                               step: .init(text: "0.1", location: p.config.command.location), factor: nil,
                               location: p.config.command.location).map(\.text) == ["0.5", "0.6", "0.7", "0.8", "0.9", "1.0"])
  }

  /// `(configuration, line, key)`: each refused with `t.yaml line LINE, key 'KEY'`.
  static let refusals: [(String, Int, String)] = [
    (valid + "\ncolour: red", 12, "colour"),
    (valid.replacingOccurrences(of: "  width: {from: 8, to: 32, factor: 2}", with: "  widht: [8, 16]"), 8, "grid.widht"),
    (valid.replacingOccurrences(of: "factor: 2", with: "step: 0"), 8, "grid.width.step"),
    (valid.replacingOccurrences(of: "factor: 2", with: "factor: 1"), 8, "grid.width.factor"),
    (valid.replacingOccurrences(of: "from: 8, to: 32", with: "from: 32, to: 8"), 8, "grid.width.to"),
    (valid.replacingOccurrences(of: "from: 8, to: 32, factor: 2", with: "from: 8, to: 32"), 8, "grid.width"),
    (valid.replacingOccurrences(of: "[1, 2]", with: "[1, 1]"), 7, "grid.depth[1]"),
    (valid.replacingOccurrences(of: "[nngp.rel_error,", with: "[nngp.rel_eror,"), 9, "quantities[0]"),
    (valid.replacingOccurrences(of: "nngp.simulation[0,1]", with: "nngp.simulation[0,8]"), 9, "quantities[1]"),
    (valid.replacingOccurrences(of: "nngp.simulation[0,1]", with: "nngp.simulation"), 9, "quantities[1]"),
    (valid.replacingOccurrences(of: "samples: 4", with: "samples: 1"), 5, "parameters.samples"),
    (valid.replacingOccurrences(of: "samples: 4", with: "sample: 4"), 5, "parameters.sample"),
    (valid.replacingOccurrences(of: "{depth}", with: "{layers}"), 4, "parameters.arch"),
    (valid.replacingOccurrences(of: "(dense -> relu)", with: "(dense -> rleu)"), 4, "parameters.arch"),
    (valid.replacingOccurrences(of: "{from: 8, to: 32, factor: 2}", with: "[0, 8]"), 8, "grid.width[0]"),
    (valid.replacingOccurrences(of: "command: compare", with: "command: comapre"), 1, "command"),
    (valid.replacingOccurrences(of: "x: width", with: "x: depht"), 11, "plots[0].x"),
    (valid.replacingOccurrences(of: "y: [nngp.rel_error]", with: "y: [verdict]"), 11, "plots[0].y"),
    (valid.replacingOccurrences(of: "f.svg", with: "f.jpg"), 11, "plots[0].file"),
    (valid.replacingOccurrences(of: "seed: 7", with: "seed: -7"), 2, "seed"),
  ]

  @Test("Refused before any work, naming the line and key", arguments: refusals)
  func refused(_ text: String, _ line: Int, _ key: String) {
    do {
      _ = try plan(text)
      Issue.record("accepted: \(text)")
    } catch {
      let message = "\(error)"
      #expect(message.contains("t.yaml line \(line), key '\(key)'"), "\(message)")
      #expect(!message.contains("\n"), "\(message)")
    }
  }

  @Test("JSON is read as YAML's subset, errors with lines too")
  func json() throws {
    let text = """
      {
        "command": "kernel",
        "parameters": {"arch": "dense -> relu -> dense"},
        "grid": {"width": [1, 2]},
        "quantities": ["nngp[0,0]", "ntk.correlation[0,1]"]
      }
      """
    #expect(try plan(text, path: "t.json").rows.count == 2)
    #expect(throws: NeuralLimitsError.invalidArgument("t.json line 5, key 'quantities[0]': unknown quantity 'nngp.diag' of kernel "
      + "(known: nngp[i,j], nngp.correlation[i,j], ntk[i,j], ntk.correlation[i,j])")) {
      try plan(text.replacingOccurrences(of: "nngp[0,0]", with: "nngp.diag"), path: "t.json")
    }
    #expect(throws: NeuralLimitsError.self) { try plan("{\"command\": \"kernel\",", path: "t.json") }
    do {
      _ = try plan("command: kernel\nquantities: [nngp[0,0]]\n")
      Issue.record("accepted an unquoted nngp[0,0] in a flow list")
    } catch {
      #expect("\(error)".contains("t.yaml: not valid YAML or JSON: 2:") && "\(error)".hasSuffix("quote names with brackets: 'nngp[0,1]')"), "\(error)")
    }
  }

  @Test("Kernel rows compute the evaluator's entries and correlations")
  func kernelRow() throws {
    let p = try plan("""
      command: kernel
      parameters: {arch: (dense(w_std=1.4) -> erf) * 3 -> dense}
      quantities: ['nngp[1,2]', 'ntk[3,3]', 'nngp.correlation[1,2]']
      """)
    let values = try p.rows[0].work.compute(seed: 0, progress: nil)
    let k = try ArchitectureParser.parse("(dense(w_std=1.4) -> erf) * 3 -> dense").kernels(DefaultInputs.spiral())
    #expect(values == [.number(k.nngp[1, 2]), .number(k.ntk![3, 3]), .number(k.nngp[1, 2] / (k.nngp[1, 1] * k.nngp[2, 2]).squareRoot())])
  }

  @Test("Rows computed in parallel equal each row computed alone from its seed; a failed row is named")
  func parallelRows() throws {
    let p = try plan(TableConfigTests.valid)
    let results = try p.run(output: temporaryFolder(), force: false)
    #expect(results.reused == 0)
    for (row, values) in zip(p.rows, results.values) {
      #expect(try row.work.compute(seed: row.seed, progress: nil) == values, "\(row.axisValues)")
    }
    let failing = try plan("""
      command: kernel
      parameters: {arch: 'dense -> (residual(relu -> dense(w_std=1.4), scale=1)) * {depth} -> dense'}
      grid: {depth: [1, 2000, 3]}
      quantities: ['nngp[0,0]']
      """)
    #expect {
      try failing.run(output: temporaryFolder(), force: false)
    } throws: { error in
      "\(error)".hasPrefix("invalid argument: row 2 (depth=2000): ") && "\(error)".contains("non-finite")
    }
  }

  @Test("Stored rows read back bit for bit")
  func storedRows() throws {
    let p = try plan(TableConfigTests.valid)
    let store = try RowStore(output: temporaryFolder(), name: "t")
    let random = RandomStream(seed: 5)
    for row in p.rows {
      let values: [QuantityValue] = [.number(random.gaussian() * 1e-300), .estimate(random.uniform(), standardError: .nan), .text("agree")]
      try store.save(row, values)
      let loaded = try #require(store.load(row, kinds: p.declarations.map(\.kind)))
      #expect(loaded[0].number?.bitPattern == values[0].number?.bitPattern && loaded[2] == values[2])
      guard case .estimate(let x, let se) = loaded[1], case .estimate(let x0, _) = values[1] else { Issue.record("\(loaded)"); continue }
      #expect(x.bitPattern == x0.bitPattern && se.isNaN)
    }
    // A file whose identity is another row's is not used.
    let moved = store.folder + "/\(p.rows[0].key).json"
    try FileManager.default.removeItem(atPath: moved)
    try FileManager.default.copyItem(atPath: store.folder + "/\(p.rows[1].key).json", toPath: moved)
    #expect(store.load(p.rows[0], kinds: p.declarations.map(\.kind)) == nil)
  }

  @Test("Quantity lists split at commas outside brackets")
  func lists() {
    #expect(QuantityName.split("nngp[0,1], ntk.rel_error,nngp.z[2, 3]") == ["nngp[0,1]", "ntk.rel_error", "nngp.z[2, 3]"])
  }

  @Test("Cells: value ± standard error to the error's second digit; LaTeX escaped")
  func formatting() {
    #expect(TableDocument.display(.estimate(2.66451, standardError: 0.01234)) == "2.665 ± 0.012")
    #expect(TableDocument.display(.estimate(7.8e29, standardError: 2.3e29)) == "7.8e+29 ± 2.3e+29")
    #expect(TableDocument.display(.estimate(0.5, standardError: 0)) == "0.5 ± 0")
    #expect(TableDocument.display(.number(0.1234567891)) == "0.123457")
    #expect(LaTeX.math("7.8e+29 ± 2.3e-05") == "7.8\\times10^{29} \\pm 2.3\\times10^{-5}")
    #expect(LaTeX.math("0.5 ± 0") == "0.5 \\pm 0" && LaTeX.math("nan") == "nan" && LaTeX.math("-inf") == "-inf")
    #expect(LaTeX.escape("nngp.rel_error {a} 50% & $x^2~#\\") == "nngp.rel\\_error \\{a\\} 50\\% \\& \\$x\\textasciicircum{}2\\textasciitilde{}\\#\\textbackslash{}")
  }
}
