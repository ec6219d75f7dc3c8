/// Parses the architecture language into a layer graph:
/// ```
/// chain  := item ('->' item)*
/// item   := layer
///         | '(' chain ')' ('*' INT)?
///         | 'residual' '(' chain (',' 'scale' '=' scale)? ')'
///         | 'parallel' '(' chain (',' chain)+ ')'
/// layer  := NAME ('(' key '=' value (',' key '=' value)* ')')?
/// scale  := NUMBER | '1/sqrt(L)' | 'decreasing' ('(' 'alpha' '=' NUMBER ')')?
/// ```
/// e.g. `(dense(w_std=1.5, b_std=0.05) -> relu) * 10 -> dense(w_std=1.5, b_std=0.05)`.
/// Errors name the column, what was expected and what was found; unknown layer names list the
/// known ones.
public struct ArchitectureParser {
  /// Parses `text` into a network.
  public static func parse(_ text: String) throws -> any Layer {
    var parser = ArchitectureParser(text)
    let chain = try parser.chain()
    guard parser.peek.kind == .end else {
      throw parser.error("expected '->' or the end of the architecture")
    }
    return Serial(chain)
  }

  struct Token: Equatable {
    enum Kind: Equatable { case name, number, symbol, end }
    let kind: Kind
    let text: String
    let column: Int
  }

  private var tokens: [Token]
  private var position = 0
  private let source: String

  private init(_ text: String) {
    source = text
    tokens = ArchitectureParser.tokenize(text)
  }

  private var peek: Token { tokens[position] }

  private mutating func next() -> Token {
    defer { position = min(position + 1, tokens.count - 1) }
    return tokens[position]
  }

  private func error(_ expected: String, at token: Token? = nil) -> NeuralLimitsError {
    let t = token ?? peek
    let found: String
    switch t.kind {
    case .end: found = "the end"
    case .name, .number, .symbol: found = "'\(t.text)'"
    }
    return .architecture("column \(t.column): \(expected), found \(found)")
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

  /// Splits into names, numbers and the symbols `-> ( ) * , = /`. Any other character becomes
  /// a one-character symbol token, which the grammar then rejects with its column.
  static func tokenize(_ text: String) -> [Token] {
    var tokens: [Token] = []
    let chars = Array(text)
    var i = 0
    while i < chars.count {
      let c = chars[i]
      let column = i + 1
      if c.isWhitespace {
        i += 1
      } else if c == "-" && i + 1 < chars.count && chars[i + 1] == ">" {
        tokens.append(Token(kind: .symbol, text: "->", column: column))
        i += 2
      } else if c.isLetter || c == "_" {
        var j = i
        while j < chars.count && (chars[j].isLetter || chars[j].isNumber || chars[j] == "_") { j += 1 }
        tokens.append(Token(kind: .name, text: String(chars[i..<j]), column: column))
        i = j
      } else if c.isNumber || c == "." || ((c == "-" || c == "+") && i + 1 < chars.count && (chars[i + 1].isNumber || chars[i + 1] == ".")) {
        var j = i + 1
        while j < chars.count {
          let d = chars[j]
          if d.isNumber || d == "." || d == "e" || d == "E" || ((d == "-" || d == "+") && (chars[j - 1] == "e" || chars[j - 1] == "E")) {
            j += 1
          } else {
            break
          }
        }
        tokens.append(Token(kind: .number, text: String(chars[i..<j]), column: column))
        i = j
      } else {
        tokens.append(Token(kind: .symbol, text: String(c), column: column))
        i += 1
      }
    }
    tokens.append(Token(kind: .end, text: "", column: chars.count + 1))
    return tokens
  }

  private mutating func chain() throws -> [LayerGraph] {
    var items = [try item()]
    while accept("->") { items.append(try item()) }
    return items
  }

  private mutating func item() throws -> LayerGraph {
    let token = peek
    if accept("(") {
      let inner = LayerGraph.serial(try chain())
      try expect(")")
      guard accept("*") else { return inner }
      let countToken = next()
      guard countToken.kind == .number, let count = Int(countToken.text) else {
        throw error("expected a whole number of repetitions after '*'", at: countToken)
      }
      guard count >= 1 else {
        throw NeuralLimitsError.architecture("column \(countToken.column): the repetition count must be at least 1, found \(count)")
      }
      return Repeat(count, inner).graph
    }
    guard token.kind == .name else { throw error("expected a layer name or '('") }
    _ = next()
    switch token.text {
    case "residual": return try residual()
    case "parallel": return try parallel()
    default: return try layer(token)
    }
  }

  private mutating func residual() throws -> LayerGraph {
    try expect("(")
    let branch = LayerGraph.serial(try chain())
    var scale = ResidualScale.constant(1)
    if accept(",") {
      let key = next()
      guard key.kind == .name, key.text == "scale" else { throw error("expected 'scale' (residual's only option)", at: key) }
      try expect("=")
      scale = try residualScale()
    }
    try expect(")")
    return Residual(scale: scale, branch).graph
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

  private mutating func parallel() throws -> LayerGraph {
    try expect("(")
    var branches = [LayerGraph.serial(try chain())]
    while accept(",") { branches.append(.serial(try chain())) }
    try expect(")")
    guard branches.count >= 2 else {
      throw NeuralLimitsError.architecture("parallel needs at least two branches separated by ','")
    }
    return Parallel(branches).graph
  }

  private mutating func layer(_ name: Token) throws -> LayerGraph {
    guard let entry = LayerCatalogue.entry(name.text) else {
      let known = LayerCatalogue.entries.map(\.name) + ["residual", "parallel"]
      let suggestion = known.min { editDistance($0, name.text) < editDistance($1, name.text) }
        .flatMap { editDistance($0, name.text) <= 2 ? " (did you mean '\($0)'?)" : nil } ?? ""
      throw NeuralLimitsError.architecture(
        "column \(name.column): unknown layer '\(name.text)'\(suggestion); known layers: \(known.joined(separator: ", "))")
    }
    var values: [String: String] = [:]
    if accept("(") {
      repeat {
        let key = next()
        guard key.kind == .name else { throw error("expected a parameter name", at: key) }
        try expect("=")
        let value = next()
        guard value.kind == .number || value.kind == .name else { throw error("expected a value for \(key.text)", at: value) }
        guard values[key.text] == nil else {
          throw NeuralLimitsError.architecture("column \(key.column): \(name.text) sets '\(key.text)' twice")
        }
        values[key.text] = value.text
      } while accept(",")
      try expect(")")
    }
    do {
      return .primitive(try LayerCatalogue.build(entry, values))
    } catch NeuralLimitsError.architecture(let message) {
      throw NeuralLimitsError.architecture("column \(name.column): \(message)")
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
