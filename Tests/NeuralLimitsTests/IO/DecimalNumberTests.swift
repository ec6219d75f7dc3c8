import Foundation
import Testing
@testable import NeuralLimits

@Suite("Decimal numbers")
struct DecimalNumberTests {
  func parse(_ text: String) -> Double? {
    var text = text
    return text.withUTF8 { DecimalNumber.parse(UnsafeRawBufferPointer($0)) }
  }

  /// Seeded random 64-bit words.
  func words(_ count: Int, seed: UInt64) -> [UInt64] {
    let stream = RandomStream(seed: seed)
    return (0..<count).map { _ in UInt64(stream.uniform() * 0x1p32) << 32 | UInt64(stream.uniform() * 0x1p32) }
  }

  @Test("The power-of-ten table matches Go's detailedPowersOfTen")
  func table() {
    func entry(_ e: Int) -> (UInt64, UInt64) {
      let m = PowersOfTen.mantissas[e - PowersOfTen.range.lowerBound]
      return (m.high, m.low)
    }
    #expect(PowersOfTen.mantissas.count == PowersOfTen.range.count)
    #expect(entry(-348) == (0xFA8F_D5A0_081C_0288, 0x1732_C869_CD60_E453))
    #expect(entry(-1) == (0xCCCC_CCCC_CCCC_CCCC, 0xCCCC_CCCC_CCCC_CCCC))
    #expect(entry(0) == (0x8000_0000_0000_0000, 0))
    #expect(entry(43) == (0xE596_B7B0_C643_C719, 0x6D9C_CD05_D000_0000))
    #expect(entry(347) == (0xD13E_B464_6944_7567, 0x4B71_95F2_D2D1_A9FB))
  }

  @Test("Random decimal strings (seed 5, 20 000 of them) convert exactly as Double(String)")
  func randomStrings() {
    let stream = RandomStream(seed: 5)
    func pick(_ n: Int) -> Int { Int(stream.uniform() * Double(n)) }
    for _ in 0..<20_000 {
      var digits = String((0..<(1 + pick(25))).map { _ in Character(String(pick(10))) })
      if pick(2) == 0 { digits.insert(".", at: digits.index(digits.startIndex, offsetBy: pick(digits.count + 1))) }
      let text = ["", "-", "+"][pick(3)] + digits + (pick(4) == 0 ? "" : "e\(pick(721) - 360)")
      guard let expected = Double(text) else { continue }  // "." alone
      #expect(parse(text)?.bitPattern == expected.bitPattern, "\(text)")
    }
  }

  @Test("Every double (seed 6, 20 000 random bit patterns) round-trips through its description and %.17g")
  func roundTrips() {
    for word in words(20_000, seed: 6) {
      let x = Double(bitPattern: word)
      guard x.isFinite else { continue }
      #expect(parse(x.description)?.bitPattern == word, "\(x)")
      #expect(parse(String(format: "%.17g", x))?.bitPattern == word, "\(x)")
    }
  }

  @Test("Edge cases: ties, subnormals, overflow, long mantissas, special values")
  func edges() {
    let cases: [(String, Double)] = [
      ("0", 0), ("-0", -0.0), ("0e999999999999", 0), ("1", 1), ("1.", 1), (".5", 0.5), ("+1.5E+3", 1500),
      ("9007199254740993", 9_007_199_254_740_992), ("9007199254740995", 9_007_199_254_740_996),
      ("0.1", 0.1), ("1e23", 1e23), ("1.7976931348623157e308", .greatestFiniteMagnitude),
      ("1.7976931348623158e308", .greatestFiniteMagnitude), ("1.7976931348623159e308", .infinity),
      ("1e400", .infinity), ("-1e400", -.infinity), ("4.9406564584124654e-324", .leastNonzeroMagnitude),
      ("2.4703282292062327e-324", 0), ("2.4703282292062328e-324", .leastNonzeroMagnitude),
      ("2.2250738585072011e-308", Double.leastNormalMagnitude.nextDown), ("2.2250738585072014e-308", .leastNormalMagnitude),
      ("0.1000000000000000055511151231257827021181583404541015625", 0.1),
      ("123456789012345678901234567890", 1.2345678901234568e29), ("00000000000000000000000000001", 1),
      ("1e-1000000000000000000000", 0),
      ("inf", .infinity), ("-Infinity", -.infinity), ("INF", .infinity),
    ]
    for (text, value) in cases { #expect(parse(text)?.bitPattern == value.bitPattern, "\(text)") }
    #expect(parse("NaN")?.isNaN == true)
    #expect(parse("-nan")?.isNaN == true)
  }

  @Test("Anything but the strict syntax is refused")
  func refused() {
    for text in ["", "+", "-", ".", "e5", "1e", "1e+", "0x10", "0x1p3", "1\0", "1 2", " 1", "1_000", "1.2.3", "--1",
                 "1e5.5", "nan(1)", "infinit", "infinityy", "١", "1,5", "∞"] {
      #expect(parse(text) == nil, "\(text.debugDescription)")
    }
  }
}
