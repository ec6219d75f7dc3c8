import CGSL

/// Entry point to GNU GSL: its abort-on-error handler is switched off once, before any
/// GSL call, and every status code is turned into a thrown `NeuralLimitsError.gsl`.
enum GSL {
  /// Evaluated once, thread-safely (Swift globals and statics are lazily initialised once).
  private static let handlerOff: Void = { _ = gsl_set_error_handler_off() }()

  /// Call before using any GSL routine.
  static func prepare() { _ = handlerOff }

  /// Throws when `status` is not `GSL_SUCCESS`.
  static func check(_ status: Int32, _ routine: String) throws {
    guard status != Int32(GSL_SUCCESS) else { return }
    let reason = gsl_strerror(status).map { String(cString: $0) } ?? "unknown"
    throw NeuralLimitsError.gsl(routine: routine, status: status, reason: reason)
  }

  /// The linked GSL's version string.
  static var version: String {
    prepare()
    return String(cString: cgsl_version())
  }
}

/// Boxes a Swift closure so that a C callback can reach it through a `void *` parameter.
final class CallbackBox<F> {
  let function: F
  /// The first error thrown inside the callback; GSL cannot propagate it itself.
  var error: Error?
  init(_ function: F) { self.function = function }
}
