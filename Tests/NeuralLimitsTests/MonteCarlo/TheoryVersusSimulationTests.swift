import Testing
@testable import NeuralLimits

/// Five inputs in three dimensions for the Monte Carlo tests.
let monteCarloInputs = try! Matrix([[1, 0.5, -0.3], [0.2, -1, 0.8], [-0.7, 0.4, 0.1], [0.3, 0.3, 1.2], [1.1, -0.2, 0.4]])

/// Width 512, 48 networks, seed 7: per-entry noise ~1/√(nS) ≈ 0.6%, above the O(1/n) ≈ 0.2%
/// bias of these shallow networks, so `agree` is the expected verdict of a correct theory;
/// the verdict's threshold is the Bonferroni 99.9% quantile (about 3.9 for 15 entries).
let agreementSettings = MonteCarloSettings(width: 512, samples: 48, seed: 7, readoutWidth: 2)

@Suite("Theory against Monte Carlo, by the verdict rule")
struct TheoryVersusSimulationTests {
  @Test("Every layer type and combinator agrees with its kernel", arguments: [
    "dense(w_std=1.4, b_std=0.3) -> relu -> dense(w_std=1.2, b_std=0.1)",
    "dense(w_std=1.3, b_std=0.2, parameterization=standard) -> relu -> dense(parameterization=standard, b_std=0.1)",
    "dense -> leaky_relu(alpha=0.2) -> dense",
    "dense -> abrelu(a=-0.4, b=1.3) -> dense",
    "dense -> abs -> dense",
    "dense(w_std=1.5) -> erf(a=1.5, b=0.7, c=0.2) -> dense",
    "dense -> sigmoid_like -> dense(b_std=0.2)",
    "dense -> gelu -> dense",
    "dense -> sin(a=1.2, b=0.8, c=0.3) -> dense",
    "dense -> cos -> dense",
    "dense -> rbf(gamma=0.5) -> dense",
    "dense -> exp(a=0.8, b=0.4) -> dense",
    "dense -> identity -> dense",
    "dense -> sign -> dense(b_std=0.3)",
    "dense -> monomial(degree=2) -> dense",
    "dense -> rectified_monomial(degree=2) -> dense",
    "dense -> tanh -> dense -> softplus -> dense",
    "dense -> shaped_relu(c=2) -> dense",
    "dense -> residual(dense(w_std=1.2) -> relu -> dense, scale=0.6) -> dense",
    "dense -> (residual(relu -> dense(w_std=1.3), scale=1/sqrt(L))) * 3 -> dense",
    "dense(b_std=0.5) -> layernorm -> relu -> dense",
    "dense -> parallel(dense -> relu, dense(w_std=0.8) -> erf) -> dense",
    "dense -> relu -> dropout(rate=0.2) -> dense",
    "(dense(w_std=1.5, b_std=0.05) -> relu) * 3 -> dense(w_std=1.5, b_std=0.05)",
  ])
  func agrees(_ arch: String) throws {
    let network = try ArchitectureParser.parse(arch)
    for comparison in try TheoryVersusSimulation.compare(network, monteCarloInputs, settings: agreementSettings) {
      #expect(comparison.verdict == .agree,
              "\(comparison.name): max|z| \(comparison.maxAbsZ) > \(comparison.threshold), rel. error \(comparison.relativeFrobeniusError)")
    }
  }

  /// The same rule must reject a wrong theory: here the simulation is of one network and the
  /// theory of another (weights 5% off, or ReLU swapped for leaky ReLU 0.1).
  @Test("A deliberately wrong theory is rejected", arguments: [
    ("dense(w_std=1.5, b_std=0.1) -> relu -> dense(w_std=1.5, b_std=0.1)",
     "dense(w_std=1.575, b_std=0.1) -> relu -> dense(w_std=1.575, b_std=0.1)"),
    ("(dense(w_std=1.4) -> relu) * 2 -> dense", "(dense(w_std=1.4) -> leaky_relu(alpha=0.1)) * 2 -> dense"),
  ])
  func rejectsWrongTheory(_ pair: (simulated: String, wrong: String)) throws {
    let simulated = try ArchitectureParser.parse(pair.simulated), wrong = try ArchitectureParser.parse(pair.wrong)
    let theory = try wrong.kernels(monteCarloInputs)
    let simulation = try MonteCarlo.kernels(simulated, monteCarloInputs, settings: agreementSettings)
    let bias = Double(nonlinearDepth(simulated.graph)) / Double(agreementSettings.width)
    for (name, t, s) in [("nngp", theory.nngp, simulation.nngp), ("ntk", theory.ntk!, simulation.ntk!)] {
      let comparison = KernelComparison(name: name, theory: t, simulation: s, symmetric: true, biasScale: bias)
      #expect(comparison.verdict == .disagree, "\(name): max|z| \(comparison.maxAbsZ)")
    }
  }

  @Test("A width sweep extrapolates to the theory; a wrong theory's intercept is rejected")
  func sweep() throws {
    let network = try ArchitectureParser.parse("(dense(w_std=1.4, b_std=0.1) -> erf) * 2 -> dense")
    let settings = MonteCarloSettings(width: 0, samples: 32, seed: 3, readoutWidth: 1)
    for sweep in try TheoryVersusSimulation.sweep(network, monteCarloInputs, widths: [64, 128, 256, 512], settings: settings) {
      #expect(sweep.verdict == .agree, "\(sweep.name): intercept max|z| \(sweep.maxAbsZ)")
      let shifted = sweep.comparisons.map { c in
        KernelComparison(name: c.name, theory: 1.05 * c.theory, simulation: c.simulation, symmetric: true, biasScale: nil)
      }
      let wrong = try WidthSweep(name: sweep.name, widths: sweep.widths, comparisons: shifted, symmetric: true)
      #expect(wrong.verdict == .disagree)
    }
  }

  @Test("The finite-width bias is inconclusive, not disagree, at a single small width")
  func biasIsInconclusive() throws {
    // Deep and narrow: width 16, 400 networks; the O(L/n) bias dominates the noise.
    let network = try ArchitectureParser.parse("(dense(w_std=1.4) -> relu) * 4 -> dense")
    let settings = MonteCarloSettings(width: 16, samples: 400, seed: 1, kinds: .nngp)
    let comparison = try TheoryVersusSimulation.compare(network, monteCarloInputs, settings: settings)[0]
    #expect(comparison.verdict != .disagree || comparison.relativeFrobeniusError > 4.0 / 16)
  }
}

@Suite("Monte Carlo sampler")
struct MonteCarloTests {
  @Test("Same seed, same numbers; another seed, other numbers")
  func reproducible() throws {
    let network = try ArchitectureParser.parse("dense -> relu -> dropout(rate=0.1) -> dense")
    let settings = MonteCarloSettings(width: 64, samples: 9, seed: 5)
    let a = try MonteCarlo.kernels(network, monteCarloInputs, settings: settings)
    let b = try MonteCarlo.kernels(network, monteCarloInputs, settings: settings)
    #expect(a.nngp.mean == b.nngp.mean && a.ntk!.mean == b.ntk!.mean && a.nngp.standardError == b.nngp.standardError)
    var other = settings
    other.seed = 6
    #expect(try MonteCarlo.kernels(network, monteCarloInputs, settings: other).nngp.mean != a.nngp.mean)
  }

  @Test("Cross kernels are the off-diagonal block of the stacked batch")
  func crossKernel() throws {
    let network = try ArchitectureParser.parse("dense -> erf -> dense")
    let settings = MonteCarloSettings(width: 32, samples: 4, seed: 2)
    let full = try MonteCarlo.kernels(network, monteCarloInputs, settings: settings)
    let cross = try MonteCarlo.kernels(network, monteCarloInputs.rows(0..<2), monteCarloInputs.rows(2..<5), settings: settings)
    for i in 0..<2 { for j in 0..<3 { #expect(abs(cross.nngp.mean[i, j] - full.nngp.mean[i, 2 + j]) < 1e-12) } }
  }

  @Test("Impossible sizes are refused with a message")
  func refusals() throws {
    let network = try ArchitectureParser.parse("dense -> relu -> dense")
    #expect(throws: NeuralLimitsError.self) {
      try MonteCarlo.kernels(network, monteCarloInputs, settings: MonteCarloSettings(width: 0, samples: 4))
    }
    #expect(throws: NeuralLimitsError.self) {
      try MonteCarlo.kernels(network, monteCarloInputs, settings: MonteCarloSettings(width: 8, samples: 1))
    }
    do {
      // A 200,000 × 200,000 hidden weight matrix alone is 320 GB.
      let deep = try ArchitectureParser.parse("dense -> relu -> dense -> relu -> dense")
      _ = try MonteCarlo.kernels(deep, monteCarloInputs, settings: MonteCarloSettings(width: 200_000, samples: 4))
      Issue.record("a 200,000-wide network was not refused")
    } catch NeuralLimitsError.resources(let message) {
      #expect(message.contains("GiB"))
    }
  }
}

@Suite("Verdicts with few samples, layer widths and noise-free entries")
struct VerdictEdgeTests {
  /// A linear network's estimators are unbiased at every width, so each `disagree` is a false
  /// alarm; the rule promises at most 0.1% family-wise. With a normal quantile and a standard
  /// error from 3 samples it said `disagree` for 7 of 10 seeds.
  @Test("3 samples, seeds 0…199: an unbiased estimator is flagged at most twice (Student t, not normal)")
  func falseAlarms() throws {
    let network = try ArchitectureParser.parse("dense -> dense")
    var alarms = 0
    for seed in 0..<200 {
      let settings = MonteCarloSettings(width: 64, samples: 3, seed: UInt64(seed))
      let comparisons = try TheoryVersusSimulation.compare(network, DefaultInputs.spiral(), settings: settings)
      if comparisons.contains(where: { $0.verdict == .disagree }) { alarms += 1 }
    }
    // Binomial(200, 0.001·2 kernels): P(≥ 3 alarms) < 2e-3.
    #expect(alarms <= 2, "\(alarms) false alarms in 200 runs")
  }

  /// With 3 samples the Student-t threshold is ~120 for 15 entries, so only gross errors can
  /// be rejected — honestly so; at 10 samples it is ~6.5 and a 30% error is caught.
  @Test("With 10 samples a theory 30% off is rejected")
  func fewSamplesCanReject() throws {
    let network = try ArchitectureParser.parse("dense -> relu -> dense")
    let settings = MonteCarloSettings(width: 256, samples: 10, seed: 1)
    let simulation = try MonteCarlo.kernels(network, monteCarloInputs, settings: settings)
    let theory = try network.kernels(monteCarloInputs)
    let wrong = KernelComparison(name: "nngp", theory: 1.3 * theory.nngp, simulation: simulation.nngp, symmetric: true,
                                 biasScale: 1.0 / 256)
    #expect(wrong.verdict == .disagree, "max|t| \(wrong.maxAbsZ), threshold \(wrong.threshold)")
  }

  @Test("A layer's own width= sets the bias scale and the report, not --width")
  func layerWidth() throws {
    let network = try ArchitectureParser.parse("dense(width=2) -> relu -> dense")
    let finite = try FiniteNetwork(network.graph, inputWidth: 3, width: 512)
    #expect(finite.narrowestHiddenWidth == 2)
    let comparisons = try TheoryVersusSimulation.compare(network, monteCarloInputs,
                                                         settings: MonteCarloSettings(width: 512, samples: 8, seed: 1))
    #expect(comparisons.allSatisfy { $0.biasScale == 0.5 })
    let wide = try ArchitectureParser.parse("dense(width=300000) -> relu -> dense(width=300000) -> relu -> dense")
    do {
      _ = try MonteCarlo.kernels(wide, monteCarloInputs, settings: MonteCarloSettings(width: 8, samples: 4))
      Issue.record("a 300,000-wide layer was not refused")
    } catch NeuralLimitsError.resources(let message) {
      #expect(message.contains("width=300000") && !message.contains("--width"), "\(message)")
    }
  }

  @Test("Noise-free entries: equal to round-off agree with a finite max|z|; a wrong one is a mismatch")
  func deterministicEntries() throws {
    // One dense layer under the readout expectation: the NNGP estimate is exact, standard error 0,
    // and orthogonal inputs make some entries 0 (a relative test against the entry was ∞ there).
    let x = try Matrix([[1, 0, 0], [0, 1, 0], [0, 0, 2]])
    let network = try ArchitectureParser.parse("dense(w_std=1.3, b_std=0)")
    let settings = MonteCarloSettings(width: 16, samples: 4, seed: 2, kinds: .nngp)
    let comparison = try TheoryVersusSimulation.compare(network, x, settings: settings)[0]
    #expect(comparison.verdict == .agree && comparison.maxAbsZ.isFinite && comparison.exactMismatches == 0)
    var theory = comparison.theory
    theory[0, 0] *= 1.01
    let wrong = KernelComparison(name: "nngp", theory: theory, simulation: comparison.simulation, symmetric: true, biasScale: 1)
    #expect(wrong.verdict == .disagree && wrong.exactMismatches == 1)
  }
}
