import Foundation
import Yams

/// A figure of a table: quantities against a numeric grid axis, one line per series (each
/// combination of the other axes' values), drawn with gnuplot (`GnuplotFigure`, so the data and
/// script are written beside it). Exact quantities are lines with points; estimated ones points
/// with error bars of ± one standard error, joined by a thin dashed line. An axis is logarithmic
/// when asked, or by default when its values are positive and span a factor of 10 or more. The
/// key is below the graph. `only: {axis: [values]}` keeps the rows with those values (e.g. to zoom on some series).
public enum TablePlot {
  public struct Spec: Sendable {
    /// Relative to the output folder when from a configuration; as given on the command line.
    public let file: String
    /// The axis along x; nil: the first numeric grid axis.
    public let x: String?
    /// The quantities drawn; empty: the first numeric one.
    public let y: [String]
    public let logX: Bool?
    public let logY: Bool?
    public let title: String?
    public let yLabel: String?
    /// Rows kept: per axis, the values drawn (empty: every row).
    public let only: [(axis: String, values: [String])]
    /// Per axis, the key's names for its grid values in their order (e.g. short names for long
    /// architectures), instead of `axis=value`.
    public let labels: [(axis: String, names: [String])]
    /// Where it was written (nil: on the command line).
    let location: ConfigLocation?

    static let keys = ["file", "x", "y", "log_x", "log_y", "title", "ylabel", "only", "labels"]

    public init(file: String, x: String?, y: [String]) {
      self.file = file
      self.x = x
      self.y = y
      logX = nil
      logY = nil
      title = nil
      yLabel = nil
      only = []
      labels = []
      location = nil
    }

    init(_ node: Node, key: String, reader: NodeReader) throws {
      let m = try reader.mapping(node, key: key, allowed: Spec.keys)
      guard let fileNode = m["file"] else { throw reader.location(node, key: key).error("a plot needs a file (.svg, .png or .pdf)") }
      let file = try reader.scalar(fileNode, key: "\(key).file")
      do {
        try GnuplotFigure.terminalCheck(file.text)
      } catch {
        throw file.location.error("a figure is a .svg, .png or .pdf file, got '\(file.text)'")
      }
      guard !file.text.hasPrefix("/"), !file.text.split(separator: "/").contains("..") else {
        throw file.location.error("a figure is written under the output folder: give a relative path without '..'")
      }
      self.file = file.text
      x = try m["x"].map { try reader.scalar($0, key: "\(key).x").text }
      y = try m["y"].map { try reader.scalars($0, key: "\(key).y").map(\.text) } ?? []
      logX = try m["log_x"].map { try reader.flag($0, key: "\(key).log_x") }
      logY = try m["log_y"].map { try reader.flag($0, key: "\(key).log_y") }
      title = try m["title"].map { try reader.scalar($0, key: "\(key).title").text }
      yLabel = try m["ylabel"].map { try reader.scalar($0, key: "\(key).ylabel").text }
      only = try m["only"].map { node in
        try reader.pairs(node, key: "\(key).only").map { axis, values in (axis, try reader.scalars(values, key: "\(key).only.\(axis)").map(\.text)) }
      } ?? []
      labels = try m["labels"].map { node in
        try reader.pairs(node, key: "\(key).labels").map { axis, names in (axis, try reader.scalars(names, key: "\(key).labels.\(axis)").map(\.text)) }
      } ?? []
      location = reader.location(node, key: key)
    }

    private func fail(_ key: String, _ message: String) -> NeuralLimitsError {
      guard let location else { return .invalidArgument("--plot-\(key): \(message)") }
      return ConfigLocation(file: location.file, line: location.line, key: "\(location.key).\(key)").error(message)
    }

    /// The x axis's index in the grid.
    func xAxis(_ config: TableConfig) -> Int? {
      if let x { return config.grid.firstIndex { $0.name == x } }
      return config.grid.firstIndex { $0.values.allSatisfy { Double($0.text) != nil } }
    }

    /// The quantities' indices in the table.
    func yColumns(_ config: TableConfig, _ declarations: [QuantityDeclaration]) -> [Int] {
      if y.isEmpty {
        return declarations.firstIndex { if case .text = $0.kind { return false }; return true }.map { [$0] } ?? []
      }
      return y.compactMap { name in config.quantities.firstIndex { $0.text == name } }
    }

    /// Refuses an x that is not a numeric grid axis, a y that is not a numeric quantity of
    /// the table.
    public func check(config: TableConfig, declarations: [QuantityDeclaration]) throws {
      guard let axis = xAxis(config) else {
        throw fail("x", x.map { "'\($0)' is not a grid axis (axes: \(config.grid.map(\.name).joined(separator: ", ")))" }
          ?? "the grid has no numeric axis to draw against")
      }
      if let bad = config.grid[axis].values.first(where: { Double($0.text) == nil }) {
        throw fail("x", "axis \(config.grid[axis].name) has a value that is not a number ('\(bad.text)')")
      }
      for name in y {
        guard let k = config.quantities.firstIndex(where: { $0.text == name }) else {
          throw fail("y", "'\(name)' is not among the table's quantities")
        }
        if case .text = declarations[k].kind { throw fail("y", "'\(name)' is text, not a number") }
      }
      guard !yColumns(config, declarations).isEmpty else { throw fail("y", "the table has no numeric quantity to draw") }
      for (name, values) in only {
        guard let axis = config.grid.first(where: { $0.name == name }) else { throw fail("only", "'\(name)' is not a grid axis") }
        if let bad = values.first(where: { value in !axis.values.contains { $0.text == value } }) {
          throw fail("only", "'\(bad)' is not a value of axis \(name)")
        }
      }
    }
  }

  static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

  /// Draws `spec` from `results` into `path`.
  public static func render(_ spec: Spec, _ results: TableResults, to path: String) throws {
    let plan = results.plan, config = plan.config
    try spec.check(config: config, declarations: plan.declarations)
    let xIndex = spec.xAxis(config)!, columns = spec.yColumns(config, plan.declarations)
    let others = config.grid.indices.filter { $0 != xIndex }
    // Series: the other axes' value combinations, in order of first appearance.
    var seriesKeys: [[String]] = []
    var seriesRows: [[Int]] = []
    let axisIndex = { (name: String) in config.grid.firstIndex { $0.name == name }! }
    for (k, row) in plan.rows.enumerated() where spec.only.allSatisfy({ $0.values.contains(row.axisValues[axisIndex($0.axis)]) }) {
      let key = others.map { row.axisValues[$0] }
      if let s = seriesKeys.firstIndex(of: key) {
        seriesRows[s].append(k)
      } else {
        seriesKeys.append(key)
        seriesRows.append([k])
      }
    }
    var data = "# \(config.grid[xIndex].name)" + columns.map { " \(config.quantities[$0].text) se" }.joined() + "\n"
    // xs and ys decide whether an axis is logarithmic; extents (y ± se) fix the y range.
    var xs: [Double] = [], ys: [Double] = [], extents: [Double] = []
    for (s, rows) in seriesRows.enumerated() {
      data += (s > 0 ? "\n\n" : "") + "# " + zip(others, seriesKeys[s]).map { "\(config.grid[$0].name)=\($1)" }.joined(separator: ", ") + "\n"
      for k in rows {
        let x = Double(plan.rows[k].axisValues[xIndex])!
        xs.append(x)
        data += "\(x)"
        for c in columns {
          let value = results.values[k][c]
          let y = value.number ?? .nan
          let se: Double = if case .estimate(_, let e) = value { e } else { 0 }
          if y.isFinite {
            ys.append(y)
            extents += se.isFinite ? [y - se, y + se] : [y]
          }
          data += " \(y.isFinite ? "\(y)" : "NaN") \(se.isFinite ? "\(se)" : "0")"
        }
        data += "\n"
      }
    }
    func logarithmic(_ values: [Double]) -> Bool {
      guard let lo = values.min(), let hi = values.max(), lo > 0 else { return false }
      return hi / lo >= 10
    }
    let logX = spec.logX ?? logarithmic(xs)
    let logY = spec.logY ?? logarithmic(ys)
    /// `[lo:hi]` holding `values` with a margin of `margin` of their span each side (in
    /// decades on a logarithmic axis, whose non-positive values are left out).
    func range(_ values: [Double], log: Bool, margin: Double) -> String {
      let v = log ? values.filter { $0 > 0 }.map(log10) : values.filter(\.isFinite)
      guard let lo = v.min(), let hi = v.max() else { return "[*:*]" }
      let pad = hi > lo ? margin * (hi - lo) : log ? 0.5 : max(abs(lo) * 0.1, 1)
      let (a, b) = (lo - pad, hi + pad)
      return log ? "[\(pow(10, max(a, -307))):\(pow(10, min(b, 308)))]" : "[\(a):\(b)]"
    }
    // Tics at the grid's own values when there are few.
    let gridValues = config.grid[xIndex].values.map(\.text)
    let xTics = gridValues.count <= 12 ? "set xtics (" + gridValues.map { "\"\($0)\" \($0)" }.joined(separator: ", ") + ")" : "set xtics"
    func quoted(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
    // Colour tells the series apart (or the quantities, when there is one series); with several
    // series and several quantities the key lists each once: the series by colour, the
    // quantities by line and point style, in black.
    let perSeriesKey = seriesKeys.count > 1 && columns.count > 1
    func seriesName(_ s: Int) -> String {
      zip(others, seriesKeys[s]).map { a, value in
        let axis = config.grid[a]
        let names = spec.labels.first { $0.axis == axis.name }?.names ?? []
        let i = axis.values.firstIndex { $0.text == value }
        return i.flatMap { $0 < names.count ? names[$0] : nil } ?? "\(axis.name)=\(value)"
      }.joined(separator: ", ")
    }
    func estimated(_ c: Int) -> Bool { if case .estimated = plan.declarations[c].kind { return true }; return false }
    /// The style of quantity `n` (column `c`) in `color`: a solid line with filled points when
    /// exact, a thin dashed line with open points and error bars when estimated.
    func lines(_ n: Int, _ c: Int, _ color: String) -> String {
      estimated(c) ? "lw 1 dt 2 lc rgb '\(color)'" : "lw 2 lc rgb '\(color)' pt \(2 * (n % 4) + 5) ps 0.8"
    }
    func points(_ n: Int, _ color: String) -> String { "lw 1.5 lc rgb '\(color)' pt \(2 * (n % 4) + 6) ps 0.8" }
    var clauses: [String] = []
    for s in seriesKeys.indices {
      for (n, c) in columns.enumerated() {
        let name = config.quantities[c].text
        let title = perSeriesKey ? "notitle" : "title \(quoted(seriesKeys.count > 1 ? seriesName(s) : name)) noenhanced"
        let color = colors[(seriesKeys.count > 1 ? s : n) % colors.count]
        let y = 2 + 2 * n
        let source = (clauses.isEmpty ? "'DATA'" : "''") + " index \(s)"
        if estimated(c) {
          clauses.append("\(source) using 1:\(y) with lines \(lines(n, c, color)) notitle")
          clauses.append("'' index \(s) using 1:\(y):\(y + 1) with yerrorbars \(points(n, color)) \(title)")
        } else {
          clauses.append("\(source) using 1:\(y) with linespoints \(lines(n, c, color)) \(title)")
        }
      }
    }
    if perSeriesKey {
      for s in seriesKeys.indices {
        clauses.append("NaN with lines lw 4 lc rgb '\(colors[s % colors.count])' title \(quoted(seriesName(s))) noenhanced")
      }
      for (n, c) in columns.enumerated() {
        let name = config.quantities[c].text
        clauses.append(estimated(c) ? "NaN with linespoints \(points(n, "black")) dt 2 title \(quoted(name + " ± se")) noenhanced"
          : "NaN with linespoints \(lines(n, c, "black")) title \(quoted(name)) noenhanced")
      }
    }
    let yLabel = spec.yLabel ?? columns.map { config.quantities[$0].text }.joined(separator: ", ")
    let script = """
      set title \(quoted(spec.title ?? config.title ?? config.name)) noenhanced
      set xlabel \(quoted(config.grid[xIndex].name)) noenhanced
      set ylabel \(quoted(yLabel)) noenhanced
      \(logX ? "set logscale x" : "unset logscale x")
      \(logY ? "set logscale y" : "unset logscale y")
      set format y \(logY ? "'10^{%L}'" : "'%g'")
      \(xTics)
      set xrange \(range(xs, log: logX, margin: 0.03))
      set yrange \(range(extents, log: logY, margin: 0.05))
      set grid lc rgb '#dddddd'
      set key below horizontal noenhanced title ' '
      plot \(clauses.joined(separator: ", \\\n     "))
      """
    try GnuplotFigure.render(to: path, data: data, script: script, size: (900, 640))
  }
}
