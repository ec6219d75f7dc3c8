/// The 128-bit mantissas of 10^e for e in `range`, rounded down, for the Eisel–Lemire
/// conversion in `DecimalNumber`: 10^e ≈ (high · 2^64 + low) · 2^(⌊e·log₂10⌋ − 127), with the top
/// bit of `high` set (the table of Go's `strconv`, `detailedPowersOfTen`).
///
/// Computed once, exactly, from powers of five (10^e and 5^e share their mantissa bits): for
/// e ≥ 0 the leading 128 bits of 5^e; for e < 0 the quotient ⌊2^(b+127) / 5^−e⌋, where b is the
/// bit length of 5^−e, by binary long division.
enum PowersOfTen {
  static let range = -348...347

  /// Entry `e - range.lowerBound` is the mantissa of 10^e.
  static let mantissas: [(high: UInt64, low: UInt64)] = {
    var leading: [(high: UInt64, low: UInt64)] = []      // 5^0 … 5^347
    var reciprocals: [(high: UInt64, low: UInt64)] = []  // 5^1 … 5^348
    var power = BigUInt(1)
    for k in 0...max(range.upperBound, -range.lowerBound) {
      if k <= range.upperBound { leading.append(power.leading128Bits) }
      if k >= 1 && k <= -range.lowerBound { reciprocals.append(power.reciprocal128Bits) }
      power.multiply(by: 5)
    }
    return reciprocals.reversed() + leading
  }()
}

/// Just enough of an unsigned big integer for the table: 32-bit limbs, least significant first.
private struct BigUInt {
  var limbs: [UInt32]

  init(_ value: UInt32) { limbs = [value] }

  var bitLength: Int { 32 * limbs.count - limbs.last!.leadingZeroBitCount }

  func bit(_ index: Int) -> UInt64 { UInt64(limbs[index / 32] >> (index % 32) & 1) }

  mutating func multiply(by factor: UInt32) {
    var carry: UInt64 = 0
    for k in limbs.indices {
      let product = UInt64(limbs[k]) * UInt64(factor) + carry
      limbs[k] = UInt32(truncatingIfNeeded: product)
      carry = product >> 32
    }
    if carry != 0 { limbs.append(UInt32(carry)) }
  }

  /// Bits `bitLength − 1` down to `bitLength − 128` (zeros below bit 0).
  var leading128Bits: (high: UInt64, low: UInt64) {
    var result = (high: UInt64(0), low: UInt64(0))
    for index in stride(from: bitLength - 1, through: bitLength - 128, by: -1) {
      result = (result.high << 1 | result.low >> 63, result.low << 1 | (index >= 0 ? bit(index) : 0))
    }
    return result
  }

  /// ⌊2^(bitLength + 127) / self⌋, which has 128 bits when `self` is not a power of two.
  var reciprocal128Bits: (high: UInt64, low: UInt64) {
    var remainder = BigUInt(0)
    remainder.limbs = [UInt32](repeating: 0, count: limbs.count + 1)
    remainder.limbs[(bitLength - 1) / 32] = 1 << ((bitLength - 1) % 32)  // 2^(bitLength−1) < self
    var result = (high: UInt64(0), low: UInt64(0))
    for _ in 0..<128 {
      remainder.double()
      let quotientBit: UInt64 = remainder.isLess(than: self) ? 0 : 1
      if quotientBit == 1 { remainder.subtract(self) }
      result = (result.high << 1 | result.low >> 63, result.low << 1 | quotientBit)
    }
    return result
  }

  private mutating func double() {
    var carry: UInt32 = 0
    for k in limbs.indices {
      let next = limbs[k] >> 31
      limbs[k] = limbs[k] << 1 | carry
      carry = next
    }
  }

  /// Compares with `other`, which has no more limbs.
  private func isLess(than other: BigUInt) -> Bool {
    for k in limbs.indices.reversed() {
      let theirs = k < other.limbs.count ? other.limbs[k] : 0
      if limbs[k] != theirs { return limbs[k] < theirs }
    }
    return false
  }

  /// Subtracts `other` (not larger, with no more limbs).
  private mutating func subtract(_ other: BigUInt) {
    var borrow: UInt64 = 0
    for k in limbs.indices {
      let difference = UInt64(limbs[k]) &- UInt64(k < other.limbs.count ? other.limbs[k] : 0) &- borrow
      limbs[k] = UInt32(truncatingIfNeeded: difference)
      borrow = difference >> 63
    }
  }
}
