import CGSL

/// Bracketing root finding with GSL's Brent solver (`gsl_root_fsolver_brent`).
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
}
