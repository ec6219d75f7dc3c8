/// `a·b + c`, fused (one rounding) in builds tuned for AVX2 or AVX-512 (`TunedBinary`), where the
/// CPU has FMA; two operations in the portable build, where a fused `addingProduct` would be a
/// library call. Polynomials in the hot kernel loops are written with it.
@inline(__always)
func multiplyAdd(_ a: Double, _ b: Double, _ c: Double) -> Double {
  #if NEURAL_LIMITS_AVX2 || NEURAL_LIMITS_AVX512
  return c.addingProduct(a, b)
  #else
  return a * b + c
  #endif
}
