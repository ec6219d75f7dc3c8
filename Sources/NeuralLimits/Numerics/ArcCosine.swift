/// A branch-free `arccos` for the hot loops of arc-cosine kernels.
///
/// The rational approximation of Sun Microsystems' fdlibm `e_acos.c` (Remez, error < 2⁻⁵⁸ on
/// its range): `asin(x) = x + x·R(x²)` for `|x| < ½`, and `arccos|x| = 2·(s + s·R(z))` with
/// `z = (1 − |x|)/2`, `s = √z` otherwise. Without fdlibm's last correction term the result is
/// within 1 ulp of the correctly rounded value (checked against libm in `ArcCosineTests`).
/// `arccos(1) = 0` exactly, which keeps the diagonal of a kernel exact.
public enum ArcCosine {
  private static let pio2Hi = 1.57079632679489655800e+00
  private static let pio2Lo = 6.12323399573676603587e-17
  private static let pS0 = 1.66666666666666657415e-01, pS1 = -3.25565818622400915405e-01
  private static let pS2 = 2.01212532134862925881e-01, pS3 = -4.00555345006794114027e-02
  private static let pS4 = 7.91534994289814532176e-04, pS5 = 3.47933107596021167570e-05
  private static let qS1 = -2.40339491173441421878e+00, qS2 = 2.02094576023350569471e+00
  private static let qS3 = -6.88283971605453293030e-01, qS4 = 7.70381505559019352791e-02

  /// `arccos x` for `x ∈ [−1, 1]`. Straight-line code (selects, no calls), so that loops over
  /// kernel entries calling it vectorise.
  @inline(__always)
  public static func evaluate(_ x: Double) -> Double {
    let ax = Swift.abs(x)
    let small = ax < 0.5
    let z = small ? x * x : (1 - ax) * 0.5
    let p = z * multiplyAdd(z, multiplyAdd(z, multiplyAdd(z, multiplyAdd(z, multiplyAdd(z, pS5, pS4), pS3), pS2), pS1), pS0)
    let q = multiplyAdd(z, multiplyAdd(z, multiplyAdd(z, multiplyAdd(z, qS4, qS3), qS2), qS1), 1)
    let r = p / q
    let s = z.squareRoot()
    let sr = s * r
    let large = x < 0 ? 2 * (pio2Hi - (s + (sr - pio2Lo))) : 2 * (s + sr)
    return small ? pio2Hi - (x - (pio2Lo - x * r)) : large
  }
}
