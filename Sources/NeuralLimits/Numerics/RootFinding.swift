import CGSL

/// Root finding with GSL: bracketing Brent in one dimension (`gsl_root_fsolver_brent`), Powell's
/// scaled hybrid method in several (`gsl_multiroot_fsolver_hybrids`, MINPACK's `hybrd`).
public enum RootFinding {
  /// A root of `f` in `[lower, upper]`, where `f(lower)` and `f(upper)` differ in sign.
  /// Stops when the bracket is narrower than `absoluteTolerance + relativeTolerance·|x|`.
  public static func brent(
    _ f: @escaping (Double) -> Double, lower: Double, upper: Double,
    absoluteTolerance: Double = 1e-14, relativeTolerance: Double = 1e-14, maxIterations: Int = 200
  ) throws -> Double {
    guard lower < upper, lower.isFinite, upper.isFinite else {
      throw NeuralLimitsError.invalidArgument("root bracket must be finite with lower < upper, got [\(lower), \(upper)]")
    }
    let fl = f(lower), fu = f(upper)
    if fl == 0 { return lower }
    if fu == 0 { return upper }
    guard fl.sign != fu.sign, fl.isFinite, fu.isFinite else {
      throw NeuralLimitsError.invalidArgument("f(\(lower)) = \(fl) and f(\(upper)) = \(fu) do not bracket a root")
    }
    GSL.prepare()
    guard let solver = gsl_root_fsolver_alloc(cgsl_root_brent()) else {
      throw NeuralLimitsError.gsl(routine: "gsl_root_fsolver_alloc", status: Int32(GSL_ENOMEM), reason: "allocation failed")
    }
    defer { gsl_root_fsolver_free(solver) }
    let box = CallbackBox(f)
    var function = gsl_function(
      function: { x, params in
        Unmanaged<CallbackBox<(Double) -> Double>>.fromOpaque(params!).takeUnretainedValue().function(x)
      },
      params: Unmanaged.passUnretained(box).toOpaque())
    return try withExtendedLifetime(box) {
      try GSL.check(gsl_root_fsolver_set(solver, &function, lower, upper), "gsl_root_fsolver_set")
      for _ in 0..<maxIterations {
        try GSL.check(gsl_root_fsolver_iterate(solver), "gsl_root_fsolver_iterate")
        let a = gsl_root_fsolver_x_lower(solver), b = gsl_root_fsolver_x_upper(solver)
        if gsl_root_test_interval(a, b, absoluteTolerance, relativeTolerance) == Int32(GSL_SUCCESS) {
          return gsl_root_fsolver_root(solver)
        }
      }
      throw NeuralLimitsError.gsl(routine: "gsl_root_fsolver_iterate", status: Int32(GSL_EMAXITER),
                                  reason: "no convergence in \(maxIterations) iterations")
    }
  }

  /// A root of `f: ℝⁿ → ℝⁿ` near `start` by Powell's scaled hybrid method with a finite-difference
  /// Jacobian (`gsl_multiroot_fsolver_hybrids`), stopping when `Σᵢ|fᵢ(x)| < residualTolerance`.
  /// Returns `nil` when the iteration stalls, leaves the finite numbers or runs out of iterations
  /// (the caller tries another start).
  public static func hybrid(
    _ f: @escaping ([Double]) -> [Double], start: [Double], residualTolerance: Double = 1e-12, maxIterations: Int = 200
  ) -> [Double]? {
    let n = start.count
    guard n > 0 else { return nil }
    GSL.prepare()
    guard let solver = gsl_multiroot_fsolver_alloc(cgsl_multiroot_hybrids(), n), let x0 = gsl_vector_alloc(n) else { return nil }
    defer {
      gsl_multiroot_fsolver_free(solver)
      gsl_vector_free(x0)
    }
    let box = CallbackBox(f)
    var function = gsl_multiroot_function(
      f: { x, params, out in
        let f = Unmanaged<CallbackBox<([Double]) -> [Double]>>.fromOpaque(params!).takeUnretainedValue().function
        let n = Int(x!.pointee.size)
        let y = f((0..<n).map { gsl_vector_get(x, $0) })
        guard y.count == n, y.allSatisfy(\.isFinite) else { return Int32(GSL_EBADFUNC) }
        for i in 0..<n { gsl_vector_set(out, i, y[i]) }
        return Int32(GSL_SUCCESS)
      },
      n: n, params: Unmanaged.passUnretained(box).toOpaque())
    for i in 0..<n { gsl_vector_set(x0, i, start[i]) }
    return withExtendedLifetime(box) {
      guard gsl_multiroot_fsolver_set(solver, &function, x0) == Int32(GSL_SUCCESS) else { return nil }
      for _ in 0..<maxIterations {
        if gsl_multiroot_test_residual(gsl_multiroot_fsolver_f(solver), residualTolerance) == Int32(GSL_SUCCESS) {
          return (0..<n).map { gsl_vector_get(gsl_multiroot_fsolver_root(solver), $0) }
        }
        guard gsl_multiroot_fsolver_iterate(solver) == Int32(GSL_SUCCESS) else { return nil }
      }
      return nil
    }
  }
}
