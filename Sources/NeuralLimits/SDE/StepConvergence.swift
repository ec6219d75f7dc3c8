/// How much the statistics at `T` change when the Euler–Maruyama step is halved, on the same
/// Brownian paths: a run at `dt` whose steps use the normalised sums of pairs of draws against a
/// run at `dt/2` from the same streams (`EulerMaruyama.simulate(…, substeps:)`). Per statistic of
/// `CovarianceComparison.statistics`, over the paths that reached `T` in both runs: the mean of
/// `stat(dt) − stat(dt/2)` with its standard error (the weak error, what a distribution
/// comparison sees) and its root mean square (the strong error, path by path; Euler–Maruyama's
/// order ½ makes it shrink like `√dt`).
public struct StepConvergence: Sendable {
  public struct Change: Sendable {
    public let name: String
    /// The statistic's mean at `dt/2`.
    public let fine: Double
    /// The mean of `stat(dt) − stat(dt/2)` and its standard error.
    public let change: Double
    public let changeError: Double
    /// `√mean((stat(dt) − stat(dt/2))²)`.
    public let rmsChange: Double
  }

  public let changes: [Change]
  public let pairedPaths: Int

  public init(_ sde: any CovarianceSDE, initial v0: Matrix, settings: SDESettings) throws {
    let coarse = try EulerMaruyama.simulate(sde, initial: v0, settings: settings, substeps: 2, progress: nil)
    var half = settings
    half.step = settings.time / Double(2 * settings.steps)
    let fine = try EulerMaruyama.simulate(sde, initial: v0, settings: half, substeps: 1, progress: nil)
    let pairs = zip(coarse.pathFinals, fine.pathFinals).compactMap { a, b in a.flatMap { a in b.map { (a, $0) } } }
    guard pairs.count >= 2 else { throw NeuralLimitsError.invalidArgument("fewer than 2 paths reached T in both runs") }
    let names = CovarianceComparison.statistics(pairs[0].0).map(\.0)
    changes = try names.indices.map { k in
      let differences = pairs.map { CovarianceComparison.statistics($0.0)[k].1 - CovarianceComparison.statistics($0.1)[k].1 }
      let summary = try SampleSummary(differences, quantiles: [], resamples: 2)
      let fineMean = pairs.reduce(0) { $0 + CovarianceComparison.statistics($1.1)[k].1 } / Double(pairs.count)
      let rms = (differences.reduce(0) { $0 + $1 * $1 } / Double(differences.count)).squareRoot()
      return Change(name: names[k], fine: fineMean, change: summary.mean, changeError: summary.meanError, rmsChange: rms)
    }
    pairedPaths = pairs.count
  }
}
