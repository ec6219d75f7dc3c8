import Dispatch
import Foundation

/// Settings of an Euler–Maruyama run of a covariance SDE.
public struct SDESettings: Sendable {
  /// The final time `T` (depth over width).
  public var time: Double
  /// The step; `T/dt` is rounded to a whole number of steps and `dt` adjusted to fit exactly.
  public var step: Double
  public var paths: Int
  public var seed: UInt64
  /// A path stops (and is counted) when the mean of its diagonal leaves `[0, window]` or any
  /// entry is not finite (the Shaped Transformer SDE's cubic drift can blow up in finite time).
  public var window: Double
  /// Times at which the mean correlation is recorded (besides 0 and `T`): `samplesInTime` evenly
  /// spaced points.
  public var samplesInTime: Int

  public init(time: Double, step: Double, paths: Int, seed: UInt64 = 0, window: Double = 1e6, samplesInTime: Int = 20) {
    self.time = time
    self.step = step
    self.paths = paths
    self.seed = seed
    self.window = window
    self.samplesInTime = samplesInTime
  }

  /// The number of steps, `round(T/dt)`, at least 1.
  public var steps: Int { max(1, Int((time / step).rounded())) }

  func validate() throws {
    guard time > 0, time.isFinite else { throw NeuralLimitsError.invalidArgument("T must be positive and finite, got \(time)") }
    guard step > 0, step.isFinite else { throw NeuralLimitsError.invalidArgument("dt must be positive and finite, got \(step)") }
    guard step <= time else { throw NeuralLimitsError.invalidArgument("dt (\(step)) must not exceed T (\(time))") }
    guard time / step <= 1e8 else { throw NeuralLimitsError.invalidArgument("T/dt = \(time / step) steps is more than 10⁸") }
    guard paths >= 1 else { throw NeuralLimitsError.invalidArgument("the number of paths must be at least 1, got \(paths)") }
    guard window > 0, window.isFinite else { throw NeuralLimitsError.invalidArgument("the window must be positive and finite") }
    guard samplesInTime >= 0 else { throw NeuralLimitsError.invalidArgument("samplesInTime must be ≥ 0") }
  }
}

/// Every path of a run: the final covariance of those that did not stop, when the others
/// stopped, and the mean correlation of every path over time.
public struct SDEEnsemble: Sendable {
  public let tokens: Int
  /// The final `V` of each path that reached `T` (in path order).
  public var finals: [Matrix] { pathFinals.compactMap { $0 } }
  /// The final `V` of every path, `nil` for those that stopped.
  public let pathFinals: [Matrix?]
  /// The time at which each stopped path left the window (in path order).
  public let stoppingTimes: [Double]
  /// Steps at which `V` had left the positive semi-definite cone and was replaced by its positive
  /// part, over all paths.
  public let projections: Int
  /// The recording times and, per time, the mean off-diagonal correlation of every path that had
  /// not stopped by then (path order).
  public let times: [Double]
  public let meanCorrelations: [[Double]]
  public let settings: SDESettings
  public let steps: Int

  /// The fraction of paths that stopped.
  public var stoppedFraction: Double { Double(stoppingTimes.count) / Double(settings.paths) }
}

/// Euler–Maruyama for covariance SDEs: `V ← V + b(V)·dt + N(V, g)·√dt` (`CovarianceSDE`).
///
/// - Symmetry: drift and noise are symmetric by construction, and the update is mirrored from
///   the upper triangle, so `V` stays exactly symmetric.
/// - Positive semi-definiteness: the noise needs a root of `V`; the Cholesky factor when `V` is
///   positive definite, else (a step overshot the cone's boundary, e.g. a correlation past ±1
///   near rank collapse) `V` is replaced by its positive part `Q·Λ₊·Qᵀ` — the nearest PSD matrix
///   in the Frobenius norm — whose root `Q·√Λ₊` serves, and the event is counted (`projections`).
/// - Stopping: a path whose mean diagonal leaves `[0, window]` or turns non-finite stops there;
///   its time is reported and it takes no further part.
/// - Reproducibility: path `p` draws from `RandomStream(seed: mix(seed, 0x5DE), stream: p)`
///   alone and paths are collected in order, so results are identical at any thread count;
///   OpenBLAS runs single-threaded meanwhile, paths spread over the cores.
public enum EulerMaruyama {
  public static func simulate(_ sde: any CovarianceSDE, initial v0: Matrix, settings: SDESettings,
                              progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> SDEEnsemble {
    try simulate(sde, initial: v0, settings: settings, substeps: 1, progress: progress)
  }

  /// As `simulate`, each step's Gaussians the normalised sum of `substeps` draws,
  /// `(g₁ + … + g_k)/√k`: a run at `dt` with `substeps = 2` follows the same Brownian path as a
  /// run at `dt/2` with `substeps = 1` from the same seed (`convergence`).
  static func simulate(_ sde: any CovarianceSDE, initial v0: Matrix, settings: SDESettings, substeps: Int,
                       progress: (@Sendable (Int, Int) -> Void)?) throws -> SDEEnsemble {
    try settings.validate()
    let m = v0.rows
    guard m >= 2, v0.columns == m else {
      throw NeuralLimitsError.invalidArgument("the initial covariance must be m × m with m ≥ 2 tokens, got \(v0.rows) × \(v0.columns)")
    }
    try v0.validateFinite("the initial covariance")
    _ = try Cholesky(v0)
    let steps = settings.steps
    let dt = settings.time / Double(steps)
    let recordEvery = settings.samplesInTime > 0 ? max(1, steps / settings.samplesInTime) : steps
    let recordSteps = Array(stride(from: 0, through: steps, by: recordEvery)) + (steps % recordEvery == 0 ? [] : [steps])
    let seed = RandomStream.mix(settings.seed, 0x5DE)
    let results = TaskSlots<PathResult>(count: settings.paths)
    let done = TaskCounter(total: settings.paths, report: progress)
    let workers = min(ProcessInfo.processInfo.activeProcessorCount, settings.paths)
    BLAS.concurrentPerform(iterations: workers) { worker in
      let workspace = SDEWorkspace(tokens: m, gaussianCount: sde.gaussianCount(tokens: m))
      let v = UnsafeMutablePointer<Double>.allocate(capacity: m * m)
      defer { v.deallocate() }
      for path in stride(from: worker, to: settings.paths, by: workers) {
        v0.elements.withUnsafeBufferPointer { v.update(from: $0.baseAddress!, count: m * m) }
        let random = RandomStream(seed: seed, stream: UInt64(path))
        results.set(path, run(sde, v, m, steps: steps, dt: dt, recordSteps: recordSteps, window: settings.window,
                              random: random, substeps: substeps, workspace: workspace))
        done.advance()
      }
    }
    let all = results.values
    let times = recordSteps.map { Double($0) * dt }
    return SDEEnsemble(
      tokens: m, pathFinals: all.map(\.final), stoppingTimes: all.compactMap(\.stoppedAt),
      projections: all.reduce(0) { $0 + $1.projections }, times: times,
      meanCorrelations: times.indices.map { k in all.compactMap { k < $0.record.count ? $0.record[k] : nil } },
      settings: settings, steps: steps)
  }

  struct PathResult: Sendable {
    var final: Matrix?
    var stoppedAt: Double?
    var projections = 0
    var record: [Double] = []
  }

  /// One path from the state in `v` (overwritten).
  static func run(_ sde: any CovarianceSDE, _ v: UnsafeMutablePointer<Double>, _ m: Int, steps: Int, dt: Double,
                  recordSteps: [Int], window: Double, random: RandomStream, substeps: Int,
                  workspace w: SDEWorkspace) -> PathResult {
    var result = PathResult()
    let sqrtDt = dt.squareRoot()
    var nextRecord = 0
    for step in 0...steps {
      if nextRecord < recordSteps.count, recordSteps[nextRecord] == step {
        result.record.append(meanCorrelation(v, m))
        nextRecord += 1
      }
      guard step < steps else { break }
      // A root of V: Cholesky, or the positive part's root when V has left the PD cone.
      w.root.update(from: v, count: m * m)
      var triangular = SmallMatrixKernels.cholesky(w.root, m)
      if !triangular {
        guard SmallMatrixKernels.positivePart(v, root: w.root, m, eigenvalues: w.eigenvalues) != nil else {
          result.stoppedAt = Double(step) * dt
          return result
        }
        result.projections += 1
        triangular = false
      }
      sde.drift(v, tokens: m, into: w.drift, workspace: w)
      random.fillGaussian(UnsafeMutableBufferPointer(start: w.gaussians, count: w.gaussianCount))
      if substeps > 1 {
        for _ in 1..<substeps {
          for k in 0..<w.gaussianCount { w.gaussians[k] += random.gaussian() }
        }
        let norm = 1 / Double(substeps).squareRoot()
        for k in 0..<w.gaussianCount { w.gaussians[k] *= norm }
      }
      sde.noise(v, root: w.root, triangular: triangular, tokens: m, gaussians: w.gaussians, into: w.noise, workspace: w)
      var diagonal = 0.0, finite = true
      for i in 0..<m {
        for j in i..<m {
          let x = v[i * m + j] + w.drift[i * m + j] * dt + w.noise[i * m + j] * sqrtDt
          v[i * m + j] = x
          v[j * m + i] = x
          finite = finite && x.isFinite
        }
        diagonal += v[i * m + i]
      }
      diagonal /= Double(m)
      if !finite || !(diagonal >= 0 && diagonal <= window) {
        result.stoppedAt = Double(step + 1) * dt
        return result
      }
    }
    result.final = try! Matrix(rows: m, columns: m, elements: Array(UnsafeBufferPointer(start: v, count: m * m)))
    return result
  }

  /// The mean over pairs `α < β` of `V^{αβ}/√(V^{αα}V^{ββ})`.
  static func meanCorrelation(_ v: UnsafePointer<Double>, _ m: Int) -> Double {
    var sum = 0.0
    for i in 0..<m {
      for j in (i + 1)..<max(m, i + 1) {
        let root = (max(v[i * m + i], 0) * max(v[j * m + j], 0)).squareRoot()
        sum += root > 0 ? min(max(v[i * m + j] / root, -1), 1) : 0
      }
    }
    return sum / Double(m * (m - 1) / 2)
  }
}
