import Dispatch
import Foundation

/// The mean and its standard error, entry by entry, of a kernel over sampled networks.
public struct KernelEstimate: Sendable {
  public let mean: Matrix
  /// `s/√S` with `s` the sample standard deviation over the `S` networks.
  public let standardError: Matrix
  public let samples: Int
  /// With `MonteCarloSettings.correlations`: per entry, the mean over the networks of each
  /// network's own correlation `k(x, x')/√(k(x, x)·k(x', x'))`, and its standard error. Like the
  /// kernel, a network's correlation tends to the limit's as the width grows (to `O(1/n)`); `0`
  /// where a diagonal entry vanishes.
  public var correlation: (mean: Matrix, standardError: Matrix)?
}

/// Settings of a Monte Carlo run.
public struct MonteCarloSettings: Sendable {
  /// Hidden width `n`.
  public var width: Int
  /// Number of independently sampled networks.
  public var samples: Int
  /// Sample `s` draws from `RandomStream(seed: mix(seed, width), stream: s)`.
  public var seed: UInt64
  /// Outputs of a final dense layer without an explicit width.
  public var readoutWidth: Int
  public var kinds: KernelKinds
  /// Also estimate each kernel's correlations (`KernelEstimate.correlation`).
  public var correlations: Bool
  /// Rows per sequence (`LayerContext.tokens`; 1: independent inputs).
  public var tokens: Int

  public init(width: Int, samples: Int, seed: UInt64 = 0, readoutWidth: Int = 1, kinds: KernelKinds = [.nngp, .ntk],
              correlations: Bool = false, tokens: Int = 1) {
    self.width = width
    self.samples = samples
    self.seed = seed
    self.readoutWidth = readoutWidth
    self.kinds = kinds
    self.correlations = correlations
    self.tokens = tokens
  }
}

/// Averages empirical kernels over independently sampled finite networks.
///
/// Samples are grouped in blocks of `blockSize`; each block is reduced in sample order, and
/// blocks are merged in block order (Chan et al.'s pairwise mean/variance update) in rounds of
/// fixed size, so the result is the same bit for bit whatever the number of threads. The blocks
/// of a round run in parallel, OpenBLAS single-threaded meanwhile.
public enum MonteCarlo {
  static let blockSize = 4
  static let roundSize = 16

  /// Running mean and sum of squared deviations of a set of matrices.
  struct Moments {
    var count = 0
    var mean: [Double]
    var m2: [Double]
    init(size: Int) {
      mean = [Double](repeating: 0, count: size)
      m2 = [Double](repeating: 0, count: size)
    }

    mutating func add(_ x: [Double]) {
      count += 1
      let n = Double(count)
      for k in mean.indices {
        let delta = x[k] - mean[k]
        mean[k] += delta / n
        m2[k] += delta * (x[k] - mean[k])
      }
    }

    mutating func merge(_ other: Moments) {
      guard other.count > 0 else { return }
      guard count > 0 else {
        self = other
        return
      }
      let na = Double(count), nb = Double(other.count), n = na + nb
      for k in mean.indices {
        let delta = other.mean[k] - mean[k]
        mean[k] += delta * nb / n
        m2[k] += other.m2[k] + delta * delta * na * nb / n
      }
      count += other.count
    }
  }

  /// Memory one worker needs (bytes), for the up-front check.
  static func workingMemory(_ network: FiniteNetwork, batch: Int, ntk: Bool) -> Double {
    let widest = Double(network.widest.units)
    let activations = Double(network.primitiveCount) * 2 * Double(batch) * widest
    // Per sequence (`CotangentLayout`): `m` times the cotangents, and a Gram matrix over (row, token).
    let layout = network.cotangentLayout, rows = Double(batch * layout.tokens)
    let cotangents = ntk ? 3 * Double(batch) * Double(layout.copies) * widest + (layout.tokens > 1 ? rows * rows : 0) : 0
    return 8 * (Double(network.parameterCount) + activations + cotangents + 6 * Double(batch * batch))
  }

  /// The Monte Carlo estimate of the kernels between `x1` and `x2` (or `x1`; an `x2` equal to
  /// `x1` is the same inputs, as in `kernels`), with a progress callback `(done, total)` after
  /// each block.
  public static func kernels(
    _ layer: any Layer, _ x1: Matrix, _ x2: Matrix? = nil, settings: MonteCarloSettings,
    progress: (@Sendable (Int, Int) -> Void)? = nil
  ) throws -> (nngp: KernelEstimate, ntk: KernelEstimate?) {
    guard settings.samples >= 2 else {
      throw NeuralLimitsError.invalidArgument("samples must be at least 2 (for a standard error), got \(settings.samples)")
    }
    try x1.validateFinite("x1")
    try x2?.validateFinite("x2")
    let x2 = distinctSecondInputs(x1, x2)
    try checkSequences(x1, x2, tokens: settings.tokens)
    if let x2, x2.columns != x1.columns {
      throw NeuralLimitsError.dimensionMismatch("x1 has \(x1.columns) features, x2 has \(x2.columns)")
    }
    let network = try FiniteNetwork(layer.graph, inputWidth: x1.columns, width: settings.width,
                                    readoutWidth: settings.readoutWidth, tokens: settings.tokens)
    let batch = try x2.map { try x1.stacked(with: $0) } ?? x1
    let wantNTK = settings.kinds.contains(.ntk)
    if wantNTK, let layer = layer.graph.primitives.first(where: { !$0.hasBackward }) {
      throw NeuralLimitsError.invalidArgument("\(layer.specification) has no backward pass, so no empirical NTK: ask for the NNGP only")
    }
    let workers = ProcessInfo.processInfo.activeProcessorCount
    try MemoryBudget.require(
      Double(workers) * workingMemory(network, batch: batch.rows, ntk: wantNTK),
      for: "\(batch.rows) inputs through layers of up to \(network.widest.units) units (set by \(network.widest.source))",
      hint: "lower \(network.widest.source) or the number of inputs")
    let size = batch.rows * batch.rows
    // With correlations, each sample's vector is its kernel followed by its correlations.
    let momentSize = settings.correlations ? 2 * size : size
    @Sendable func sampleVector(_ k: Matrix) -> [Double] {
      guard settings.correlations else { return k.elements }
      let n = batch.rows
      var v = k.elements + [Double](repeating: 0, count: size)
      for i in 0..<n {
        for j in 0..<n { v[size + i * n + j] = k.kernelCorrelation(i, j) }
      }
      return v
    }
    let blocks = (settings.samples + blockSize - 1) / blockSize
    let seed = RandomStream.mix(settings.seed, UInt64(settings.width))
    var nngp = Moments(size: momentSize), ntk = Moments(size: wantNTK ? momentSize : 0)
    let counter = TaskCounter(total: settings.samples, report: progress)
    for roundStart in stride(from: 0, to: blocks, by: roundSize) {
      let roundBlocks = min(roundSize, blocks - roundStart)
      let partials = TaskSlots<(Moments, Moments)>(count: roundBlocks)
      BLAS.concurrentPerform(iterations: roundBlocks) { b in
        let block = roundStart + b
        var blockNNGP = Moments(size: momentSize), blockNTK = Moments(size: wantNTK ? momentSize : 0)
        for s in (block * blockSize)..<min(settings.samples, (block + 1) * blockSize) {
          let random = RandomStream(seed: seed, stream: UInt64(s))
          let parameters = network.initialize(random: random)
          let kernels = parameters.withUnsafeBufferPointer {
            EmpiricalKernels(network, parameters: $0, batch: batch, random: random, ntk: wantNTK)
          }
          blockNNGP.add(sampleVector(kernels.nngp))
          if let k = kernels.ntk { blockNTK.add(sampleVector(k)) }
          counter.advance()
        }
        partials.set(b, (blockNNGP, blockNTK))
      }
      for (blockNNGP, blockNTK) in partials.values {
        nngp.merge(blockNNGP)
        ntk.merge(blockNTK)
      }
    }
    let rows = x1.rows
    let columns = x2?.rows ?? x1.rows
    let columnOffset = x2 == nil ? 0 : x1.rows
    /// The mean and standard error of the entries starting at `offset` in the moments.
    func entries(_ m: Moments, offset: Int) -> (mean: Matrix, standardError: Matrix) {
      var mean = Matrix(rows: rows, columns: columns), error = Matrix(rows: rows, columns: columns)
      let n = Double(m.count)
      for i in 0..<rows {
        for j in 0..<columns {
          let k = offset + i * batch.rows + columnOffset + j
          mean[i, j] = m.mean[k]
          error[i, j] = (max(m.m2[k], 0) / (n - 1) / n).squareRoot()
        }
      }
      return (mean, error)
    }
    func estimate(_ m: Moments) -> KernelEstimate {
      let kernel = entries(m, offset: 0)
      return KernelEstimate(mean: kernel.mean, standardError: kernel.standardError, samples: m.count,
                            correlation: settings.correlations ? entries(m, offset: size) : nil)
    }
    return (estimate(nngp), wantNTK ? estimate(ntk) : nil)
  }
}
