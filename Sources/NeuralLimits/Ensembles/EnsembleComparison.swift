/// A predictive against the finite ensemble that should follow it, by `compare`'s rule
/// (`KernelComparison`) applied to the ensemble's mean and variance at every test input and
/// output:
///
/// - mean: `z = (f̄ − μ)/se(f̄)`, threshold the two-sided Student-t quantile with `S − 1` degrees
///   of freedom at family-wise level `α = 0.001`, Bonferroni-corrected over the `2Mk` tests;
/// - variance: `z = (s² − Σᵢᵢ)/se(s²)` (`EnsembleEstimate`), the same threshold (`s²` is
///   asymptotically normal, but its standard error is estimated from the fourth moment, which
///   makes `z` heavier-tailed than normal with a few hundred members).
///
/// `agree` when both `max|z|` stay below their thresholds; otherwise `inconclusive` when both
/// relative errors, `‖f̄ − μ‖/√(Σ μ² + Σᵢᵢ)` (against the predictive's root mean square, so a
/// zero mean, as at `t = 0`, is no division by 0) and `‖s² − diag Σ‖/‖diag Σ‖`, are below the
/// finite-width bias scale `L/n`, else `disagree`.
///
/// Width and training time: a trained network follows its infinite-width predictive once its
/// empirical NTK's fluctuation, `O(‖Θ‖/√n)`, is small against the gaps between the eigenvalues of
/// `Θ_DD` that training has resolved by then (those with `η̄λS ≳ 1`); an ill-conditioned kernel
/// (few smooth inputs, e.g. one-dimensional ones) trained for long needs far wider networks
/// than the `L/n` scale suggests, and the verdict then says `disagree` — measured on He et al.'s
/// toy: mean relative error 0.09 at η·S = 40 for widths 256 and 1024 alike, `agree` at η·S = 10.
public struct EnsembleComparison: Sendable {
  public let estimate: EnsembleEstimate
  public let theory: GaussianPredictive
  public let meanMaxAbsZ: Double
  public let meanThreshold: Double
  public let meanRelativeError: Double
  public let varianceMaxAbsZ: Double
  public let varianceThreshold: Double
  public let varianceRelativeError: Double
  /// Entries whose standard error is 0 and which differ from the theory beyond round-off.
  public let exactMismatches: Int
  public let biasScale: Double
  public let verdict: Verdict

  public init(theory: GaussianPredictive, ensemble: FiniteEnsemble, level: Double = 1e-3) throws {
    let estimate = ensemble.estimate
    guard estimate.mean.rows == theory.mean.rows, estimate.mean.columns == theory.mean.columns else {
      throw NeuralLimitsError.dimensionMismatch(
        "the ensemble's outputs are \(estimate.mean.rows) × \(estimate.mean.columns), the predictive's mean "
          + "\(theory.mean.rows) × \(theory.mean.columns)")
    }
    var variances = theory.mean
    for i in 0..<variances.rows {
      for c in 0..<variances.columns { variances[i, c] = theory.covariance[i, i] }
    }
    let tests = 2 * estimate.mean.elements.count
    let mean = KernelComparison.zScores(estimate.mean - theory.mean, estimate.meanStandardError, reference: theory.mean,
                                        symmetric: false)
    let variance = KernelComparison.zScores(estimate.variance - variances, estimate.varianceStandardError,
                                            reference: variances, symmetric: false)
    self.estimate = estimate
    self.theory = theory
    meanMaxAbsZ = mean.max
    varianceMaxAbsZ = variance.max
    meanThreshold = KernelComparison.bonferroniThreshold(entries: tests, level: level,
                                                         degreesOfFreedom: Double(estimate.members - 1))
    varianceThreshold = meanThreshold
    let rms = (theory.mean.elements.reduce(0) { $0 + $1 * $1 } + variances.elements.reduce(0, +)).squareRoot()
    meanRelativeError = (estimate.mean - theory.mean).frobeniusNorm / max(rms, .leastNormalMagnitude)
    varianceRelativeError = (estimate.variance - variances).frobeniusNorm / max(variances.frobeniusNorm, .leastNormalMagnitude)
    exactMismatches = mean.mismatches + variance.mismatches
    biasScale = ensemble.biasScale
    if exactMismatches > 0 {
      verdict = .disagree
    } else if meanMaxAbsZ <= meanThreshold && varianceMaxAbsZ <= varianceThreshold {
      verdict = .agree
    } else if max(meanRelativeError, varianceRelativeError) <= biasScale {
      verdict = .inconclusive
    } else {
      verdict = .disagree
    }
  }
}
