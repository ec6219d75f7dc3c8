import Dispatch
import Foundation

/// Finite networks run on one sequence of `m` tokens (`m × n`), the simulation side of the
/// covariance SDEs: every sample draws a fresh network, starts from `X₀` with `X₀X₀ᵀ/n = V₀`
/// exactly, runs it with `FiniteNetwork.sample` and records `V = XXᵀ/n` at the end and the mean
/// correlation after every top-level block.
public enum TokenCovariance {
  /// `X₀ = L·Q·√n` with `L·Lᵀ = V₀` (Cholesky) and `Q` an `m × n` matrix of orthonormal rows from
  /// Gram–Schmidt on Gaussian rows, so `X₀X₀ᵀ/n = V₀` up to rounding and the columns of `X₀`
  /// look Gaussian with covariance `V₀` (a random rotation of any fixed frame).
  public static func initialTokens(_ v0: Matrix, width n: Int, random: RandomStream) throws -> Matrix {
    let m = v0.rows
    guard n >= m else { throw NeuralLimitsError.invalidArgument("the width (\(n)) must be at least the number of tokens (\(m))") }
    var q = try Matrix(rows: m, columns: n, elements: random.gaussians(m * n))
    for i in 0..<m {
      for _ in 0..<2 {  // twice, for orthogonality to rounding
        for k in 0..<i {
          var dot = 0.0
          for j in 0..<n { dot += q[i, j] * q[k, j] }
          for j in 0..<n { q[i, j] -= dot * q[k, j] }
        }
      }
      var norm = 0.0
      for j in 0..<n { norm += q[i, j] * q[i, j] }
      let scale = 1 / norm.squareRoot()
      for j in 0..<n { q[i, j] *= scale }
    }
    return Double(n).squareRoot() * (try Cholesky(v0).lower * q)
  }

  /// The outcome over samples: the final `V` of each (sample order) and, per top-level block,
  /// each sample's `V = XXᵀ/n` after it and its mean correlation.
  public struct Ensemble: Sendable {
    public let finals: [Matrix]
    /// `blockKernels[k][s]`: sample `s`'s `V` after top-level block `k`.
    public let blockKernels: [[Matrix]]
    /// `meanCorrelations[k][s]`: the mean correlation of `blockKernels[k][s]`.
    public let meanCorrelations: [[Double]]

    init(finals: [Matrix], blockKernels: [[Matrix]]) {
      self.finals = finals
      self.blockKernels = blockKernels
      meanCorrelations = blockKernels.map { $0.map(TokenCovariance.meanCorrelation) }
    }
  }

  /// `samples` networks of width `width` on `V₀`; sample `s` draws from
  /// `RandomStream(seed: mix(seed, width), stream: s)`, so results do not depend on the thread count.
  public static func simulate(_ network: any Layer, initial v0: Matrix, width: Int, samples: Int, seed: UInt64,
                              progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> Ensemble {
    let m = v0.rows
    guard samples >= 2 else { throw NeuralLimitsError.invalidArgument("samples must be at least 2, got \(samples)") }
    let finite = try FiniteNetwork(network.graph, inputWidth: width, width: width, readoutWidth: width, tokens: m)
    guard finite.outputWidth == width else {
      throw NeuralLimitsError.architecture("the network must keep the width \(width), its output has \(finite.outputWidth) units")
    }
    let streamSeed = RandomStream.mix(seed, UInt64(width))
    let results = TaskSlots<(Matrix, [Matrix])>(count: samples)
    let counter = TaskCounter(total: samples, report: progress)
    let workers = min(ProcessInfo.processInfo.activeProcessorCount, samples)
    let failure = TaskSlots<NeuralLimitsError>(count: workers)
    BLAS.concurrentPerform(iterations: workers) { worker in
      let workspace = SamplingWorkspace()
      for s in stride(from: worker, to: samples, by: workers) {
        let random = RandomStream(seed: streamSeed, stream: UInt64(s))
        do {
          var profile: [Matrix] = []
          let x = finite.sample(try initialTokens(v0, width: width, random: random), tokens: m, random: random,
                                workspace: workspace) { _, x in profile.append(gram(x)) }
          results.set(s, (gram(x), profile))
        } catch let error as NeuralLimitsError {
          failure.set(worker, error)
          return
        } catch {
          return
        }
        counter.advance()
      }
    }
    if let error = failure.values.first { throw error }
    let all = results.values
    let blocks = all.first?.1.count ?? 0
    return Ensemble(finals: all.map(\.0), blockKernels: (0..<blocks).map { k in all.map { $0.1[k] } })
  }

  /// `XXᵀ/n`.
  static func gram(_ x: Matrix) -> Matrix { BLAS.gram(x, alpha: 1 / Double(x.columns)) }

  /// The mean over pairs of `V^{αβ}/√(V^{αα}V^{ββ})`.
  static func meanCorrelation(_ v: Matrix) -> Double {
    v.elements.withUnsafeBufferPointer { EulerMaruyama.meanCorrelation($0.baseAddress!, v.rows) }
  }
}
