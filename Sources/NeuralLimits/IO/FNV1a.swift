import Foundation

/// The 64-bit FNV-1a hash (Fowler, Noll & Vo): a fingerprint of bytes, not a cryptographic hash.
/// It names and identifies files (a table configuration, a row's parameters); wherever a match
/// matters, the full content is compared too.
public enum FNV1a {
  public static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes {
      h ^= UInt64(byte)
      h = h &* 0x0000_0100_0000_01b3
    }
    return h
  }

  /// `hash` as 16 lowercase hex digits.
  public static func hex(_ bytes: some Sequence<UInt8>) -> String {
    let digits = String(hash(bytes), radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
  }
}
