import Foundation

/// A checked table: the provider, and every row's parameters, work item, seed and identity.
/// Building it runs every check — unknown keys, values outside their domains, unknown
/// quantities, each row's provider checks, the plots — so a bad configuration is refused before
/// any row is computed.
public struct TablePlan: Sendable {
  public struct Row: Sendable {
    public let parameters: RowParameters
    /// The row's value on each grid axis, in the grid's order.
    public let axisValues: [String]
    let work: any QuantityProvider
    /// `SplitMix64(config seed, index)` for random providers, else 0.
    public let seed: UInt64
    /// What determines the row's values (tool version, command, parameters, seed, inputs,
    /// quantities), one item per line; `key` is its hash.
    let identity: String
    let key: String
  }

  public let config: TableConfig
  public let provider: any QuantityProvider.Type
  /// Per quantity (the configuration's order), its declaration.
  public let declarations: [QuantityDeclaration]
  public let rows: [Row]

  public static let maximumRows = 100_000

  public init(_ config: TableConfig) throws {
    self.config = config
    let command = config.command
    guard let provider = QuantityProviders.named(command.text) else {
      throw command.location.error("unknown command '\(command.text)' (tables know \(QuantityProviders.all.map { $0.command }.joined(separator: ", ")))")
    }
    self.provider = provider
    let declared = provider.parameters
    let parameterNames = declared.map(\.name).joined(separator: ", ")
    let axes = config.grid.map(\.name)

    // Fixed parameters: declared, not also an axis; their templates name axes only.
    var templateVariables = Set<String>()
    for (name, value) in config.parameters {
      guard let parameter = declared.first(where: { $0.name == name }) else {
        throw value.location.error("unknown parameter of \(command.text) (it takes \(parameterNames))")
      }
      guard !axes.contains(name) else { throw value.location.error("\(name) is also a grid axis: give it in one place") }
      guard case .text = parameter.kind else { continue }
      for variable in TablePlan.templateVariables(value.text) {
        guard axes.contains(variable) else {
          throw value.location.error("{\(variable)} names no grid axis (axes: \(axes.isEmpty ? "none" : axes.joined(separator: ", ")))")
        }
        templateVariables.insert(variable)
      }
    }
    for axis in config.grid where !declared.contains(where: { $0.name == axis.name }) && !templateVariables.contains(axis.name) {
      throw axis.location.error("unknown key: neither a parameter of \(command.text) (\(parameterNames)) nor a {\(axis.name)} in a template")
    }
    for parameter in declared {
      if case .required = parameter.presence, !axes.contains(parameter.name), !config.parameters.contains(where: { $0.name == parameter.name }) {
        throw NeuralLimitsError.invalidArgument("\(config.path): \(command.text) needs parameters.\(parameter.name) (\(parameter.summary))")
      }
    }

    // Quantities: declared, with indices where declared indexed.
    declarations = try config.quantities.map { q in
      guard let declaration = provider.quantities.first(where: { $0.name == q.base }) else {
        let known = provider.quantities.count <= 24 ? " (known: \(provider.quantities.map(\.usage).joined(separator: ", ")))"
          : " (neural-limits table --list \(command.text) lists them)"
        throw q.location.error("unknown quantity '\(q.text)' of \(command.text)" + known)
      }
      guard q.indices.count == (declaration.indexed ? 2 : 0) else {
        throw q.location.error(declaration.indexed ? "\(q.base) takes an entry: \(q.base)[i,j]" : "\(q.base) takes no indices")
      }
      return declaration
    }
    for plot in config.plots { try plot.check(config: config, declarations: declarations) }

    // Rows: the grid's product, first axis slowest.
    let count = config.grid.reduce(1) { $0 * $1.values.count }
    guard count <= TablePlan.maximumRows else {
      throw NeuralLimitsError.invalidArgument("\(config.path): the grid has \(count) rows, more than \(TablePlan.maximumRows)")
    }
    let folder = URL(fileURLWithPath: config.path).deletingLastPathComponent().path
    var rows: [Row] = []
    for index in 0..<count {
      var rest = index
      var point: [ConfigScalar] = []
      for axis in config.grid.reversed() {
        point.insert(axis.values[rest % axis.values.count], at: 0)
        rest /= axis.values.count
      }
      let byAxis = Dictionary(uniqueKeysWithValues: zip(axes, point))
      let description = zip(axes, point).map { "\($0)=\($1.text)" }.joined(separator: ", ")
      let suffix = description.isEmpty ? "" : " (row \(index + 1): \(description))"
      var values: [String: (text: String?, location: ConfigLocation)] = [:]
      for parameter in declared {
        let given: ConfigScalar?
        if let value = byAxis[parameter.name] {
          given = value
        } else if let value = config.parameters.first(where: { $0.name == parameter.name })?.value {
          if case .text = parameter.kind {
            given = ConfigScalar(text: TablePlan.substitute(value.text, byAxis), location: value.location)
          } else {
            given = value
          }
        } else if case .defaulted(let text) = parameter.presence {
          given = ConfigScalar(text: text, location: ConfigLocation(file: config.path, line: 0, key: "parameters.\(parameter.name)"))
        } else {
          given = nil
        }
        if let given, case .value(let domain) = parameter.kind, !domain.accepts(given.text) {
          throw given.location.error("\(parameter.name) must be a \(domain), got '\(given.text)'" + suffix)
        }
        values[parameter.name] = (given?.text, given?.location ?? ConfigLocation(file: config.path, line: 0, key: "parameters.\(parameter.name)"))
      }
      let parameters = RowParameters(index: index, description: description, folder: folder, values: values)
      let work = try provider.init(parameters, quantities: config.quantities)
      let seed = provider.isRandom ? RandomStream.mix(config.seed, UInt64(index)) : 0
      let identity = "neural-limits \(neuralLimitsVersion)\ncommand=\(provider.command)\n" + parameters.canonical(declared.map(\.name))
        + "seed=\(seed)\ninputs=\(work.inputFingerprint)\nquantities=\(config.quantities.map(\.text).joined(separator: " "))\n"
      rows.append(Row(parameters: parameters, axisValues: point.map(\.text), work: work, seed: seed, identity: identity,
                      key: FNV1a.hex(identity.utf8)))
    }
    self.rows = rows
  }

  /// The `{name}`s in a template.
  static func templateVariables(_ text: String) -> [String] {
    var names: [String] = []
    var rest = Substring(text)
    while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
      names.append(String(rest[rest.index(after: open)..<close]))
      rest = rest[rest.index(after: close)...]
    }
    return names
  }

  /// `text` with every `{axis}` replaced by the row's value.
  static func substitute(_ text: String, _ values: [String: ConfigScalar]) -> String {
    var out = text
    for (name, value) in values { out = out.replacingOccurrences(of: "{\(name)}", with: value.text) }
    return out
  }
}
