/// Every failure the library reports: one line that names the problem.
///
/// The CLI prints `description` to standard error and exits with code 2.
public enum NeuralLimitsError: Error, Equatable, CustomStringConvertible {
  /// An argument outside its domain (negative width, NaN entry, zero repetitions, …).
  case invalidArgument(String)
  /// Shapes that do not fit together.
  case dimensionMismatch(String)
  /// A matrix that should be positive definite is not: Cholesky's pivot at `column` (1-based),
  /// the Schur complement's diagonal entry, is `pivot` ≤ 0.
  case notPositiveDefinite(column: Int, pivot: Double, jitter: Double)
  /// A LAPACK routine returned a non-zero `info`.
  case lapack(routine: String, info: Int)
  /// A GSL routine returned a non-zero status code.
  case gsl(routine: String, status: Int32, reason: String)
  /// A file could not be read, parsed or written.
  case io(String)
  /// A malformed architecture specification.
  case architecture(String)
  /// A request that would need more memory than the machine has.
  case resources(String)
  /// A numerical method cannot reach its stated accuracy on this input (e.g. a quadrature
  /// activation at a pre-activation variance beyond its reach).
  case accuracy(String)

  public var description: String {
    switch self {
    case .invalidArgument(let message): return "invalid argument: \(message)"
    case .dimensionMismatch(let message): return "dimension mismatch: \(message)"
    case .notPositiveDefinite(let column, let pivot, let jitter):
      return "matrix is not positive definite (Cholesky pivot \(column) is \(pivot)"
        + (jitter > 0 ? " with jitter \(jitter))" : ")")
    case .lapack(let routine, let info): return "LAPACK \(routine) failed with info = \(info)"
    case .gsl(let routine, let status, let reason): return "GSL \(routine) failed (status \(status): \(reason))"
    case .io(let message): return message
    case .architecture(let message): return "architecture: \(message)"
    case .resources(let message): return "resources: \(message)"
    case .accuracy(let message): return "accuracy: \(message)"
    }
  }
}
