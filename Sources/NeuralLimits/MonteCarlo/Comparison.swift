import Foundation

/// The outcome of comparing a theory with a simulation.
public enum Verdict: String, Sendable {
  /// No entry deviates beyond the Bonferroni-corrected threshold.
  case agree
  /// Some entry deviates, and by more than the finite-width bias could explain.
  case disagree
  /// Some entry deviates, but the relative error is within the expected `O(L/n)` finite-width
  /// bias: only a width sweep (`--widths`) can tell.
  case inconclusive
}

/// Theory against simulation for one kernel.
///
/// The rule: every entry gets `z = (mean − theory)/stderr`; with `m` distinct entries (the upper
/// triangle when the kernel is symmetric), the threshold is the two-sided normal quantile at
/// family-wise level `α = 0.001`, Bonferroni-corrected: `z* = Φ⁻¹(1 − α/(2m))`. `agree` when
/// `max|z| ≤ z*`. Otherwise the deviation may be the finite-width bias, which is `O(L/n)` for
/// `L` nonlinear layers at width `n` and does not shrink with more samples: `inconclusive` when
/// the relative Frobenius error is below `L/n`, else `disagree`. A width sweep removes the bias
/// by extrapolation instead (`WidthSweep`).
public struct KernelComparison: Sendable {
  public let name: String
  public let theory: Matrix
  public let simulation: KernelEstimate
  /// `‖mean − theory‖_F / ‖theory‖_F`.
  public let relativeFrobeniusError: Double
  public let maxAbsZ: Double
  public let threshold: Double
  /// The finite-width bias scale `L/n` used for `inconclusive` (`nil`: not applied).
  public let biasScale: Double?
  public let verdict: Verdict

  public init(name: String, theory: Matrix, simulation: KernelEstimate, symmetric: Bool, biasScale: Double?,
              level: Double = 1e-3) {
    self.name = name
    self.theory = theory
    self.simulation = simulation
    self.biasScale = biasScale
    let difference = simulation.mean - theory
    relativeFrobeniusError = difference.frobeniusNorm / max(theory.frobeniusNorm, .leastNormalMagnitude)
    let z = KernelComparison.zScores(difference, simulation.standardError, reference: theory, symmetric: symmetric)
    maxAbsZ = z.max
    threshold = KernelComparison.bonferroniThreshold(entries: z.count, level: level)
    if maxAbsZ <= threshold {
      verdict = .agree
    } else if let biasScale, relativeFrobeniusError <= biasScale {
      verdict = .inconclusive
    } else {
      verdict = .disagree
    }
  }

  /// `max|zᵢⱼ|` over the distinct entries and their number. Where the standard error is zero
  /// (a deterministic entry, e.g. a kernel that is exactly 0, or a single dense layer under the
  /// readout expectation) a difference within round-off of `reference` is `z = 0`, else `z = ∞`.
  static func zScores(_ difference: Matrix, _ error: Matrix, reference: Matrix, symmetric: Bool) -> (max: Double, count: Int) {
    var worst = 0.0, count = 0
    for i in 0..<difference.rows {
      for j in (symmetric ? i : 0)..<difference.columns {
        let d = abs(difference[i, j]), s = error[i, j]
        let z = s > 0 ? d / s : (d <= 1e-12 * max(abs(reference[i, j]), 1e-300) ? 0 : .infinity)
        worst = max(worst, z)
        count += 1
      }
    }
    return (worst, count)
  }

  /// `Φ⁻¹(1 − level/(2m))`.
  public static func bonferroniThreshold(entries m: Int, level: Double) -> Double {
    normalQuantile(1 - level / (2 * Double(max(m, 1))))
  }

  /// The standard normal quantile, by Brent's method on `Φ(z) − p` (GSL root finding;
  /// `Φ(z) = erfc(−z/√2)/2`).
  public static func normalQuantile(_ p: Double) -> Double {
    (try? RootFinding.brent({ 0.5 * erfc(-$0 / 2.0.squareRoot()) - p }, lower: -40, upper: 40)) ?? .nan
  }
}

/// Number of nonlinear primitives (everything but dense layers), the `L` of the bias scale `L/n`.
func nonlinearDepth(_ graph: LayerGraph) -> Int {
  graph.primitives.filter { !($0 is Dense) }.count
}
