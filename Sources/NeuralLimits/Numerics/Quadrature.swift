import Foundation
import CGSL

/// Adaptive quadrature through GSL's QAGS (finite interval) and QAGI/QAGIU/QAGIL (infinite).
public enum Quadrature {
  /// A value and GSL's estimate of its absolute error.
  public struct Result: Sendable {
    public let value: Double
    public let absoluteError: Double
  }

  /// `∫_a^b f(x) dx` for `a < b`; either bound may be infinite. Throws when GSL cannot reach the tolerances.
  public static func integrate(
    _ f: @escaping (Double) -> Double, from a: Double, to b: Double,
    absoluteTolerance: Double = 1e-12, relativeTolerance: Double = 1e-10, limit: Int = 1000
  ) throws -> Result {
    guard a < b else { throw NeuralLimitsError.invalidArgument("integration needs a < b, got [\(a), \(b)]") }
    GSL.prepare()
    guard let workspace = gsl_integration_workspace_alloc(limit) else {
      throw NeuralLimitsError.gsl(routine: "gsl_integration_workspace_alloc", status: Int32(GSL_ENOMEM), reason: "allocation failed")
    }
    defer { gsl_integration_workspace_free(workspace) }
    let box = CallbackBox(f)
    let context = Unmanaged.passUnretained(box).toOpaque()
    var function = gsl_function(
      function: { x, params in
        Unmanaged<CallbackBox<(Double) -> Double>>.fromOpaque(params!).takeUnretainedValue().function(x)
      },
      params: context)
    var value = 0.0
    var error = 0.0
    let status: Int32
    let routine: String
    switch (a.isInfinite, b.isInfinite) {
    case (false, false):
      routine = "gsl_integration_qags"
      status = gsl_integration_qags(&function, a, b, absoluteTolerance, relativeTolerance, limit, workspace, &value, &error)
    case (true, true):
      routine = "gsl_integration_qagi"
      status = gsl_integration_qagi(&function, absoluteTolerance, relativeTolerance, limit, workspace, &value, &error)
    case (false, true):
      routine = "gsl_integration_qagiu"
      status = gsl_integration_qagiu(&function, a, absoluteTolerance, relativeTolerance, limit, workspace, &value, &error)
    case (true, false):
      routine = "gsl_integration_qagil"
      status = gsl_integration_qagil(&function, b, absoluteTolerance, relativeTolerance, limit, workspace, &value, &error)
    }
    withExtendedLifetime(box) {}
    try GSL.check(status, routine)
    return Result(value: value, absoluteError: error)
  }

  /// `E f(z)` for `z ~ N(0, 1)`: `∫ f(z)·e^{−z²/2}/√(2π) dz` over the real line by QAGI.
  public static func gaussianExpectation(
    _ f: @escaping (Double) -> Double, absoluteTolerance: Double = 1e-14, relativeTolerance: Double = 1e-12
  ) throws -> Double {
    let norm = 1 / (2 * Double.pi).squareRoot()
    return try integrate({ z in
      let w = norm * exp(-z * z / 2)
      return w == 0 ? 0 : w * f(z)
    }, from: -.infinity, to: .infinity, absoluteTolerance: absoluteTolerance, relativeTolerance: relativeTolerance).value
  }
}
