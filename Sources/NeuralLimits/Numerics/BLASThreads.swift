import CLAPACKE
import Dispatch
import Synchronization

/// OpenBLAS's thread count, which is one per process.
///
/// Work parallelised outside BLAS (samples, members, kernel rows) runs in a one-thread region,
/// `withOneThread`, so the two never oversubscribe the cores. Regions may overlap — tasks of one
/// process, suites of a test run: the first to enter sets OpenBLAS to one thread, the last to
/// leave puts back the count it found (or the one `setThreads` asked for meanwhile), so no region
/// runs with more than one BLAS thread and none leaves the process stuck at one.
///
/// OpenBLAS splits some reductions by thread (`dsymv` in the eigen-decompositions, the level-2
/// kernels), so a result can differ in its last bits between thread counts; it is the same bit for
/// bit at one count. A BLAS call made while another task is inside a region runs on one thread.
extension BLAS {
  private struct ThreadRegions {
    /// Regions now running.
    var active = 0
    /// The count to put back when the last one leaves.
    var outside = 1
  }

  private static let regions = Mutex(ThreadRegions())

  /// Sets OpenBLAS's thread count (at least 1) — at once, or, inside a one-thread region, when the
  /// last region leaves.
  public static func setThreads(_ n: Int) {
    regions.withLock { state in
      state.outside = max(1, n)
      if state.active == 0 { openblas_set_num_threads(Int32(state.outside)) }
    }
  }

  /// The count OpenBLAS's calls now use: 1 inside a one-thread region.
  public static var threads: Int { Int(openblas_get_num_threads()) }

  /// The count OpenBLAS runs on outside one-thread regions.
  static var threadsOutsideRegions: Int {
    regions.withLock { $0.active == 0 ? threads : $0.outside }
  }

  /// Runs `body` with OpenBLAS on one thread (see the type's notes on overlapping regions).
  public static func withOneThread<Result>(_ body: () throws -> Result) rethrows -> Result {
    regions.withLock { state in
      if state.active == 0 {
        state.outside = threads
        openblas_set_num_threads(1)
      }
      state.active += 1
    }
    defer {
      regions.withLock { state in
        state.active -= 1
        if state.active == 0 { openblas_set_num_threads(Int32(state.outside)) }
      }
    }
    return try body()
  }

  /// `DispatchQueue.concurrentPerform` inside a one-thread region.
  public static func concurrentPerform(iterations: Int, execute work: @Sendable (Int) -> Void) {
    withOneThread { DispatchQueue.concurrentPerform(iterations: iterations, execute: work) }
  }
}
