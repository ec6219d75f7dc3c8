/// A lexical unit of the architecture language, with its 1-based column.
struct ArchitectureToken: Equatable {
  enum Kind: Equatable { case name, number, string, symbol, end }
  let kind: Kind
  let text: String
  let column: Int

  /// How the token reads in an error message.
  var quoted: String { kind == .end ? "the end" : "'\(text)'" }
}

enum ArchitectureTokenizer {
  /// Splits into names, numbers, quoted strings (`"…"` or `'…'`, no escapes: a file path) and the
  /// symbols `-> ( ) * , = /`. Any other character (and an unterminated quote) becomes a
  /// one-character symbol token, which the grammar then rejects with its column. One pass over
  /// the characters: linear in the length of the text.
  static func tokenize(_ text: String) -> [ArchitectureToken] {
    var tokens: [ArchitectureToken] = []
    let chars = Array(text)
    var i = 0
    func isDigit(_ c: Character) -> Bool { c.isASCII && c.isNumber }
    while i < chars.count {
      let c = chars[i]
      let column = i + 1
      if c.isWhitespace {
        i += 1
      } else if c == "-" && i + 1 < chars.count && chars[i + 1] == ">" {
        tokens.append(ArchitectureToken(kind: .symbol, text: "->", column: column))
        i += 2
      } else if (c == "\"" || c == "'"), let end = chars[(i + 1)...].firstIndex(of: c) {
        tokens.append(ArchitectureToken(kind: .string, text: String(chars[(i + 1)..<end]), column: column))
        i = end + 1
      } else if c.isLetter || c == "_" {
        var j = i
        while j < chars.count && (chars[j].isLetter || isDigit(chars[j]) || chars[j] == "_") { j += 1 }
        tokens.append(ArchitectureToken(kind: .name, text: String(chars[i..<j]), column: column))
        i = j
      } else if isDigit(c) || c == "." || ((c == "-" || c == "+") && i + 1 < chars.count && (isDigit(chars[i + 1]) || chars[i + 1] == ".")) {
        var j = i + 1
        while j < chars.count {
          let d = chars[j]
          if isDigit(d) || d == "." || d == "e" || d == "E" || ((d == "-" || d == "+") && (chars[j - 1] == "e" || chars[j - 1] == "E")) {
            j += 1
          } else {
            break
          }
        }
        tokens.append(ArchitectureToken(kind: .number, text: String(chars[i..<j]), column: column))
        i = j
      } else {
        tokens.append(ArchitectureToken(kind: .symbol, text: String(c), column: column))
        i += 1
      }
    }
    tokens.append(ArchitectureToken(kind: .end, text: "", column: chars.count + 1))
    return tokens
  }
}
