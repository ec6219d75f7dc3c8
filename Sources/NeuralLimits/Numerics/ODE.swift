import CGSL

/// Integration of `dy/dt = f(t, y)` with GSL's adaptive Runge–Kutta–Prince–Dormand (8, 9)
/// driver (`gsl_odeiv2_driver`, `gsl_odeiv2_step_rk8pd`).
public enum ODE {
  /// What a right-hand side throws when the derivative does not exist at the state it was given
  /// (e.g. it is not finite at a trial stage of a step too long): the step is retried at half the
  /// size, and `error` is thrown only if the steps shrink to nothing.
  public struct UndefinedDerivative: Error {
    public let error: any Error
    public init(_ error: any Error) { self.error = error }
  }

  /// `y(t1)` from `y(t0) = y0`. Each step keeps the local error of component `i` within
  /// `absoluteTolerance·sᵢ + relativeTolerance·|yᵢ|`, where `sᵢ` is `absoluteScale[i]` (1 when
  /// not given; GSL's scaled control). `f` writes the derivative of the state into its third
  /// argument; any error it throws but `UndefinedDerivative` stops the integration and is rethrown.
  public static func integrate(
    from t0: Double, to t1: Double, initial y0: [Double],
    absoluteTolerance: Double = 1e-12, relativeTolerance: Double = 1e-12, absoluteScale: [Double]? = nil,
    _ f: @escaping (Double, UnsafeBufferPointer<Double>, UnsafeMutableBufferPointer<Double>) throws -> Void
  ) throws -> [Double] {
    guard !y0.isEmpty else { throw NeuralLimitsError.invalidArgument("ODE state is empty") }
    guard t0.isFinite, t1.isFinite else { throw NeuralLimitsError.invalidArgument("ODE times must be finite") }
    let scale = absoluteScale ?? [Double](repeating: 1, count: y0.count)
    guard scale.count == y0.count else {
      throw NeuralLimitsError.dimensionMismatch("ODE state has \(y0.count) components, its absolute scale \(scale.count)")
    }
    GSL.prepare()
    typealias Rhs = (Double, UnsafeBufferPointer<Double>, UnsafeMutableBufferPointer<Double>) throws -> Void
    let box = CallbackBox<(Rhs, Int)>((f, y0.count))
    var system = gsl_odeiv2_system(
      function: { t, y, dydt, params in
        let box = Unmanaged<CallbackBox<(Rhs, Int)>>.fromOpaque(params!).takeUnretainedValue()
        let (rhs, n) = box.function
        do {
          try rhs(t, UnsafeBufferPointer(start: y, count: n), UnsafeMutableBufferPointer(start: dydt, count: n))
          box.error = nil
          return Int32(GSL_SUCCESS)
        } catch let undefined as UndefinedDerivative {
          box.error = undefined.error
          return Int32(GSL_FAILURE)  // a failed step: retried at half the size
        } catch {
          box.error = error
          return Int32(GSL_EBADFUNC)  // the one status that makes the driver stop at once
        }
      },
      jacobian: nil, dimension: y0.count, params: Unmanaged.passUnretained(box).toOpaque())
    let initialStep = (t1 - t0) == 0 ? 1e-6 : (t1 - t0) * 1e-3
    var t = t0
    var y = y0
    let status = try scale.withUnsafeBufferPointer { s in
      guard let driver = gsl_odeiv2_driver_alloc_scaled_new(
        &system, cgsl_step_rk8pd(), initialStep, absoluteTolerance, relativeTolerance, 1, 0, s.baseAddress)
      else {
        throw NeuralLimitsError.gsl(routine: "gsl_odeiv2_driver_alloc_scaled_new", status: Int32(GSL_ENOMEM),
                                    reason: "allocation failed")
      }
      defer { gsl_odeiv2_driver_free(driver) }
      return withExtendedLifetime(box) { gsl_odeiv2_driver_apply(driver, &t, t1, &y) }
    }
    // The error of the last call, if that call failed, is why the driver stopped.
    if status != GSL_SUCCESS, let error = box.error { throw error }
    try GSL.check(status, "gsl_odeiv2_driver_apply")
    return y
  }
}
