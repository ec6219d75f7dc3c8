import Foundation

/// Binaries tuned for a CPU's vector extension, chosen at run time.
///
/// Swift cannot compile one function for several instruction sets and pick one at run time, so
/// `make release` builds the whole program twice: the portable x86-64 binary (SSE2), and one for
/// the build machine's widest extension (`-mavx2 -mfma`, plus AVX-512 F/CD/BW/DQ/VL), installed
/// beside it with the suffix `-avx2` or `-avx512`. At start the running binary compares what it was
/// built for with the CPU's features (`CPUFeatures`, read from `/proc/cpuinfo`) and hands over.
/// The kernel loops run about 1.5–2× faster tuned (`Benchmarks/`).
public enum TunedBinary {
  /// The name suffix of a binary tuned for `level` (`nil`: the portable one).
  public static func suffix(_ level: VectorExtension) -> String? {
    switch level {
    case .avx2: return "-avx2"
    case .avx512: return "-avx512"
    case .sse, .avx: return nil
    }
  }

  /// The binary to hand over to, `nil` to stay: the portable binary at `running` hands over to the
  /// most capable tuned sibling that the CPU can run and that exists; a tuned binary on a CPU
  /// without its extensions hands back to the portable one (or `nil` if there is none, and the
  /// caller must stop).
  public static func handOver(running path: String, builtFor: VectorExtension, cpu: VectorExtension,
                              isExecutable: (String) -> Bool = { FileManager.default.isExecutableFile(atPath: $0) })
    -> String?
  {
    if let own = suffix(builtFor) {
      guard builtFor > cpu, path.hasSuffix(own) else { return nil }
      let portable = String(path.dropLast(own.count))
      return isExecutable(portable) ? portable : nil
    }
    return [VectorExtension.avx512, .avx2].lazy.filter { $0 <= cpu }
      .compactMap { suffix($0).map { path + $0 } }.first(where: isExecutable)
  }
}
