/// One kernel on training inputs `D` (`N` of them) and test inputs `*` (`M`).
public struct KernelBlocks: Sendable {
  /// `𝒦_DD`, `N × N`.
  public let train: Matrix
  /// `𝒦_*D`, `M × N`: row `i` pairs test input `i` with every training input (neural-tangents'
  /// `k_test_train`).
  public let testTrain: Matrix
  /// `𝒦_**`, `M × M`.
  public let test: Matrix

  /// Throws when the shapes do not fit together or an entry is not finite.
  public init(train: Matrix, testTrain: Matrix, test: Matrix) throws {
    let n = train.rows, m = test.rows
    guard n > 0, m > 0, train.columns == n, test.columns == m, testTrain.rows == m, testTrain.columns == n else {
      throw NeuralLimitsError.dimensionMismatch(
        "kernel blocks must be N × N, M × N and M × M with N, M ≥ 1; got \(train.rows) × \(train.columns), "
          + "\(testTrain.rows) × \(testTrain.columns) and \(test.rows) × \(test.columns)")
    }
    try train.validateFinite("the train-train kernel")
    try testTrain.validateFinite("the test-train kernel")
    try test.validateFinite("the test-test kernel")
    self.train = train
    self.testTrain = testTrain
    self.test = test
  }
}

/// The NNGP and NTK blocks a predictive needs (`PredictiveMode.kinds`).
public struct PredictiveKernels: Sendable {
  public let nngp: KernelBlocks?
  public let ntk: KernelBlocks?

  /// Throws when the two kernels' blocks differ in shape.
  public init(nngp: KernelBlocks?, ntk: KernelBlocks?) throws {
    if let nngp, let ntk, nngp.testTrain.rows != ntk.testTrain.rows || nngp.testTrain.columns != ntk.testTrain.columns {
      throw NeuralLimitsError.dimensionMismatch(
        "the NNGP blocks are for \(nngp.testTrain.rows) test and \(nngp.testTrain.columns) training inputs, "
          + "the NTK's for \(ntk.testTrain.rows) and \(ntk.testTrain.columns)")
    }
    self.nngp = nngp
    self.ntk = ntk
  }

  /// The infinite-width kernels of `network` that `mode` reads, from the analytic evaluator:
  /// train-train `k(D, D)`, test-train `k(*, D)` and test-test `k(*, *)`, as neural-tangents'
  /// `kernel_fn(x_train, None)`, `kernel_fn(x_test, x_train)` and `kernel_fn(x_test, None)`.
  public init(_ network: some Layer, train: Matrix, test: Matrix, mode: PredictiveMode) throws {
    let kinds = mode.kinds
    let dd = try network.kernels(train, get: kinds)
    let td = try network.kernels(test, train, get: kinds)
    let tt = try network.kernels(test, get: kinds)
    try self.init(
      nngp: KernelBlocks(train: dd.nngp, testTrain: td.nngp, test: tt.nngp),
      ntk: kinds.contains(.ntk) ? KernelBlocks(train: dd.ntk!, testTrain: td.ntk!, test: tt.ntk!) : nil)
  }
}
