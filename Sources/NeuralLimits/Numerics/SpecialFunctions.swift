import CGSL

/// Special functions from GSL, with GSL's error reporting (`gsl_sf_*_e`) turned into throws.
public enum SpecialFunctions {
  /// `Γ(x)`.
  public static func gamma(_ x: Double) throws -> Double {
    GSL.prepare()
    var result = gsl_sf_result()
    try GSL.check(gsl_sf_gamma_e(x, &result), "gsl_sf_gamma_e")
    return result.val
  }

  /// `erf(x)`.
  public static func erf(_ x: Double) -> Double {
    gsl_sf_erf(x)
  }

  /// The standard normal distribution function `Φ(x) = P(Z ≤ x)` (GSL's `gsl_cdf_ugaussian_P`).
  public static func normalCDF(_ x: Double) -> Double {
    gsl_cdf_ugaussian_P(x)
  }

  /// The upper-tail quantile of the standard normal: `z` with `P(Z > z) = tail` (GSL's
  /// `gsl_cdf_ugaussian_Qinv`, accurate for tails down to the smallest doubles).
  public static func normalUpperQuantile(_ tail: Double) -> Double {
    gsl_cdf_ugaussian_Qinv(tail)
  }

  /// The upper-tail quantile of Student's t with `degreesOfFreedom` (> 0): `t` with
  /// `P(T > t) = tail` (GSL's `gsl_cdf_tdist_Qinv`).
  public static func studentTUpperQuantile(_ tail: Double, degreesOfFreedom: Double) -> Double {
    gsl_cdf_tdist_Qinv(tail, degreesOfFreedom)
  }

  /// The double factorial `n!! = n·(n−2)·…` with `(−1)!! = 0!! = 1`.
  public static func doubleFactorial(_ n: Int) -> Double {
    var p = 1.0
    var k = n
    while k > 1 { p *= Double(k); k -= 2 }
    return p
  }
}
