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

  /// The worst of several: disagree over inconclusive over agree.
  public static func worst(_ verdicts: [Verdict]) -> Verdict {
    if verdicts.contains(.disagree) { return .disagree }
    if verdicts.contains(.inconclusive) { return .inconclusive }
    return .agree
  }
}

/// Theory against simulation for one kernel.
///
/// The rule: every entry gets `t = (mean − theory)/stderr` from `S` sampled networks; with `m`
/// distinct entries (the upper triangle when the kernel is symmetric), the threshold is the
/// two-sided Student-t quantile with `S − 1` degrees of freedom at family-wise level `α = 0.001`,
/// Bonferroni-corrected: `t* = t_{S−1}⁻¹(1 − α/(2m))` (the standard error is itself estimated
/// from the samples, so with few samples a normal quantile would reject far more often than α).
/// `agree` when `max|t| ≤ t*`. Otherwise the deviation may be the finite-width bias, which is
/// `O(L/n)` for `L` nonlinear layers at width `n` and does not shrink with more samples:
/// `inconclusive` when the relative Frobenius error is below `L/n`, else `disagree`. A width sweep
/// removes the bias by extrapolation instead (`WidthSweep`).
///
/// Entries with a zero standard error are deterministic (a single dense layer under the readout
/// expectation; inputs at correlation exactly ±1 through ReLU): they take no part in `max|t|` and
/// must equal the theory to its own accuracy, `√ε ≈ 1.5·10⁻⁸` of the kernel's largest entry (a
/// kinked activation's derivative kernel near `ρ = ±1` depends on `√(1 ∓ ρ)`, so one rounding of
/// `ρ` moves it by that much); each that does not is an `exactMismatch`, and any makes the
/// verdict `disagree`.
public struct KernelComparison: Sendable {
  public let name: String
  public let theory: Matrix
  public let simulation: KernelEstimate
  /// `‖mean − theory‖_F / ‖theory‖_F`.
  public let relativeFrobeniusError: Double
  /// The largest `|t|` over the entries with a positive standard error (0 if there are none).
  public let maxAbsZ: Double
  public let threshold: Double
  /// Deterministic entries that differ from the theory beyond round-off.
  public let exactMismatches: Int
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
    exactMismatches = z.mismatches
    threshold = KernelComparison.bonferroniThreshold(entries: z.count, level: level,
                                                     degreesOfFreedom: Double(simulation.samples - 1))
    if maxAbsZ <= threshold && exactMismatches == 0 {
      verdict = .agree
    } else if exactMismatches == 0, let biasScale, relativeFrobeniusError <= biasScale {
      verdict = .inconclusive
    } else {
      verdict = .disagree
    }
  }

  /// `max|zᵢⱼ|` over the distinct entries with a positive standard error, their number, and the
  /// number of zero-error entries whose difference exceeds `√ε·max|reference|`.
  static func zScores(_ difference: Matrix, _ error: Matrix, reference: Matrix, symmetric: Bool)
    -> (max: Double, count: Int, mismatches: Int)
  {
    let roundOff = Double.ulpOfOne.squareRoot() * reference.elements.reduce(0) { max($0, abs($1)) }
    var worst = 0.0, count = 0, mismatches = 0
    for i in 0..<difference.rows {
      for j in (symmetric ? i : 0)..<difference.columns {
        let d = abs(difference[i, j]), s = error[i, j]
        if s > 0 {
          worst = max(worst, d / s)
          count += 1
        } else if !(d <= roundOff) {
          mismatches += 1
        }
      }
    }
    return (worst, count, mismatches)
  }

  /// The two-sided Bonferroni threshold `t_ν⁻¹(1 − level/(2m))` (the normal quantile when `ν`
  /// is infinite).
  public static func bonferroniThreshold(entries m: Int, level: Double, degreesOfFreedom nu: Double) -> Double {
    let tail = level / (2 * Double(max(m, 1)))
    return nu.isFinite ? SpecialFunctions.studentTUpperQuantile(tail, degreesOfFreedom: max(nu, 1))
      : SpecialFunctions.normalUpperQuantile(tail)
  }
}

/// Number of nonlinear primitives (everything but dense layers), the `L` of the bias scale `L/n`.
func nonlinearDepth(_ graph: LayerGraph) -> Int {
  graph.primitives.filter { !($0 is Dense) }.count
}
