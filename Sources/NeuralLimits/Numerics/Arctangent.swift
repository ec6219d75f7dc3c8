/// A branch-free `atan2(y, x)` for `x ≥ 0`, for the hot loops of the erf and GELU kernels (whose
/// arcsines are taken as `atan2(r, √(1 − r²))`).
///
/// The reduction and the rational approximation of Sun Microsystems' fdlibm `s_atan.c` (error
/// below 1 ulp): with `a = |y|`, `b = x` and `t = a/b`, the argument is reduced to
/// `|u| ≤ 7/16` as `t`, `(2t − 1)/(2 + t)`, `(t − 1)/(t + 1)`, `(t − 3/2)/(1 + 3t/2)` or `−1/t` by
/// the thresholds 7/16, 11/16, 19/16 and 39/16, and `atan t = atan(cᵢ) + atan u`. Each reduced
/// argument is formed from `a` and `b` directly (`(2a − b)/(2b + a)`, …) with one division, so no
/// rounding of `t` enters, and the region is chosen by comparing `a` with multiples of `b`.
/// Straight-line code (selects, no calls), so that loops over kernel entries vectorise.
/// Checked against libm's `atan2` in `ArctangentTests`.
public enum Arctangent {
  private static let atanHi = (4.63647609000806093515e-01, 7.85398163397448278999e-01, 9.82793723247329054082e-01,
                               1.57079632679489655800e+00)
  private static let atanLo = (2.26987774529616870924e-17, 3.06161699786838301793e-17, 1.39033110312309984516e-17,
                               6.12323399573676603587e-17)
  private static let aT0 = 3.33333333333329318027e-01, aT1 = -1.99999999998764832476e-01
  private static let aT2 = 1.42857142725034663711e-01, aT3 = -1.11111104054623557880e-01
  private static let aT4 = 9.09088713343650656196e-02, aT5 = -7.69187620504482999495e-02
  private static let aT6 = 6.66107313738753120669e-02, aT7 = -5.83357013379057348645e-02
  private static let aT8 = 4.97687799461593236017e-02, aT9 = -3.65315727442169155270e-02
  private static let aT10 = 1.62858201153657823623e-02

  /// `atan2(y, x)` for `x ≥ 0` (and `0` at `y = 0`), in `[−π/2, π/2]`.
  @inline(__always)
  public static func evaluate(_ y: Double, _ x: Double) -> Double {
    let a = Swift.abs(y), b = x
    // Region 0: t < 7/16, 1: < 11/16, 2: < 19/16, 3: < 39/16, 4: beyond.
    let r1 = a >= 0.4375 * b, r2 = a >= 0.6875 * b, r3 = a >= 1.1875 * b, r4 = a >= 2.4375 * b
    let numerator = r4 ? -b : r3 ? a - 1.5 * b : r2 ? a - b : r1 ? 2 * a - b : a
    let denominator = r4 ? a : r3 ? b + 1.5 * a : r2 ? a + b : r1 ? 2 * b + a : b
    let u = numerator / denominator
    let z = u * u, w = z * z
    let s1 = z * multiplyAdd(w, multiplyAdd(w, multiplyAdd(w, multiplyAdd(w, multiplyAdd(w, aT10, aT8), aT6), aT4), aT2), aT0)
    let s2 = w * multiplyAdd(w, multiplyAdd(w, multiplyAdd(w, multiplyAdd(w, aT9, aT7), aT5), aT3), aT1)
    let hi = r4 ? atanHi.3 : r3 ? atanHi.2 : r2 ? atanHi.1 : atanHi.0
    let lo = r4 ? atanLo.3 : r3 ? atanLo.2 : r2 ? atanLo.1 : atanLo.0
    let reduced = hi - ((u * (s1 + s2) - lo) - u)
    let magnitude = r1 ? reduced : u - u * (s1 + s2)
    return a == 0 ? y : (y < 0 ? -magnitude : magnitude)
  }
}
