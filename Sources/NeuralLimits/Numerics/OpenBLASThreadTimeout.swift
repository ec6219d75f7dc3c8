/// How long OpenBLAS's idle threads spin before they sleep: `2^k` cycles for
/// `OPENBLAS_THREAD_TIMEOUT = k` (4…30), read once when the library loads. OpenBLAS's default,
/// `k = 28`, is about 0.1 s of `sched_yield` after every threaded call — while the library's own
/// parallel loops (kernel tiles, samples, members), which follow BLAS calls, need the cores: on the
/// posterior benchmark 17% of the cycles went to the yield loop. `k = 20` (about 0.4 ms) keeps the
/// threads warm across back-to-back BLAS calls: `neural-limits posterior` on the 4,000-point
/// benchmark, runs interleaved 12 times each, took a median 0.711 → 0.602 s (nngp) and
/// 0.759 → 0.688 s (ntkgp); `k` = 12 and 16 did the same, 24 less.
public enum OpenBLASThreadTimeout {
  public static let variable = "OPENBLAS_THREAD_TIMEOUT"
  public static let exponent = 20

  /// The variable to add when the program restarts anyway (`ProcessRestart`), unless the user set it.
  public static func restartEnvironment(_ environment: [String: String]) -> [String: String] {
    environment[variable] == nil ? [variable: String(exponent)] : [:]
  }
}
