import Foundation

/// One run of `neural-limits sde`: the SDE from `V₀` (unit diagonal, off-diagonals `ρ₀`) to `T`,
/// and optionally the finite networks of width `n` and depth `d = round(T·n)` (shaped, and plain
/// for contrast), their comparison and the step-halving check.
public struct CovarianceStudy: Sendable {
  public struct Settings: Sendable {
    public var model: CovarianceModel
    public var tokens: Int
    public var rho0: Double
    public var sde: SDESettings
    /// Width and samples of the finite networks (`nil`: no simulation).
    public var simulation: (width: Int, samples: Int)?
    /// Also run the networks without shaping (rank collapse).
    public var contrast: Bool
    /// Also halve `dt` on the same paths (`StepConvergence`).
    public var checkStep: Bool

    public init(model: CovarianceModel, tokens: Int, rho0: Double, sde: SDESettings,
                simulation: (width: Int, samples: Int)? = nil, contrast: Bool = false, checkStep: Bool = false) {
      self.model = model
      self.tokens = tokens
      self.rho0 = rho0
      self.sde = sde
      self.simulation = simulation
      self.contrast = contrast
      self.checkStep = checkStep
    }

    /// `V₀ = (1 − ρ₀)I + ρ₀11ᵀ`, positive definite for `−1/(m − 1) < ρ₀ < 1`.
    public func initialCovariance() throws -> Matrix {
      guard tokens >= 2 else { throw NeuralLimitsError.invalidArgument("--tokens must be at least 2, got \(tokens)") }
      guard tokens <= 4096 else { throw NeuralLimitsError.invalidArgument("--tokens must be at most 4096, got \(tokens)") }
      let lower = -1 / Double(tokens - 1)
      guard rho0 > lower, rho0 < 1 else {
        throw NeuralLimitsError.invalidArgument("--rho0 must be in (\(lower), 1) for \(tokens) tokens (V₀ positive definite), got \(rho0)")
      }
      var v = Matrix(rows: tokens, columns: tokens, repeating: rho0)
      for i in 0..<tokens { v[i, i] = 1 }
      return v
    }

    /// `round(T·n)`.
    public func depth(width n: Int) -> Int { max(1, Int((sde.time * Double(n)).rounded())) }
  }

  public let settings: Settings
  public let sde: SDEEnsemble
  public let network: TokenCovariance.Ensemble?
  public let unshaped: TokenCovariance.Ensemble?
  /// SDE against network (with `simulation`).
  public let comparison: CovarianceComparison?
  /// The SDE's own statistics (`CovarianceComparison.statistics`), summarised.
  public let sdeSummaries: [(name: String, summary: SampleSummary)]
  /// The 95th percentile of `|ρ¹²|` with its bootstrap error, SDE and network.
  public let absoluteCorrelation95: (sde: (Double, Double), network: (Double, Double)?)
  public let convergence: StepConvergence?

  public init(_ settings: Settings, progress: (@Sendable (Int, Int) -> Void)? = nil) throws {
    self.settings = settings
    let v0 = try settings.initialCovariance()
    let model = try settings.model.sde()
    var total = settings.sde.paths
    if let s = settings.simulation { total += s.samples * (settings.contrast ? 2 : 1) }
    let shared = SharedProgress(total: total, report: progress)
    sde = try EulerMaruyama.simulate(model, initial: v0, settings: settings.sde, progress: shared.offset(0))
    guard sde.finals.count >= 2 else {
      throw NeuralLimitsError.invalidArgument(
        "only \(sde.finals.count) of \(settings.sde.paths) paths reached T (the others left the window): lower T or γ, or widen --window")
    }
    if let simulation = settings.simulation {
      guard simulation.width >= settings.tokens else {
        throw NeuralLimitsError.invalidArgument("--width (\(simulation.width)) must be at least --tokens (\(settings.tokens))")
      }
      let d = settings.depth(width: simulation.width)
      let shaped = try settings.model.network(width: simulation.width, depth: d)
      network = try TokenCovariance.simulate(shaped, initial: v0, width: simulation.width, samples: simulation.samples,
                                             seed: settings.sde.seed, progress: shared.offset(settings.sde.paths))
      unshaped = settings.contrast
        ? try TokenCovariance.simulate(try settings.model.network(width: simulation.width, depth: d, shaped: false), initial: v0,
                                       width: simulation.width, samples: simulation.samples, seed: settings.sde.seed &+ 1,
                                       progress: shared.offset(settings.sde.paths + simulation.samples))
        : nil
      comparison = try CovarianceComparison(sde: sde.finals, network: network!.finals, seed: settings.sde.seed)
    } else {
      network = nil
      unshaped = nil
      comparison = nil
    }
    let names = CovarianceComparison.statistics(sde.finals[0]).map(\.0)
    let values = sde.finals.map { CovarianceComparison.statistics($0).map(\.1) }
    sdeSummaries = try names.indices.map { k in (names[k], try SampleSummary(values.map { $0[k] }, seed: settings.sde.seed)) }
    func percentile(_ vs: [Matrix], seed: UInt64) throws -> (Double, Double) {
      let q = try SampleSummary(vs.map { abs(CovarianceComparison.statistics($0)[0].1) }, quantiles: [0.95], seed: seed).quantiles[0]
      return (q.value, q.error)
    }
    absoluteCorrelation95 = (try percentile(sde.finals, seed: settings.sde.seed),
                             try network.map { try percentile($0.finals, seed: settings.sde.seed + 1) })
    convergence = settings.checkStep ? try StepConvergence(model, initial: v0, settings: settings.sde) : nil
  }

  /// The mean correlation over paths against time: `(t, SDE mean, its error, network mean, its
  /// error, unshaped mean, its error)`, the networks read at block `round(t·n)`.
  public var correlationProfile: [(t: Double, sde: (Double, Double), network: (Double, Double)?, unshaped: (Double, Double)?)] {
    func meanAndError(_ x: [Double]) -> (Double, Double) { SampleSummary.meanAndError(x) }
    return zip(sde.times, sde.meanCorrelations).map { t, values in
      let initial = settings.rho0
      func network(_ e: TokenCovariance.Ensemble?) -> (Double, Double)? {
        guard let e, let n = settings.simulation?.width else { return nil }
        let block = Int((t * Double(n)).rounded())
        guard block > 0 else { return (initial, 0) }
        return meanAndError(e.meanCorrelations[min(block, e.meanCorrelations.count) - 1])
      }
      return (t, meanAndError(values), network(self.network), network(unshaped))
    }
  }
}

/// Progress over several consecutive runs, reported as one `(done, total)`.
private final class SharedProgress: @unchecked Sendable {
  let total: Int
  let report: (@Sendable (Int, Int) -> Void)?
  init(total: Int, report: (@Sendable (Int, Int) -> Void)?) {
    self.total = total
    self.report = report
  }
  /// A callback for a run whose items come after `offset` others.
  func offset(_ offset: Int) -> (@Sendable (Int, Int) -> Void)? {
    guard let report else { return nil }
    let total = self.total
    return { done, _ in report(offset + done, total) }
  }
}
