/// A regression task: training inputs and targets, test inputs, and the test targets when known
/// (held-out values for `PredictiveMetrics`). Inputs are one per row; targets have `k ≥ 1`
/// columns, one per output.
public struct RegressionData: Sendable {
  /// `N × d`.
  public let trainInputs: Matrix
  /// `N × k`.
  public let trainTargets: Matrix
  /// `M × d`.
  public let testInputs: Matrix
  /// `M × k`, or `nil`.
  public let testTargets: Matrix?

  /// Throws when the shapes do not fit together or a value is not finite.
  public init(trainInputs: Matrix, trainTargets: Matrix, testInputs: Matrix, testTargets: Matrix? = nil) throws {
    guard trainInputs.rows > 0, testInputs.rows > 0, trainInputs.columns > 0 else {
      throw NeuralLimitsError.invalidArgument("training and test inputs need at least one row and one feature")
    }
    guard testInputs.columns == trainInputs.columns else {
      throw NeuralLimitsError.dimensionMismatch(
        "training inputs have \(trainInputs.columns) features, test inputs \(testInputs.columns)")
    }
    guard trainTargets.rows == trainInputs.rows, trainTargets.columns > 0 else {
      throw NeuralLimitsError.dimensionMismatch(
        "\(trainInputs.rows) training inputs but \(trainTargets.rows) × \(trainTargets.columns) targets")
    }
    if let testTargets, testTargets.rows != testInputs.rows || testTargets.columns != trainTargets.columns {
      throw NeuralLimitsError.dimensionMismatch(
        "test targets are \(testTargets.rows) × \(testTargets.columns), expected \(testInputs.rows) × \(trainTargets.columns)")
    }
    try trainInputs.validateFinite("the training inputs")
    try trainTargets.validateFinite("the training targets")
    try testInputs.validateFinite("the test inputs")
    try testTargets?.validateFinite("the test targets")
    self.trainInputs = trainInputs
    self.trainTargets = trainTargets
    self.testInputs = testInputs
    self.testTargets = testTargets
  }
}
