/// One kernel on training inputs `D` (`N` of them) and test inputs `*` (`M`).
public struct KernelBlocks: Sendable {
  /// `𝒦_DD`, `N × N`.
  public internal(set) var train: Matrix
  /// `𝒦_*D`, `M × N`: row `i` pairs test input `i` with every training input (neural-tangents'
  /// `k_test_train`).
  public internal(set) var testTrain: Matrix
  /// `𝒦_**`, `M × M`.
  public internal(set) var test: Matrix

  /// Throws when the shapes do not fit together or an entry is not finite.
  public init(train: Matrix, testTrain: Matrix, test: Matrix) throws {
    try self.init(finite: train, testTrain, test)
    try train.validateFinite("the train-train kernel")
    try testTrain.validateFinite("the test-train kernel")
    try test.validateFinite("the test-test kernel")
  }

  /// Blocks already known to be finite (the evaluator's, which `KernelState.finalize` checked);
  /// throws when the shapes do not fit together.
  init(finite train: Matrix, _ testTrain: Matrix, _ test: Matrix) throws {
    let n = train.rows, m = test.rows
    guard n > 0, m > 0, train.columns == n, test.columns == m, testTrain.rows == m, testTrain.columns == n else {
      throw NeuralLimitsError.dimensionMismatch(
        "kernel blocks must be N × N, M × N and M × M with N, M ≥ 1; got \(train.rows) × \(train.columns), "
          + "\(testTrain.rows) × \(testTrain.columns) and \(test.rows) × \(test.columns)")
    }
    self.train = train
    self.testTrain = testTrain
    self.test = test
  }
}

/// The NNGP and NTK blocks a predictive needs (`PredictiveMode.kinds`).
public struct PredictiveKernels: Sendable {
  public internal(set) var nngp: KernelBlocks?
  public internal(set) var ntk: KernelBlocks?

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
  /// Blocks the mode does not read (the NNGP of `ntkgp`) are not kept — for inputs of few
  /// features not even stored while the NTK is computed (`Layer.kernelMatrices`).
  public init(_ network: some Layer, train: Matrix, test: Matrix, mode: PredictiveMode) throws {
    let kinds = mode.kinds
    // The blocks of each kernel read, and what the predictive adds: a factor and W = 𝒦_*D L⁻ᵀ.
    let n = Double(train.rows), m = Double(test.rows), blocks = n * n + m * n + m * m
    try MemoryBudget.require(8 * (Double(kinds == [.nngp, .ntk] ? 2 : 1) * blocks + n * n + m * n),
                             for: "the kernels and predictive of \(train.rows) training and \(test.rows) test inputs",
                             hint: "use fewer training or test inputs")
    let dd = try network.kernelMatrices(train, nil, get: kinds), td = try network.kernelMatrices(test, train, get: kinds)
    let tt = try network.kernelMatrices(test, nil, get: kinds)
    try self.init(
      nngp: kinds.contains(.nngp) ? KernelBlocks(finite: dd.nngp!, td.nngp!, tt.nngp!) : nil,
      ntk: kinds.contains(.ntk) ? KernelBlocks(finite: dd.ntk!, td.ntk!, tt.ntk!) : nil)
  }
}
