/// Parses the architecture language into a layer graph:
/// ```
/// chain  := item ('->' item)*
/// item   := layer
///         | '(' chain ')' ('*' (INT | 'inf'))?
///         | 'residual' '(' chain (',' 'scale' '=' scale)? (',' 'skip' '=' NUMBER)? ')'
///         | 'parallel' '(' chain (',' chain)+ ')'
/// layer  := NAME ('(' key '=' value (',' key '=' value)* ')')?
/// scale  := NUMBER | '1/sqrt(L)' | 'decreasing' ('(' 'alpha' '=' NUMBER ')')?
/// ```
/// e.g. `(dense(w_std=1.5, b_std=0.05) -> relu) * 10 -> dense(w_std=1.5, b_std=0.05)`.
/// `(…) * inf` is the infinite-depth limit (`InfiniteDepth`) of a block of residuals with
/// `scale=1/sqrt(L)`; it counts as the block's own layers, and other blocks are refused.
///
/// Errors name the column, what was expected and what was found; unknown layer names list the
/// known ones. Parsing is linear in the length of the text, in two phases: the text becomes a
/// syntax tree (each written layer validated and built once), whose total layer count — with
/// repetitions multiplied out, overflow-checked — is compared with `maximumLayers` before any
/// repetition is expanded. Texts longer than `maximumLength` and brackets nested deeper than
/// `maximumNesting` are refused, so no input can exhaust the stack or the memory.
public struct ArchitectureParser {
  /// The longest specification accepted, in characters.
  public static let maximumLength = 1_000_000
  /// The deepest nesting of `(…)`, `residual(…)` and `parallel(…)` accepted.
  public static let maximumNesting = 100
  /// The most primitive layers a network may have once repetitions are expanded.
  public static let maximumLayers = 1_000_000

  /// Parses `text` into a network of at most `maximumLayers` primitive layers.
  public static func parse(_ text: String, maximumLayers: Int = maximumLayers) throws -> any Layer {
    guard text.count <= maximumLength else {
      throw NeuralLimitsError.architecture(
        "the specification has \(text.count) characters, more than the limit of \(maximumLength)")
    }
    var parser = ArchitectureParser(ArchitectureTokenizer.tokenize(text), limit: maximumLayers)
    let items = try parser.chain()
    guard parser.peek.kind == .end else {
      throw parser.error("expected '->' or the end of the architecture")
    }
    let layers = ArchitectureSyntax.chain(items).layerCount
    guard let layers, layers <= maximumLayers else {
      throw NeuralLimitsError.architecture(
        "the network would have \(layers.map(String.init) ?? "more than \(Int.max)") layers once repetitions are expanded; "
          + "the limit is \(maximumLayers)")
    }
    return Serial(try items.map { try $0.graph() })
  }

  private let tokens: [ArchitectureToken]
  private let limit: Int
  private var position = 0
  private var depth = 0

  private init(_ tokens: [ArchitectureToken], limit: Int) {
    self.tokens = tokens
    self.limit = limit
  }

  private var peek: ArchitectureToken { tokens[position] }

  private mutating func next() -> ArchitectureToken {
    defer { position = min(position + 1, tokens.count - 1) }
    return tokens[position]
  }

  private func error(_ expected: String, at token: ArchitectureToken? = nil) -> NeuralLimitsError {
    let t = token ?? peek
    return .architecture("column \(t.column): \(expected), found \(t.quoted)")
  }

  private mutating func expect(_ symbol: String) throws {
    guard peek.kind == .symbol, peek.text == symbol else { throw error("expected '\(symbol)'") }
    _ = next()
  }

  private mutating func accept(_ symbol: String) -> Bool {
    guard peek.kind == .symbol, peek.text == symbol else { return false }
    _ = next()
    return true
  }

  /// Enters one level of brackets, refusing nesting beyond `maximumNesting`.
  private mutating func enter(_ token: ArchitectureToken) throws {
    depth += 1
    guard depth <= ArchitectureParser.maximumNesting else {
      throw NeuralLimitsError.architecture(
        "column \(token.column): brackets nested more than \(ArchitectureParser.maximumNesting) levels deep")
    }
  }

  private mutating func chain() throws -> [ArchitectureSyntax] {
    var items = [try item()]
    while accept("->") { items.append(try item()) }
    return items
  }

  private mutating func item() throws -> ArchitectureSyntax {
    let token = peek
    if accept("(") {
      try enter(token)
      defer { depth -= 1 }
      let inner = ArchitectureSyntax.chain(try chain())
      try expect(")")
      guard accept("*") else { return inner }
      let countToken = next()
      if countToken.kind == .name, ["inf", "infinity"].contains(countToken.text.lowercased()) {
        guard countToken.text == "inf" else {
          throw NeuralLimitsError.architecture("column \(countToken.column): write infinite depth as 'inf', found '\(countToken.text)'")
        }
        return .infinite(inner, column: countToken.column)
      }
      guard countToken.kind == .number, countToken.text.allSatisfy(\.isASCII), let count = Int(countToken.text) else {
        if countToken.kind == .number, countToken.text.allSatisfy({ $0.isASCII && $0.isNumber }) {
          throw NeuralLimitsError.architecture(
            "column \(countToken.column): the repetition count \(countToken.text) is beyond the limit of \(limit) layers")
        }
        throw error("expected a whole number of repetitions after '*'", at: countToken)
      }
      guard count >= 1 else {
        throw NeuralLimitsError.architecture("column \(countToken.column): the repetition count must be at least 1, found \(count)")
      }
      return .repeated(inner, count: count)
    }
    guard token.kind == .name else { throw error("expected a layer name or '('") }
    _ = next()
    switch token.text {
    case "residual":
      try enter(token)
      defer { depth -= 1 }
      return try residual()
    case "parallel":
      try enter(token)
      defer { depth -= 1 }
      return try parallel()
    default:
      return .layer(try layer(token))
    }
  }

  private mutating func residual() throws -> ArchitectureSyntax {
    try expect("(")
    let branch = ArchitectureSyntax.chain(try chain())
    var scale: ResidualScale?, skip: Double?
    while accept(",") {
      let key = next()
      guard key.kind == .name, key.text == "scale" || key.text == "skip" else {
        throw error("expected 'scale' or 'skip' (residual's options)", at: key)
      }
      guard (key.text == "scale" ? scale == nil : skip == nil) else {
        throw NeuralLimitsError.architecture("column \(key.column): residual sets '\(key.text)' twice")
      }
      try expect("=")
      if key.text == "scale" {
        scale = try residualScale()
      } else {
        let value = next()
        guard value.kind == .number, let v = Double(value.text), v.isFinite else { throw error("expected a number for skip", at: value) }
        skip = v
      }
    }
    try expect(")")
    return .residual(branch, scale: scale ?? .constant(1), skip: skip ?? 1)
  }

  /// `NUMBER | 1/sqrt(L) | decreasing ('(' alpha '=' NUMBER ')')?`.
  private mutating func residualScale() throws -> ResidualScale {
    let token = next()
    if token.kind == .number, token.text == "1", accept("/") {
      let sqrtToken = next()
      guard sqrtToken.kind == .name, sqrtToken.text == "sqrt" else { throw error("expected 1/sqrt(L)", at: sqrtToken) }
      try expect("(")
      let l = next()
      guard l.kind == .name, l.text == "L" else { throw error("expected 1/sqrt(L)", at: l) }
      try expect(")")
      return .inverseSqrtDepth
    }
    if token.kind == .number {
      guard let v = Double(token.text), v.isFinite else { throw error("expected a number", at: token) }
      return .constant(v)
    }
    if token.kind == .name, token.text == "decreasing" {
      guard accept("(") else { return .decreasing(alpha: 1) }
      let key = next()
      guard key.kind == .name, key.text == "alpha" else { throw error("expected 'alpha'", at: key) }
      try expect("=")
      let value = next()
      guard value.kind == .number, let alpha = Double(value.text), alpha > 0, alpha.isFinite else {
        throw error("expected a positive number for alpha", at: value)
      }
      try expect(")")
      return .decreasing(alpha: alpha)
    }
    throw error("expected a scale: a number, 1/sqrt(L) or decreasing", at: token)
  }

  private mutating func parallel() throws -> ArchitectureSyntax {
    try expect("(")
    var branches = [ArchitectureSyntax.chain(try chain())]
    while accept(",") { branches.append(.chain(try chain())) }
    try expect(")")
    guard branches.count >= 2 else {
      throw NeuralLimitsError.architecture("parallel needs at least two branches separated by ','")
    }
    return .parallel(branches)
  }

  private mutating func layer(_ name: ArchitectureToken) throws -> any PrimitiveLayer {
    guard let entry = LayerCatalogue.entry(name.text) else {
      let known = LayerCatalogue.entries.map(\.name) + ["residual", "parallel"]
      // Suggestions only for names of a plausible length (the distance is quadratic).
      let suggestion = name.text.count > 40 ? "" : known.min { editDistance($0, name.text) < editDistance($1, name.text) }
        .flatMap { editDistance($0, name.text) <= 2 ? " (did you mean '\($0)'?)" : nil } ?? ""
      let shown = name.text.count > 40 ? String(name.text.prefix(40)) + "…" : name.text
      throw NeuralLimitsError.architecture(
        "column \(name.column): unknown layer '\(shown)'\(suggestion); known layers: \(known.joined(separator: ", "))")
    }
    var values: [String: String] = [:]
    if accept("(") {
      repeat {
        let key = next()
        guard key.kind == .name else { throw error("expected a parameter name", at: key) }
        try expect("=")
        let value = next()
        guard value.kind == .number || value.kind == .name || value.kind == .string else {
          throw error("expected a value for \(key.text)", at: value)
        }
        // Quoted text is for paths, and a path must be quoted.
        let isPath = entry.parameters.contains { if case .path = $0.domain { return $0.name == key.text }; return false }
        guard (value.kind == .string) == isPath else {
          throw error(isPath ? "expected a quoted path for \(key.text), e.g. \(key.text)=\"A.csv\"" : "expected a number or a name for \(key.text)",
                      at: value)
        }
        guard values[key.text] == nil else {
          throw NeuralLimitsError.architecture("column \(key.column): \(name.text) sets '\(key.text)' twice")
        }
        values[key.text] = value.text
      } while accept(",")
      try expect(")")
    }
    do {
      return try LayerCatalogue.build(entry, values)
    } catch NeuralLimitsError.architecture(let message) {
      throw NeuralLimitsError.architecture("column \(name.column): \(message)")
    }
  }
}

/// A parsed specification before repetitions are expanded.
indirect enum ArchitectureSyntax {
  case layer(any PrimitiveLayer)
  case chain([ArchitectureSyntax])
  case repeated(ArchitectureSyntax, count: Int)
  /// `(block) * inf`, with the column of `inf` for error messages.
  case infinite(ArchitectureSyntax, column: Int)
  case residual(ArchitectureSyntax, scale: ResidualScale, skip: Double)
  case parallel([ArchitectureSyntax])

  /// Primitive layers once repetitions are expanded; `nil` when the count overflows `Int`.
  var layerCount: Int? {
    func sum(_ items: [ArchitectureSyntax]) -> Int? {
      var total = 0
      for item in items {
        guard let n = item.layerCount else { return nil }
        let (s, overflow) = total.addingReportingOverflow(n)
        if overflow { return nil }
        total = s
      }
      return total
    }
    switch self {
    case .layer: return 1
    case .chain(let items), .parallel(let items): return sum(items)
    case .residual(let branch, _, _), .infinite(let branch, _): return branch.layerCount
    case .repeated(let block, let count):
      guard let n = block.layerCount else { return nil }
      let (product, overflow) = n.multipliedReportingOverflow(by: count)
      return overflow ? nil : product
    }
  }

  /// The layer graph (call only after checking `layerCount`). Throws for a `* inf` block without
  /// an infinite-depth limit.
  func graph() throws -> LayerGraph {
    switch self {
    case .layer(let layer): return .primitive(layer)
    case .chain(let items): return .serial(try items.map { try $0.graph() })
    case .repeated(let block, let count): return Repeat(count, try block.graph()).graph
    case .infinite(let block, let column):
      let graph = try block.graph()
      do {
        _ = try graph.infiniteDepthBranches()
      } catch NeuralLimitsError.architecture(let message) {
        throw NeuralLimitsError.architecture("column \(column): \(message)")
      }
      return InfiniteDepth(graph).graph
    case .residual(let branch, let scale, let skip): return Residual(scale: scale, skip: skip, try branch.graph()).graph
    case .parallel(let branches): return Parallel(try branches.map { try $0.graph() }).graph
    }
  }
}

/// Levenshtein distance, for "did you mean" suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
  let a = Array(a), b = Array(b)
  var previous = Array(0...b.count)
  for i in 1...max(a.count, 1) where !a.isEmpty {
    var current = [i] + [Int](repeating: 0, count: b.count)
    for j in 1...max(b.count, 1) where !b.isEmpty {
      current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.count]
}
