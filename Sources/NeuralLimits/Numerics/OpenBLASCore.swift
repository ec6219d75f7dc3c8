/// OpenBLAS's x86-64 kernel families ("cores", as `openblas_get_corename` and
/// `OPENBLAS_CORETYPE` name them) and the one a CPU should run.
///
/// OpenBLAS 0.3.21 built with DYNAMIC_ARCH picks its core from the CPU's family and model numbers.
/// Models it does not know fall through to a generic core: every Intel family-6 model missing from
/// its table (Emerald Rapids, model 207, among them) gets `Prescott`, whose SSE3 kernels run
/// `dgemm` 3–6× slower than the CPU's own. The fix is to name the core from the CPU's features.
public enum OpenBLASCore {
  /// The core for `cpu`'s features, or nil where OpenBLAS's own SSE-era choice is as good
  /// (no AVX). Each name is one that OpenBLAS 0.3.21 accepts in `OPENBLAS_CORETYPE`:
  ///
  /// - AVX-512 F/CD/BW/DQ/VL: `SkylakeX`. (0.3.21 has no `SapphireRapids` core, and its
  ///   `Cooperlake` differs from `SkylakeX` only in bfloat16 kernels, and cannot be named in
  ///   `OPENBLAS_CORETYPE`: 0.3.21's lookup stops one entry short of it.)
  /// - AVX2 and FMA: `Zen` on AMD and Hygon, `Haswell` on other vendors.
  /// - AVX: `Sandybridge`.
  public static func recommended(for cpu: CPUFeatures) -> String? {
    switch cpu.vectorExtension {
    case .avx512: return "SkylakeX"
    case .avx2: return ["AuthenticAMD", "HygonGenuine"].contains(cpu.vendor) ? "Zen" : "Haswell"
    case .avx: return "Sandybridge"
    case .sse: return nil
    }
  }

  /// The vector extension of the CPUs a core is written for; nil for names not listed here
  /// (non-x86 cores, `Unknown`). Case-insensitive, as OpenBLAS matches `OPENBLAS_CORETYPE`.
  public static func vectorExtension(ofCore name: String) -> VectorExtension? {
    coreExtensions[name.lowercased()]
  }

  /// True when `core` is a generic fallback on `cpu`: it is written for a narrower vector
  /// extension than the CPU has. A detection that matches the CPU's extension level (`Nehalem`
  /// on an Atom without AVX, `Piledriver` on a Piledriver, `Zen` on a Zen 3) is legitimate and
  /// kept, even where the vendor differs (`Zen` on an Intel CPU with AVX2).
  public static func isFallback(_ core: String, on cpu: CPUFeatures) -> Bool {
    guard let level = vectorExtension(ofCore: core) else { return false }
    return level < cpu.vectorExtension
  }

  /// OpenBLAS's x86 cores (0.3.21's list, plus `SapphireRapids` from later releases) by the
  /// widest vector extension of the CPUs they target. The SSE-era ones are what 0.3.21 falls
  /// back to on CPUs it does not recognise: `Prescott` (unknown Intel models), `Barcelona` or
  /// `Nehalem` (stand-ins for AMD, Atom and Centaur parts); the 32-bit ones (`Katmai`,
  /// `Coppermine`, `Northwood`, `Banias`, `Athlon`) become `Prescott` on x86-64.
  private static let coreExtensions: [String: VectorExtension] = {
    let levels: [(VectorExtension, [String])] = [
      (.sse, ["Katmai", "Coppermine", "Northwood", "Prescott", "Banias", "Atom", "Core2", "Penryn",
              "Dunnington", "Nehalem", "Athlon", "Opteron", "Opteron_SSE3", "Barcelona", "Nano", "Bobcat"]),
      (.avx, ["Sandybridge", "Bulldozer", "Piledriver", "Steamroller"]),
      (.avx2, ["Haswell", "Zen", "Excavator"]),
      (.avx512, ["SkylakeX", "Cooperlake", "SapphireRapids"]),
    ]
    return Dictionary(uniqueKeysWithValues: levels.flatMap { level, names in names.map { ($0.lowercased(), level) } })
  }()
}
