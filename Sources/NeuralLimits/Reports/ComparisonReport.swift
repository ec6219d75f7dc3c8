import Foundation

/// Renders theory-versus-simulation results as a table, CSV or JSON.
public struct ComparisonReport: Sendable {
  /// What was compared, for the header.
  public struct Setup: Sendable {
    public let architecture: String
    public let inputs: String
    public let settings: MonteCarloSettings
    public let nngpEstimator: String
    public let outputs: Int
    /// The narrowest hidden layer (a layer's own `width=` can be below `settings.width`).
    public let narrowestWidth: Int
    public init(architecture: String, inputs: String, settings: MonteCarloSettings, nngpEstimator: String, outputs: Int,
                narrowestWidth: Int) {
      self.architecture = architecture
      self.inputs = inputs
      self.settings = settings
      self.nngpEstimator = nngpEstimator
      self.outputs = outputs
      self.narrowestWidth = narrowestWidth
    }
  }

  public let setup: Setup
  public let comparisons: [KernelComparison]
  public let sweeps: [WidthSweep]

  public init(setup: Setup, comparisons: [KernelComparison], sweeps: [WidthSweep] = []) {
    self.setup = setup
    self.comparisons = comparisons
    self.sweeps = sweeps
  }

  public static let rule = """
    z = (mean − theory)/stderr per distinct entry; agree when max|z| ≤ t_{S−1}⁻¹(1 − 0.001/(2m)) \
    (Student t with S − 1 degrees of freedom for S samples, Bonferroni over m entries, family-wise 0.1%) \
    and every entry without sampling noise equals the theory to 1.5e-8 (√ε) of the kernel's scale; otherwise \
    inconclusive when the relative Frobenius error is within the O(L/n) finite-width bias (L nonlinear \
    layers, n the narrowest hidden layer), else disagree. With --widths, each entry's deviation is fitted \
    as a + b/n and the intercept a is judged by the same threshold.
    """

  var ntkEstimator: String {
    "exact empirical J·J'ᵀ/n_out over \(setup.outputs) output\(setup.outputs == 1 ? "" : "s") (per-layer contractions)"
  }

  /// The overall verdict: the worst of the kernels' (disagree > inconclusive > agree).
  public var verdict: Verdict {
    Verdict.worst(sweeps.isEmpty ? comparisons.map(\.verdict) : sweeps.map(\.verdict))
  }

  public func table() -> String {
    let s = setup.settings
    var out = """
      architecture: \(setup.architecture)
      inputs:       \(setup.inputs)
      simulation:   \(sweeps.isEmpty ? "width \(s.width)" : "widths \(sweeps[0].widths.map(String.init).joined(separator: ","))")\
      \(setup.narrowestWidth < s.width ? " (narrowest hidden layer \(setup.narrowestWidth))" : ""), \
      \(s.samples) samples, seed \(s.seed), readout width \(s.readoutWidth)
      estimators:   NNGP \(setup.nngpEstimator); NTK \(ntkEstimator)

      """
    out += "kernel  width   rel.Frobenius  max|z|   threshold  verdict\n"
    let rows = sweeps.isEmpty ? comparisons.map { ($0, setup.settings.width) }
      : sweeps.flatMap { sweep in zip(sweep.comparisons, sweep.widths).map { ($0, $1) } }
    for (c, width) in rows {
      out += c.name.padding(toLength: 6, withPad: " ", startingAt: 0)
        + String(format: "  %-6d  %13.3e  %7.2f  %9.2f  ", width, c.relativeFrobeniusError, c.maxAbsZ, c.threshold)
        + c.verdict.rawValue
        + (c.exactMismatches > 0 ? " (\(c.exactMismatches) entries with zero sample variance differ from the theory)" : "") + "\n"
    }
    for sweep in sweeps {
      out += sweep.name.padding(toLength: 6, withPad: " ", startingAt: 0)
        + String(format: "  n → ∞   slope %+6.2f  %7.2f  %9.2f  ", sweep.errorSlope, sweep.maxAbsZ, sweep.threshold)
        + sweep.verdict.rawValue + " (intercept of a + b/n)\n"
    }
    out += "verdict: \(verdict.rawValue)\nrule: \(ComparisonReport.rule)\n"
    return out
  }

  /// `kernel,width,i,j,theory,mean,stderr,z` per entry.
  public func csv() -> String {
    var out = "kernel,width,i,j,theory,mean,stderr,z\n"
    let rows = sweeps.isEmpty ? comparisons.map { ($0, setup.settings.width) }
      : sweeps.flatMap { sweep in zip(sweep.comparisons, sweep.widths).map { ($0, $1) } }
    for (c, width) in rows {
      for i in 0..<c.theory.rows {
        for j in 0..<c.theory.columns {
          let mean = c.simulation.mean[i, j], se = c.simulation.standardError[i, j]
          out += "\(c.name),\(width),\(i),\(j),\(c.theory[i, j]),\(mean),\(se),\(se > 0 ? (mean - c.theory[i, j]) / se : 0)\n"
        }
      }
    }
    return out
  }

  /// `theory`, `simulation.mean`, `simulation.stderr`, `rel_frobenius_error`, `max_abs_z` and
  /// `verdict`, each keyed by kernel (`verdict.overall` too), plus the setup and, with a sweep,
  /// `sweep.<kernel>` with the extrapolated intercept.
  public func json() -> JSONValue {
    func byKernel(_ f: (KernelComparison) -> JSONValue) -> JSONValue { .object(comparisons.map { ($0.name, f($0)) }) }
    let s = setup.settings
    var members: [(String, JSONValue)] = [
      ("architecture", .string(setup.architecture)), ("inputs", .string(setup.inputs)),
      ("width", .integer(s.width)), ("samples", .integer(s.samples)), ("seed", .integer(Int(s.seed))),
      ("readout_width", .integer(s.readoutWidth)),
      ("estimators", .object([("nngp", .string(setup.nngpEstimator)), ("ntk", .string(ntkEstimator))])),
      ("theory", byKernel { .matrix($0.theory) }),
      ("simulation", .object([("mean", byKernel { .matrix($0.simulation.mean) }),
                              ("stderr", byKernel { .matrix($0.simulation.standardError) })])),
      ("rel_frobenius_error", byKernel { .number($0.relativeFrobeniusError) }),
      ("max_abs_z", byKernel { .number($0.maxAbsZ) }),
      ("exact_mismatches", byKernel { .integer($0.exactMismatches) }),
      ("narrowest_width", .integer(setup.narrowestWidth)),
      ("z_threshold", byKernel { .number($0.threshold) }),
      ("bias_scale", byKernel { $0.biasScale.map(JSONValue.number) ?? .null }),
      ("verdict", .object(comparisons.map { ($0.name, .string($0.verdict.rawValue)) } + [("overall", .string(verdict.rawValue))])),
      ("rule", .string(ComparisonReport.rule)),
    ]
    if !sweeps.isEmpty {
      members.append(("sweep", .object(sweeps.map { sweep in
        (sweep.name, .object([
          ("widths", .array(sweep.widths.map(JSONValue.integer))),
          ("rel_frobenius_error", .array(sweep.comparisons.map { .number($0.relativeFrobeniusError) })),
          ("max_abs_z", .array(sweep.comparisons.map { .number($0.maxAbsZ) })),
          ("error_slope", .number(sweep.errorSlope)),
          ("intercept", .matrix(sweep.intercept)), ("intercept_stderr", .matrix(sweep.interceptError)),
          ("intercept_max_abs_z", .number(sweep.maxAbsZ)), ("z_threshold", .number(sweep.threshold)),
          ("verdict", .string(sweep.verdict.rawValue)),
        ]))
      })))
    }
    return .object(members)
  }
}
