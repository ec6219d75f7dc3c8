import CGSL
import CLAPACKE
import Foundation

/// Which numerical libraries this process actually runs on (for `neural-limits doctor`).
public struct Linkage: Sendable {
  /// The shared object that the dynamic linker bound `cblas_dgemm` to.
  public let cblasProvider: String
  /// OpenBLAS's build configuration and the CPU kernel it chose.
  public let openBLASConfig: String
  public let openBLASCore: String
  public let openBLASThreads: Int
  /// How `openBLASCore` was chosen.
  public let coreChoice: OpenBLASCoreChoice
  /// The CPU's vendor and vector extensions; nil where they cannot be read.
  public let cpu: CPUFeatures?
  /// LAPACK version from `ilaver`.
  public let lapackVersion: String
  public let gslVersion: String

  public static func current() -> Linkage {
    var provider = "not found"
    if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "cblas_dgemm") {
      provider = mappedFile(containing: UInt(bitPattern: symbol)) ?? "unknown"
    }
    var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
    LAPACKE_ilaver(&major, &minor, &patch)
    return Linkage(
      cblasProvider: provider,
      openBLASConfig: String(cString: openblas_get_config()),
      openBLASCore: String(cString: openblas_get_corename()),
      openBLASThreads: BLAS.threads,
      coreChoice: OpenBLASCoreSelection.choice(environment: ProcessInfo.processInfo.environment),
      cpu: CPUFeatures.current,
      lapackVersion: "\(major).\(minor).\(patch)",
      gslVersion: GSL.version)
  }

  /// The file mapped at `address`, from `/proc/self/maps` (lines `start-end perms offset dev inode path`).
  private static func mappedFile(containing address: UInt) -> String? {
    // /proc files report size 0, so read them as a stream rather than by size.
    guard let data = FileHandle(forReadingAtPath: "/proc/self/maps")?.readDataToEndOfFile(),
          let maps = String(data: data, encoding: .utf8) else { return nil }
    for line in maps.split(separator: "\n") {
      let fields = line.split(separator: " ", omittingEmptySubsequences: true)
      guard fields.count >= 6 else { continue }
      let bounds = fields[0].split(separator: "-").compactMap { UInt($0, radix: 16) }
      if bounds.count == 2, bounds[0] <= address, address < bounds[1] { return String(fields[5]) }
    }
    return nil
  }

  /// True when `cblas_dgemm` comes from OpenBLAS rather than GSL's reference `gslcblas`.
  public var usesOpenBLAS: Bool {
    cblasProvider.contains("openblas")
  }

  /// The core OpenBLAS's own detection picked: the running one, or the one a restart replaced;
  /// nil when the user forced a core (the detection never ran).
  public var detectedCore: String? {
    switch coreChoice {
    case .detected: return openBLASCore
    case .corrected(let detected): return detected
    case .userSet: return nil
    }
  }

  /// The core this CPU's features call for (`OpenBLASCore.recommended(for:)`).
  public var recommendedCore: String? {
    cpu.flatMap(OpenBLASCore.recommended(for:))
  }

  /// True when the running core is a generic fallback, narrower than the CPU's vectors.
  public var runsFallbackCore: Bool {
    cpu.map { OpenBLASCore.isFallback(openBLASCore, on: $0) } ?? false
  }
}
