import ArgumentParser
import NeuralLimits

/// `neural-limits doctor`: which BLAS, LAPACK and GSL this binary runs on.
struct Doctor: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Show the linked BLAS/LAPACK/GSL libraries and their versions.")

  func run() throws {
    let linkage = Linkage.current()
    print("neural-limits \(neuralLimitsVersion)")
    print("cblas_dgemm bound to: \(linkage.cblasProvider)")
    print("OpenBLAS:             \(linkage.openBLASConfig)")
    print("OpenBLAS core:        \(linkage.openBLASCore), \(linkage.openBLASThreads) thread(s)")
    print("LAPACK (LAPACKE):     \(linkage.lapackVersion)")
    print("GSL:                  \(linkage.gslVersion)")
    print(linkage.usesOpenBLAS ? "BLAS check:           ok (OpenBLAS, not GSL's reference gslcblas)"
                               : "BLAS check:           WARNING: not OpenBLAS; matrix products will be slow")
  }
}
