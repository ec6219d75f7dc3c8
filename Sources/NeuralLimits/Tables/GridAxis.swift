import Foundation

/// One axis of a table's grid: a name (a provider's parameter, or a variable of a template)
/// and its values, written as a list, `[1, 2, 4]`, or a range:
///
/// - `{from: A, to: B, step: S}` — `A, A + S, …` up to `B` (within 1e-9·S), `S > 0`;
/// - `{from: A, to: B, factor: F}` — `A, A·F, …` up to `B`, `A > 0`, `F > 1`.
///
/// Integers stay integers when `A` and the step or factor are. At most `maximumValues` values;
/// a list may not repeat a value.
public struct GridAxis: Sendable {
  public let name: String
  public let location: ConfigLocation
  public let values: [ConfigScalar]

  public static let maximumValues = 10_000

  init(name: String, location: ConfigLocation, values: [ConfigScalar]) throws {
    guard !values.isEmpty else { throw location.error("a grid axis needs at least one value") }
    var seen = Set<String>()
    for value in values where !seen.insert(value.text).inserted {
      throw value.location.error("'\(value.text)' appears twice on axis \(name)")
    }
    self.name = name
    self.location = location
    self.values = values
  }

  /// The values of a range `{from, to, step | factor}` (keys already read; `location` is the
  /// range's).
  static func range(from: ConfigScalar, to: ConfigScalar, step: ConfigScalar?, factor: ConfigScalar?,
                    location: ConfigLocation) throws -> [ConfigScalar] {
    func number(_ s: ConfigScalar) throws -> Double {
      guard let x = Double(s.text), x.isFinite else { throw s.location.error("expected a finite number, got '\(s.text)'") }
      return x
    }
    let a = try number(from), b = try number(to)
    guard a <= b else { throw to.location.error("the range ends (\(to.text)) before it starts (\(from.text))") }
    var xs: [Double] = []
    let increment: ConfigScalar
    switch (step, factor) {
    case (let step?, nil):
      increment = step
      let s = try number(step)
      guard s > 0 else { throw step.location.error("the step must be positive, got \(step.text)") }
      guard (b - a) / s < Double(maximumValues) else {
        throw location.error("the range has more than \(maximumValues) values")
      }
      var k = 0.0
      while a + k * s <= b + 1e-9 * s {
        xs.append(a + k * s)
        k += 1
      }
    case (nil, let factor?):
      increment = factor
      let f = try number(factor)
      guard a > 0 else { throw from.location.error("a geometric range starts above 0, got \(from.text)") }
      guard f > 1 else { throw factor.location.error("the factor must exceed 1, got \(factor.text)") }
      var x = a
      while x <= b * (1 + 1e-12) {
        xs.append(x)
        guard xs.count <= maximumValues else { throw location.error("the range has more than \(maximumValues) values") }
        x *= f
      }
    default:
      throw location.error("a range takes from, to and exactly one of step or factor")
    }
    let integers = Int(from.text) != nil && Int(increment.text) != nil
    return xs.map { x in
      ConfigScalar(text: integers ? String(Int(x.rounded())) : "\(x)", location: location)
    }
  }
}
