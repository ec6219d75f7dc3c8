import Foundation

/// A computed table written as Markdown, CSV, LaTeX (booktabs) and JSON, each with a header
/// giving the exact command line, the tool's version, the configuration's path and hash and the
/// seeds. Estimated quantities carry their standard errors (`value ± se`; in CSV a `_se`
/// column; in JSON `{"value", "se"}`). Nothing in the files depends on when or how fast the
/// rows were computed, so a resumed run writes the same bytes as an uninterrupted one.
public struct TableDocument: Sendable {
  public let results: TableResults
  /// The command line that made the table, as the user typed it (shell-quoted).
  public let commandLine: String

  public init(_ results: TableResults, commandLine: String) {
    self.results = results
    self.commandLine = commandLine
  }

  var plan: TablePlan { results.plan }
  var config: TableConfig { plan.config }
  var axes: [String] { config.grid.map(\.name) }
  var random: Bool { plan.provider.isRandom }

  /// Header lines, without any comment marker.
  var headerLines: [String] {
    var lines = [
      "command: \(commandLine)",
      "neural-limits \(neuralLimitsVersion); configuration \(config.path) (FNV-1a \(config.hash)); provider \(plan.provider.command)",
    ]
    if random {
      lines.append("seed \(config.seed); row k (from 0) uses seed SplitMix64(\(config.seed), k) (column seed of the CSV and JSON)")
    }
    if !config.parameters.isEmpty {
      lines.append("parameters: " + config.parameters.map { "\($0.name) = \($0.value.text)" }.joined(separator: "; "))
    }
    if plan.declarations.contains(where: { if case .estimated = $0.kind { return true }; return false }) {
      lines.append("estimates are value ± standard error (Monte Carlo)")
    }
    return lines
  }

  /// The column titles of the Markdown and LaTeX tables: the axes, the quantities (the seeds,
  /// 20-digit numbers given by the header's rule, are in the CSV and JSON).
  var columnTitles: [String] { axes + config.quantities.map(\.text) }

  /// A row's cells as display text.
  func displayCells(_ row: Int) -> [String] {
    plan.rows[row].axisValues + results.values[row].map(TableDocument.display)
  }

  /// `x` with 6 significant digits; `x ± se` with `x` to the precision of `se`'s second
  /// significant digit.
  static func display(_ value: QuantityValue) -> String {
    switch value {
    case .text(let text): return text
    case .number(let x): return String(format: "%.6g", x)
    case .estimate(let x, let se):
      guard x.isFinite, se.isFinite, se > 0 else { return String(format: "%.6g ± %.2g", x, se) }
      let seExponent = Int(floor(log10(se)))
      let decimals = 1 - seExponent
      if abs(x) < 1e5, decimals <= 8, decimals >= 0 {
        return String(format: "%.\(decimals)f ± %.\(decimals)f", x, se)
      }
      let digits = max(0, Int(floor(log10(max(abs(x), se)))) - seExponent + 1)
      return String(format: "%.\(digits)e ± %.1e", x, se)
    }
  }

  /// Whether a column holds numbers (right-aligned).
  func isNumeric(_ column: Int) -> Bool {
    if column < axes.count { return config.grid[column].values.allSatisfy { Double($0.text) != nil } }
    if case .text = plan.declarations[column - axes.count].kind { return false }
    return true
  }

  public func markdown() -> String {
    func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
    var out = "# \(config.title ?? config.name)\n\n" + headerLines.map { "- \($0)\n" }.joined() + "\n"
    out += "| " + columnTitles.map(cell).joined(separator: " | ") + " |\n"
    out += "|" + columnTitles.indices.map { isNumeric($0) ? "---:|" : "---|" }.joined() + "\n"
    for row in plan.rows.indices {
      out += "| " + displayCells(row).map(cell).joined(separator: " | ") + " |\n"
    }
    return out
  }

  /// Full precision (shortest round-tripping decimals); an estimated quantity `q` has a column
  /// `q_se` after it; the header as `#` lines.
  public func csv() -> String {
    func field(_ s: String) -> String {
      s.contains(where: { ",\"\n".contains($0) }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
    var titles = axes + (random ? ["seed"] : [])
    for (q, declaration) in zip(config.quantities, plan.declarations) {
      titles.append(q.text)
      if case .estimated = declaration.kind { titles.append(q.text + "_se") }
    }
    var out = headerLines.map { "# \($0)\n" }.joined() + titles.map(field).joined(separator: ",") + "\n"
    for (row, values) in zip(plan.rows, results.values) {
      var cells = row.axisValues + (random ? ["\(row.seed)"] : [])
      for value in values {
        switch value {
        case .number(let x): cells.append("\(x)")
        case .estimate(let x, let se): cells += ["\(x)", "\(se)"]
        case .text(let text): cells.append(text)
        }
      }
      out += cells.map(field).joined(separator: ",") + "\n"
    }
    return out
  }

  /// A `table` float with a booktabs `tabular`, the header as `%` comments.
  public func latex() -> String {
    let e = LaTeX.escape
    var out = headerLines.map { "% \($0)\n" }.joined()
    out += "\\begin{table}[t]\n\\centering\n\\caption{\(e(config.title ?? config.name))}\n\\label{tab:\(config.name)}\n"
    out += "\\begin{tabular}{" + columnTitles.indices.map { isNumeric($0) ? "r" : "l" }.joined() + "}\n\\toprule\n"
    out += columnTitles.map { "\\texttt{\(e($0))}" }.joined(separator: " & ") + " \\\\\n\\midrule\n"
    for row in plan.rows.indices {
      let cells = displayCells(row).enumerated().map { column, text in
        isNumeric(column) ? "$" + LaTeX.math(text) + "$" : e(text)
      }
      out += cells.joined(separator: " & ") + " \\\\\n"
    }
    return out + "\\bottomrule\n\\end{tabular}\n\\end{table}\n"
  }

  /// Everything, with full precision: the header's facts as members, then `rows`, each an
  /// object keyed by axis, `seed` and quantity (`{"value", "se"}` for estimates).
  public func json() -> JSONValue {
    func axisValue(_ text: String) -> JSONValue {
      if let n = Int(text) { return .integer(n) }
      if let x = Double(text) { return .number(x) }
      return .string(text)
    }
    let rows: [JSONValue] = zip(plan.rows, results.values).map { row, values in
      var members = zip(axes, row.axisValues).map { ($0, axisValue($1)) }
      if random { members.append(("seed", .string("\(row.seed)"))) }
      for (q, value) in zip(config.quantities, values) {
        switch value {
        case .number(let x): members.append((q.text, .number(x)))
        case .estimate(let x, let se): members.append((q.text, .object([("value", .number(x)), ("se", .number(se))])))
        case .text(let text): members.append((q.text, .string(text)))
        }
      }
      return .object(members)
    }
    return .object([
      ("name", .string(config.name)), ("title", config.title.map(JSONValue.string) ?? .null),
      ("command_line", .string(commandLine)), ("version", .string(neuralLimitsVersion)),
      ("config", .object([("path", .string(config.path)), ("fnv1a", .string(config.hash))])),
      ("command", .string(plan.provider.command)),
      ("seed", .string("\(config.seed)")), ("row_seed", .string(random ? "SplitMix64(seed, row index from 0)" : "none (deterministic)")),
      ("parameters", .object(config.parameters.map { ($0.name, .string($0.value.text)) })),
      ("axes", .array(axes.map(JSONValue.string))),
      ("quantities", .array(zip(config.quantities, plan.declarations).map { q, d in
        .object([("name", .string(q.text)), ("kind", .string({ switch d.kind { case .number: "number"; case .estimated: "estimated"; case .text: "text" } }())),
                 ("summary", .string(d.summary))])
      })),
      ("rows", .array(rows)),
    ])
  }

  /// `DIR/<name>.md`, `.csv`, `.tex` and `.json`, written together atomically.
  public func write(to folder: String) throws {
    let base = folder + "/" + config.name
    try AtomicFile.write([
      (path: base + ".md", data: Data(markdown().utf8)), (path: base + ".csv", data: Data(csv().utf8)),
      (path: base + ".tex", data: Data(latex().utf8)), (path: base + ".json", data: json().serializedData(pretty: true) + Data("\n".utf8)),
    ])
  }
}

/// LaTeX text escaping.
enum LaTeX {
  /// A displayed number (`x`, `x ± se`, with `e` exponents) in math mode: `±` as `\pm`,
  /// `6.8e+14` as `6.8\times10^{14}`.
  static func math(_ text: String) -> String {
    text.split(separator: " ", omittingEmptySubsequences: false).map { word -> String in
      if word == "±" { return "\\pm" }
      guard Double(word) != nil, let e = word.firstIndex(where: { $0 == "e" || $0 == "E" }),
            let exponent = Int(word[word.index(after: e)...]) else { return escape(String(word)) }
      return "\(word[..<e])\\times10^{\(exponent)}"
    }.joined(separator: " ")
  }

  static func escape(_ s: String) -> String {
    var out = ""
    for c in s {
      switch c {
      case "\\": out += "\\textbackslash{}"
      case "&", "%", "$", "#", "_", "{", "}": out += "\\\(c)"
      case "~": out += "\\textasciitilde{}"
      case "^": out += "\\textasciicircum{}"
      default: out.append(c)
      }
    }
    return out
  }
}
