import Foundation
import Yams

/// A `neural-limits table` configuration, read from YAML (or JSON, a subset of YAML):
///
/// ```yaml
/// name: depth_width            # the output files' name (default: the file's, without extension)
/// title: Theory against simulation, depth × width
/// command: compare             # the quantity provider (neural-limits table --list)
/// seed: 0                      # row k's seed is SplitMix64(seed, k)
/// parameters:                  # the same for every row; text may name axes: {depth}
///   arch: (dense(w_std=1.5, b_std=0.05) -> relu) * {depth} -> dense(w_std=1.5, b_std=0.05)
/// grid:                        # one row per combination, the first axis slowest
///   depth: [1, 2, 4, 8]
///   width: {from: 64, to: 512, factor: 2}
/// quantities: [nngp.rel_error, nngp.verdict, verdict]
/// plots:                       # optional; files under the output folder
///   - {file: errors.svg, x: width, y: [nngp.rel_error]}
/// ```
///
/// Everything that can be checked without the provider is checked here, with the line and key
/// of the culprit: unknown or repeated keys, wrong shapes, malformed quantities, bad ranges.
public struct TableConfig: Sendable {
  public let path: String
  public let name: String
  public let title: String?
  public let command: ConfigScalar
  public let seed: UInt64
  /// `parameters:`, in order.
  public let parameters: [(name: String, value: ConfigScalar)]
  public let grid: [GridAxis]
  public let quantities: [QuantityName]
  public let plots: [TablePlot.Spec]
  /// FNV-1a (64-bit) of the file's bytes, in hex.
  public let hash: String

  static let topKeys = ["name", "title", "command", "seed", "parameters", "grid", "quantities", "plots"]

  /// Reads and checks the configuration at `path`.
  public init(path: String) throws {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw NeuralLimitsError.io("cannot read \(path)")
    }
    guard let text = String(data: data, encoding: .utf8) else { throw NeuralLimitsError.io("\(path) is not UTF-8 text") }
    try self.init(text: text, path: path, hash: FNV1a.hex(data))
  }

  init(text: String, path: String, hash: String) throws {
    self.path = path
    self.hash = hash
    let root: Node
    do {
      guard let node = try Yams.compose(yaml: text) else { throw NeuralLimitsError.invalidArgument("\(path) is empty") }
      root = node
    } catch let error as YamlError {
      throw NeuralLimitsError.invalidArgument("\(path): not valid YAML or JSON: \(TableConfig.oneLine(error))")
    }
    let reader = NodeReader(file: path)
    let top = try reader.mapping(root, key: "", allowed: TableConfig.topKeys)
    name = try top["name"].map { try reader.scalar($0, key: "name").text }
      ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    if let bad = name.first(where: { !($0.isLetter || $0.isNumber || "_-.".contains($0)) }) ?? (name.hasPrefix(".") ? "." : nil) {
      throw (top["name"].map { reader.location($0, key: "name") } ?? ConfigLocation(file: path, line: 0, key: "name"))
        .error("a name is letters, digits, '_', '-' and '.', not starting with '.'; '\(bad)' is not allowed")
    }
    title = try top["title"].map { try reader.scalar($0, key: "title").text }
    guard let commandNode = top["command"] else {
      throw NeuralLimitsError.invalidArgument("\(path): no 'command' (one of \(QuantityProviders.all.map { $0.command }.joined(separator: ", ")))")
    }
    command = try reader.scalar(commandNode, key: "command")
    if let seedNode = top["seed"] {
      let s = try reader.scalar(seedNode, key: "seed")
      guard let value = UInt64(s.text) else { throw s.location.error("the seed is an integer in [0, 2⁶⁴), got '\(s.text)'") }
      seed = value
    } else {
      seed = 0
    }
    parameters = try top["parameters"].map { node in
      try reader.pairs(node, key: "parameters").map { key, value in (key, try reader.scalar(value, key: "parameters.\(key)")) }
    } ?? []
    grid = try top["grid"].map { node in
      try reader.pairs(node, key: "grid").map { axis, value in try reader.axis(axis, value) }
    } ?? []
    guard let quantitiesNode = top["quantities"] else { throw NeuralLimitsError.invalidArgument("\(path): no 'quantities'") }
    let names = try reader.sequence(quantitiesNode, key: "quantities").enumerated().map { k, node in
      try reader.scalar(node, key: "quantities[\(k)]")
    }
    guard !names.isEmpty else { throw reader.location(quantitiesNode, key: "quantities").error("no quantity named") }
    var quantities: [QuantityName] = []
    for s in names {
      guard let q = QuantityName(s.text, location: s.location) else {
        throw s.location.error("'\(s.text)' is not a quantity name (NAME or NAME[i,j])")
      }
      guard !quantities.contains(q) else { throw s.location.error("'\(s.text)' is asked for twice") }
      quantities.append(q)
    }
    self.quantities = quantities
    plots = try top["plots"].map { node in
      try reader.sequence(node, key: "plots").enumerated().map { k, item in try TablePlot.Spec(item, key: "plots[\(k)]", reader: reader) }
    } ?? []
  }

  /// A Yams error's first line, with its position; inside a `[list]`, a hint that names with
  /// brackets (`nngp[0,1]`) need quotes.
  static func oneLine(_ error: YamlError) -> String {
    let text = "\(error)"
    let line = text.split(separator: "\n").first.map { $0.replacingOccurrences(of: ": error: ", with: ": ") } ?? text
    return line + (line.contains("flow sequence") ? " (in a [list], quote names with brackets: 'nngp[0,1]')" : "")
  }
}

/// Reads Yams nodes into the configuration's values, naming the line and key of anything out
/// of place.
struct NodeReader {
  let file: String

  func location(_ node: Node, key: String) -> ConfigLocation {
    ConfigLocation(file: file, line: node.mark?.line ?? 0, key: key)
  }

  /// A mapping's entries in order; each key a plain scalar, none repeated.
  func pairs(_ node: Node, key: String) throws -> [(String, Node)] {
    guard case .mapping(let mapping) = node else {
      throw location(node, key: key).error("expected a mapping (key: value lines)")
    }
    var result: [(String, Node)] = []
    for (k, v) in mapping {
      guard case .scalar(let s) = k else { throw location(k, key: key).error("a key must be a plain word") }
      let path = key.isEmpty ? s.string : "\(key).\(s.string)"
      guard !result.contains(where: { $0.0 == s.string }) else { throw location(k, key: path).error("repeated key") }
      result.append((s.string, v))
    }
    return result
  }

  /// A mapping whose keys must be among `allowed`, by key.
  func mapping(_ node: Node, key: String, allowed: [String]) throws -> [String: Node] {
    var result: [String: Node] = [:]
    for (k, v) in try pairs(node, key: key) {
      let path = key.isEmpty ? k : "\(key).\(k)"
      guard allowed.contains(k) else {
        throw location(v, key: path).error("unknown key (known: \(allowed.joined(separator: ", ")))")
      }
      result[k] = v
    }
    return result
  }

  func sequence(_ node: Node, key: String) throws -> [Node] {
    guard case .sequence(let items) = node else { throw location(node, key: key).error("expected a list, e.g. [a, b]") }
    return Array(items)
  }

  func scalar(_ node: Node, key: String) throws -> ConfigScalar {
    guard case .scalar(let s) = node else { throw location(node, key: key).error("expected a single value") }
    guard !(s.style == .plain && node.null != nil) else { throw location(node, key: key).error("no value given") }
    return ConfigScalar(text: s.string, location: location(node, key: key))
  }

  /// A scalar or a list of scalars.
  func scalars(_ node: Node, key: String) throws -> [ConfigScalar] {
    if case .sequence = node {
      return try sequence(node, key: key).enumerated().map { k, item in try scalar(item, key: "\(key)[\(k)]") }
    }
    return [try scalar(node, key: key)]
  }

  func flag(_ node: Node, key: String) throws -> Bool {
    let s = try scalar(node, key: key)
    switch s.text {
    case "true": return true
    case "false": return false
    default: throw s.location.error("expected true or false, got '\(s.text)'")
    }
  }

  /// A grid axis: a list of values or a range mapping.
  func axis(_ name: String, _ node: Node) throws -> GridAxis {
    let key = "grid.\(name)"
    let here = location(node, key: key)
    switch node {
    case .sequence:
      return try GridAxis(name: name, location: here, values: try scalars(node, key: key))
    case .mapping:
      let range = try mapping(node, key: key, allowed: ["from", "to", "step", "factor"])
      func bound(_ k: String) throws -> ConfigScalar {
        guard let n = range[k] else { throw here.error("a range needs '\(k)'") }
        return try scalar(n, key: "\(key).\(k)")
      }
      let values = try GridAxis.range(from: try bound("from"), to: try bound("to"),
                                      step: try range["step"].map { try scalar($0, key: "\(key).step") },
                                      factor: try range["factor"].map { try scalar($0, key: "\(key).factor") }, location: here)
      return try GridAxis(name: name, location: here, values: values)
    default:
      return try GridAxis(name: name, location: here, values: [try scalar(node, key: key)])
    }
  }
}
