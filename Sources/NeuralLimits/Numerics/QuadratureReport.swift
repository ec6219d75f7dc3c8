/// What quadrature layers (`NumericalActivation`) report about the kernel entries they
/// transformed: the largest estimated relative error of any entry, and the first that misses its
/// layer's target. One per task of the evaluator (no locking), merged after the pass.
public final class QuadratureReport: @unchecked Sendable {
  /// `nil` until a quadrature layer records a block of entries; NaN when an estimate was NaN.
  public private(set) var largestError: Double?
  /// A one-line description of an entry whose estimate exceeds its layer's target.
  public private(set) var miss: String?

  public init() {}

  /// Records the largest estimate of a block of entries.
  public func record(_ error: Double) {
    guard let largest = largestError else {
      largestError = error
      return
    }
    if !(error <= largest) && !largest.isNaN { largestError = error }
  }

  /// Records a miss, keeping the first.
  public func recordMiss(_ description: @autoclosure () -> String) {
    if miss == nil { miss = description() }
  }

  /// Adds what `other` recorded.
  public func merge(_ other: QuadratureReport) {
    if let e = other.largestError { record(e) }
    if let m = other.miss { recordMiss(m) }
  }

  /// Throws the recorded miss, if any.
  public func check() throws {
    if let miss { throw NeuralLimitsError.accuracy(miss) }
  }
}
