/// Strict decimal numbers, converted to the nearest `Double` (ties to even).
///
/// Syntax: `[+-]?(digits[.digits*]|.digits)([eE][+-]?digits)?`, or `nan`, `inf`, `infinity` in
/// any case with an optional sign; nothing else (no spaces, hex floats, NUL bytes or `_`).
/// Up to 19 significant digits go through the Eisel–Lemire algorithm (Nigel Tao, "The
/// Eisel-Lemire ParseNumberF64 Algorithm", 2020; 128-bit products with `PowersOfTen`); the rare
/// cases it cannot decide (more digits, subnormal or overflowing results, exact ties) through
/// Swift's `Double(String)`, which is correctly rounded too.
enum DecimalNumber {
  /// The value of `text` when all of it is a number in the syntax above, else nil.
  static func parse(_ text: UnsafeRawBufferPointer) -> Double? {
    var i = 0
    let end = text.count
    var negative = false
    if i < end && (text[i] == UInt8(ascii: "+") || text[i] == UInt8(ascii: "-")) {
      negative = text[i] == UInt8(ascii: "-")
      i += 1
    }
    guard i < end else { return nil }
    if text[i] | 0x20 >= UInt8(ascii: "a") && text[i] | 0x20 <= UInt8(ascii: "z") {
      return special(UnsafeRawBufferPointer(rebasing: text[i...]), negative: negative)
    }
    // value = mantissa · 10^exponent; digits past the 19th only move the exponent
    var mantissa: UInt64 = 0
    var significantDigits = 0
    var exponent = 0
    var sawDigit = false
    var inexact = false
    var inFraction = false
    while i < end {
      let byte = text[i]
      if byte == UInt8(ascii: ".") && !inFraction {
        inFraction = true
        i += 1
        continue
      }
      let digit = byte &- UInt8(ascii: "0")
      guard digit < 10 else { break }
      sawDigit = true
      if significantDigits < 19 {
        if mantissa != 0 || digit != 0 {
          mantissa = mantissa * 10 + UInt64(digit)
          significantDigits += 1
        }
        if inFraction { exponent -= 1 }
      } else {
        if !inFraction { exponent += 1 }
        if digit != 0 { inexact = true }
      }
      i += 1
    }
    guard sawDigit else { return nil }
    if i < end && text[i] | 0x20 == UInt8(ascii: "e") {
      i += 1
      var exponentNegative = false
      if i < end && (text[i] == UInt8(ascii: "+") || text[i] == UInt8(ascii: "-")) {
        exponentNegative = text[i] == UInt8(ascii: "-")
        i += 1
      }
      var written = 0
      var sawExponentDigit = false
      while i < end, text[i] &- UInt8(ascii: "0") < 10 {
        if written < 1_000_000 { written = written * 10 + Int(text[i] &- UInt8(ascii: "0")) }
        sawExponentDigit = true
        i += 1
      }
      guard sawExponentDigit else { return nil }
      exponent += exponentNegative ? -written : written
    }
    guard i == end else { return nil }
    if !inexact, let value = eiselLemire(mantissa, exponent, negative: negative) { return value }
    return Double(String(decoding: text, as: UTF8.self))
  }

  private static func special(_ word: UnsafeRawBufferPointer, negative: Bool) -> Double? {
    switch String(decoding: word, as: UTF8.self).lowercased() {
    case "nan": return .nan
    case "inf", "infinity": return negative ? -.infinity : .infinity
    default: return nil
    }
  }

  /// mantissa · 10^exponent rounded to nearest, or nil when the 128-bit approximation cannot
  /// decide (then the caller converts exactly) or the result is subnormal, infinite or out of
  /// the table's range.
  private static func eiselLemire(_ mantissa: UInt64, _ exponent: Int, negative: Bool) -> Double? {
    if mantissa == 0 { return negative ? -0.0 : 0.0 }
    guard PowersOfTen.range.contains(exponent) else { return nil }
    let shift = mantissa.leadingZeroBitCount
    let normalized = mantissa << shift
    var binaryExponent = (217_706 * exponent) >> 16 + 64 + 1023 - shift  // ⌊exponent·log₂10⌋ + …
    let power = PowersOfTen.mantissas[exponent - PowersOfTen.range.lowerBound]
    var (high, low) = normalized.multipliedFullWidth(by: power.high)
    if high & 0x1FF == 0x1FF && low &+ normalized < normalized {
      // The truncated low half of the power may carry into the bits that decide rounding.
      let (extraHigh, extraLow) = normalized.multipliedFullWidth(by: power.low)
      let mergedLow = low &+ extraHigh
      let mergedHigh = high &+ (mergedLow < low ? 1 : 0)
      if mergedHigh & 0x1FF == 0x1FF && mergedLow &+ 1 == 0 && extraLow &+ normalized < normalized { return nil }
      (high, low) = (mergedHigh, mergedLow)
    }
    let top = high >> 63
    var bits = high >> (top + 9)  // 54 bits
    binaryExponent -= 1 - Int(top)
    if low == 0 && high & 0x1FF == 0 && bits & 3 == 1 { return nil }  // possibly an exact tie
    bits += bits & 1
    bits >>= 1
    if bits >> 53 != 0 {
      bits >>= 1
      binaryExponent += 1
    }
    guard binaryExponent > 0 && binaryExponent < 0x7FF else { return nil }
    let pattern = UInt64(binaryExponent) << 52 | bits & 0x000F_FFFF_FFFF_FFFF
    return Double(bitPattern: negative ? pattern | 1 << 63 : pattern)
  }
}
