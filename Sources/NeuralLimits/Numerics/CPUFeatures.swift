import Foundation

/// The vendor and vector extensions of the CPU this process runs on, read at run time.
///
/// Read from `/proc/cpuinfo`, whose `flags` line lists only the extensions the operating system
/// has enabled (the Linux kernel masks `avx512*` when it does not save AVX-512 register state), so
/// every extension listed can run here.
public struct CPUFeatures: Sendable, Equatable {
  /// The CPUID vendor string: `GenuineIntel`, `AuthenticAMD`, `HygonGenuine`, …
  public let vendor: String
  /// The first processor's `flags`, as `/proc/cpuinfo` spells them (`avx2`, `fma`, `avx512f`, …).
  public let flags: Set<String>

  public init(vendor: String, flags: Set<String>) {
    self.vendor = vendor
    self.flags = flags
  }

  /// This machine's features, read once; nil where `/proc/cpuinfo` has no x86 `flags` line
  /// (macOS, ARM).
  public static let current: CPUFeatures? = {
    guard let data = FileHandle(forReadingAtPath: "/proc/cpuinfo")?.readDataToEndOfFile() else { return nil }
    return parse(cpuinfo: String(decoding: data, as: UTF8.self))
  }()

  /// The first processor's `vendor_id` and `flags` in the text of `/proc/cpuinfo`; nil without a
  /// `flags` line.
  public static func parse(cpuinfo: String) -> CPUFeatures? {
    var vendor = "unknown"
    for line in cpuinfo.split(separator: "\n") {
      let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
      guard parts.count == 2 else { continue }
      if parts[0] == "vendor_id" { vendor = parts[1] }
      if parts[0] == "flags" {
        return CPUFeatures(vendor: vendor, flags: Set(parts[1].split(separator: " ").map(String.init)))
      }
    }
    return nil
  }

  /// The widest vector extension usable in full.
  public var vectorExtension: VectorExtension {
    VectorExtension.allCases.reversed().first { $0.requiredFlags.isSubset(of: flags) } ?? .sse
  }

  /// The flags that decide `vectorExtension` (and AVX-512 BF16), in order, as far as present.
  public var vectorFlags: [String] {
    (VectorExtension.allCases.flatMap(\.orderedFlags) + ["avx512_bf16"]).filter(flags.contains)
  }
}

/// x86-64 vector extension levels, in the order OpenBLAS's kernel families use them.
public enum VectorExtension: Int, CaseIterable, Comparable, Sendable, CustomStringConvertible {
  /// SSE2/SSE3: every x86-64 CPU.
  case sse
  /// AVX (256-bit, no fused multiply–add).
  case avx
  /// AVX2 with FMA3.
  case avx2
  /// AVX-512 Foundation, CD, BW, DQ and VL (Skylake-SP and later, Zen 4 and later).
  case avx512

  public static func < (a: VectorExtension, b: VectorExtension) -> Bool { a.rawValue < b.rawValue }

  public var description: String {
    switch self {
    case .sse: return "SSE"
    case .avx: return "AVX"
    case .avx2: return "AVX2"
    case .avx512: return "AVX-512"
    }
  }

  /// The flags this level adds to the one below it.
  fileprivate var orderedFlags: [String] {
    switch self {
    case .sse: return []
    case .avx: return ["avx"]
    case .avx2: return ["avx2", "fma"]
    case .avx512: return ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]
    }
  }

  /// Every flag this level needs (its own and those of the levels below).
  fileprivate var requiredFlags: Set<String> {
    Set(Self.allCases.filter { $0 <= self }.flatMap(\.orderedFlags))
  }
}
