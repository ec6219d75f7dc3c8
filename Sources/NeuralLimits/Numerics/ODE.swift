import CGSL

/// Integration of `dy/dt = f(t, y)` with GSL's adaptive Runge–Kutta–Prince–Dormand (8, 9)
/// driver (`gsl_odeiv2_driver`, `gsl_odeiv2_step_rk8pd`).
public enum ODE {
  /// `y(t1)` from `y(t0) = y0`, to the given absolute and relative tolerances.
  /// `f` writes the derivative of the state into its third argument.
  public static func integrate(
    from t0: Double, to t1: Double, initial y0: [Double],
    absoluteTolerance: Double = 1e-12, relativeTolerance: Double = 1e-12,
    _ f: @escaping (Double, UnsafeBufferPointer<Double>, UnsafeMutableBufferPointer<Double>) -> Void
  ) throws -> [Double] {
    guard !y0.isEmpty else { throw NeuralLimitsError.invalidArgument("ODE state is empty") }
    guard t0.isFinite, t1.isFinite else { throw NeuralLimitsError.invalidArgument("ODE times must be finite") }
    GSL.prepare()
    typealias Rhs = (Double, UnsafeBufferPointer<Double>, UnsafeMutableBufferPointer<Double>) -> Void
    let box = CallbackBox<(Rhs, Int)>((f, y0.count))
    var system = gsl_odeiv2_system(
      function: { t, y, dydt, params in
        let (rhs, n) = Unmanaged<CallbackBox<(Rhs, Int)>>.fromOpaque(params!).takeUnretainedValue().function
        rhs(t, UnsafeBufferPointer(start: y, count: n), UnsafeMutableBufferPointer(start: dydt, count: n))
        return Int32(GSL_SUCCESS)
      },
      jacobian: nil, dimension: y0.count, params: Unmanaged.passUnretained(box).toOpaque())
    let initialStep = (t1 - t0) == 0 ? 1e-6 : (t1 - t0) * 1e-3
    guard let driver = gsl_odeiv2_driver_alloc_y_new(
      &system, cgsl_step_rk8pd(), initialStep, absoluteTolerance, relativeTolerance)
    else {
      throw NeuralLimitsError.gsl(routine: "gsl_odeiv2_driver_alloc_y_new", status: Int32(GSL_ENOMEM), reason: "allocation failed")
    }
    defer { gsl_odeiv2_driver_free(driver) }
    var t = t0
    var y = y0
    let status = withExtendedLifetime(box) { gsl_odeiv2_driver_apply(driver, &t, t1, &y) }
    try GSL.check(status, "gsl_odeiv2_driver_apply")
    return y
  }
}
