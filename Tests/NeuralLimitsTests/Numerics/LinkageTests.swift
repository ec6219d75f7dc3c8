import Testing
@testable import NeuralLimits

@Test("cblas_dgemm binds to OpenBLAS, not GSL's reference gslcblas")
func blasIsOpenBLAS() {
  let linkage = Linkage.current()
  #expect(linkage.usesOpenBLAS, "cblas_dgemm comes from \(linkage.cblasProvider)")
  #expect(linkage.gslVersion.hasPrefix("2."))
}
