// neural-limits-benchmark: times NeuralLimits on the workloads of Benchmarks/README.md and
// prints one JSON line, which Benchmarks/run.sh sets beside neural-tangents' line from the
// same process tree.
//
//   neural-limits-benchmark kernel     [--x inputs.npy | --n 4000 --d 100] [--depth 10] [--repeats 3]
//   neural-limits-benchmark montecarlo [--x inputs.npy | --n 100 --d 10] [--width 512] [--samples 64] [--repeats 1]
//   neural-limits-benchmark dgemm      [--n 2048] [--threads 2]
//   neural-limits-benchmark sde-steps  [--model shaped-attention] [--tokens 16,32,64,128] [--steps N] [--paths 8]
//                                      [--gamma 0.3] [--min-seconds 0.5] [--repeats 3]
//   neural-limits-benchmark sde-vs-network [--model shaped-transformer] [--tokens 2] [--width 256] [--samples 1000]
//                                      [--gamma 0.5] [--repeats 3]
//   neural-limits-benchmark posterior  [--train-x F --train-y F --test-x F | --n 4000 --m 1000 --d 10] [--time 100]
//                                      [--repeats 3]
//
// Like the CLI, it first restarts on the OpenBLAS core the CPU's features call for when OpenBLAS
// fell back to a generic one (OpenBLASCoreSelection), so its dgemm rates are the corrected ones.
import CLAPACKE
import Dispatch
import Foundation
import NeuralLimits

do {
  try OpenBLASCoreSelection.relaunchIfNeeded()
} catch {
  FileHandle.standardError.write(Data("neural-limits-benchmark: warning: \(error)\n".utf8))
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
  let start = DispatchTime.now().uptimeNanoseconds
  try body()
  return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

let arguments = CommandLine.arguments
func option(_ name: String) -> String? {
  arguments.firstIndex(of: "--\(name)").flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
}
func option(_ name: String, _ fallback: Int) -> Int { option(name).flatMap { Int($0) } ?? fallback }
func option(_ name: String, _ fallback: Double) -> Double { option(name).flatMap { Double($0) } ?? fallback }

/// Inputs from `--x`, else `--n × --d` standard normals from seed 0.
func inputs(n: Int, d: Int) throws -> Matrix {
  if let path = option("x") { return try readMatrix(path) }
  return try Matrix(rows: n, columns: d, elements: RandomStream(seed: 0).gaussians(n * d))
}

/// Scalar double-precision operations per second on all cores: 8 independent multiply–add
/// chains per core (what a non-vectorised loop can reach), best of 3.
func scalarOperationsPerSecond() -> Double {
  let iterations = 50_000_000
  let cores = ProcessInfo.processInfo.activeProcessorCount
  var best = Double.infinity
  for _ in 0..<3 {
    let t = seconds {
      DispatchQueue.concurrentPerform(iterations: cores) { core in
        var a = (1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7)
        let m = 0.999_999_9, c = 1e-9 * Double(core + 1)
        for _ in 0..<iterations {
          a.0 = a.0 * m + c; a.1 = a.1 * m + c; a.2 = a.2 * m + c; a.3 = a.3 * m + c
          a.4 = a.4 * m + c; a.5 = a.5 * m + c; a.6 = a.6 * m + c; a.7 = a.7 * m + c
        }
        if a.0 + a.1 + a.2 + a.3 + a.4 + a.5 + a.6 + a.7 == 42 { print("") }
      }
    }
    best = min(best, t)
  }
  return Double(cores * iterations * 8 * 2) / best
}

/// OpenBLAS `dgemm` on `n × n` matrices with OpenBLAS's current thread count, in FLOP/s (best of 3
/// after a warm-up).
func dgemmFlopsPerSecond(n: Int = 1024) -> Double {
  let a = try! Matrix(rows: n, columns: n, elements: RandomStream(seed: 1).gaussians(n * n))
  var c = Matrix(rows: n, columns: n)
  BLAS.gemm(a, a, into: &c)
  var best = Double.infinity
  for _ in 0..<3 { best = min(best, seconds { BLAS.gemm(a, a, into: &c) }) }
  return 2 * pow(Double(n), 3) / best
}

func kernelBenchmark() throws {
  let x = try inputs(n: option("n", 4000), d: option("d", 100))
  let depth = option("depth", 10), repeats = option("repeats", 3)
  let network = Serial {
    Repeat(depth) { Dense(wStd: 1.5, bStd: 0.05); ReLU() }
    Dense(wStd: 1.5, bStd: 0.05)
  }
  var state: KernelState?
  var best = Double.infinity
  for _ in 0..<repeats {
    best = min(best, try seconds { state = try network.kernels(x, get: [.nngp, .ntk]) })
  }
  let n = Double(x.rows)
  let entries = n * (n + 1) / 2
  // Arithmetic operations per entry of one dense → ReLU pair, counting √, ÷, min/max and the
  // rational arccos's ÷ as one each: dense (NNGP + NTK) 4, correlation 4, sine 4, arccos 22,
  // NNGP 7, derivative 2, NTK 1 = 44.
  let operationsPerPair = 44.0
  let limit = entries * Double(depth) * operationsPerPair / scalarOperationsPerSecond()
  print(JSONValue.object([
    ("tool", .string("NeuralLimits")), ("workload", .string("kernel")), ("seconds", .number(best)),
    ("n", .integer(x.rows)), ("d", .integer(x.columns)), ("depth", .integer(depth)),
    ("entry_layers_per_second", .number(entries * Double(2 * depth + 1) / best)),
    ("scalar_arithmetic_limit_seconds", .number(limit)),
    ("checksum", .number(state!.nngp.diagonal.reduce(0, +))),
  ]).serialized())
}

func monteCarloBenchmark() throws {
  let x = try inputs(n: option("n", 100), d: option("d", 10))
  let width = option("width", 512), samples = option("samples", 64), readout = option("readout", 1)
  let repeats = option("repeats", 1)
  let network = Serial {
    Repeat(3) { Dense(wStd: 1.5, bStd: 0.05); ReLU() }
    Dense(wStd: 1.5, bStd: 0.05)
  }
  let settings = MonteCarloSettings(width: width, samples: samples, seed: 0, readoutWidth: readout)
  var result: (nngp: KernelEstimate, ntk: KernelEstimate?)?
  var best = Double.infinity
  for _ in 0..<repeats {
    best = min(best, try seconds { result = try MonteCarlo.kernels(network, x, settings: settings) })
  }
  // Floating-point work per sample, matrix products only: forward 2·B·Σ(in·out) over the dense
  // layers, the same again backward (one copy per readout output), and per dense layer the two
  // Gram matrices of the NTK contraction, B²·(in + copies·out) each (symmetric rank-k updates).
  let b = Double(x.rows), d = Double(x.columns), n = Double(width), r = Double(readout)
  let shapes = [(d, n), (n, n), (n, n), (n, r)]
  let products = shapes.reduce(0) { $0 + 2 * b * $1.0 * $1.1 * (1 + r) }
  let grams = shapes.reduce(0) { $0 + b * b * ($1.0 + r * $1.1) }
  let flops = Double(samples) * (products + grams)
  let dgemm = dgemmFlopsPerSecond()
  print(JSONValue.object([
    ("tool", .string("NeuralLimits")), ("workload", .string("montecarlo")), ("seconds", .number(best)),
    ("samples", .integer(samples)), ("width", .integer(width)), ("n", .integer(x.rows)), ("d", .integer(x.columns)),
    ("gflops", .number(flops / best / 1e9)), ("dgemm_gflops", .number(dgemm / 1e9)),
    ("openblas_core", .string(Linkage.current().openBLASCore)),
    ("checksum", .number(result!.nngp.mean.diagonal.reduce(0, +))),
  ]).serialized())
}

/// How the running OpenBLAS core was chosen, in one word.
func choice(_ choice: OpenBLASCoreChoice) -> String {
  switch choice {
  case .detected: return "detected"
  case .corrected: return "corrected"
  case .userSet: return "user"
  }
}

/// OpenBLAS `dgemm` alone on `--n` × `--n` matrices with `--threads` threads, and the core it ran.
func dgemmBenchmark() {
  let n = option("n", 2048), threads = option("threads", BLAS.threads)
  BLAS.setThreads(threads)
  let linkage = Linkage.current()
  print(JSONValue.object([
    ("tool", .string("NeuralLimits")), ("workload", .string("dgemm")), ("n", .integer(n)),
    ("threads", .integer(threads)), ("gflops", .number(dgemmFlopsPerSecond(n: n) / 1e9)),
    ("openblas_core", .string(linkage.openBLASCore)), ("core_choice", .string(choice(linkage.coreChoice))),
  ]).serialized())
}

/// The covariance model of `--model` (named as `neural-limits sde --model` names it) with branch
/// weight `--gamma`, the other constants at the CLI's defaults (c₊ = 0, c₋ = −1, τ₀ = 1).
func covarianceModel(_ fallback: CovarianceModel.Kind, gamma: Double) throws -> CovarianceModel {
  let name = option("model") ?? fallback.rawValue
  guard let kind = CovarianceModel.Kind(rawValue: name) else {
    throw NeuralLimitsError.invalidArgument("unknown --model \(name); one of "
      + CovarianceModel.Kind.allCases.map(\.rawValue).joined(separator: ", "))
  }
  return CovarianceModel(kind: kind, gamma: option("gamma", gamma))
}

/// `V₀` of `m` tokens: unit diagonal, every correlation 0.2 (`neural-limits sde`'s default).
func initialCovariance(tokens m: Int) -> Matrix {
  var v = Matrix(rows: m, columns: m, repeating: 0.2)
  for i in 0..<m { v[i, i] = 1 }
  return v
}

/// `EulerMaruyama.simulate` from `v0` with `paths` paths and `steps` steps to `time`, and the
/// seconds it took. `steady`: throws when a path stopped or a step left the positive definite
/// cone, so that every step did the same work (a Cholesky root, no eigendecomposition).
func timeSDE(_ sde: any CovarianceSDE, from v0: Matrix, time: Double, steps: Int, paths: Int,
             steady: Bool = false) throws -> (seconds: Double, ensemble: SDEEnsemble) {
  let settings = SDESettings(time: time, step: time / Double(steps), paths: paths)
  var ensemble: SDEEnsemble?
  let t = try seconds { ensemble = try EulerMaruyama.simulate(sde, initial: v0, settings: settings) }
  if steady, ensemble!.stoppedFraction > 0 || ensemble!.projections > 0 {
    throw NeuralLimitsError.invalidArgument("\(sde.description), m = \(v0.rows): \(ensemble!.stoppingTimes.count) paths "
      + "stopped and \(ensemble!.projections) steps left the PD cone; lower --gamma or raise --steps")
  }
  return (t, ensemble!)
}

/// The SDE's cost per step and path against the number of tokens `m` (`--tokens`): paths from
/// `V₀` to `T = 0.01` at `γ = 0.3` — short and gentle enough that no path stops, and with steps
/// fine enough that none needs the positive-part projection (checked: the Wishart-like noise
/// `R·Z·Rᵀ·√dt` overshoots the cone once `√dt·‖Z‖ ≈ 2√(m·dt)` nears 1), so every step does the
/// same work. `T/dt` doubles from 16 until a run takes `--min-seconds`, unless `--steps` fixes it;
/// then best and worst of `--repeats` runs. Seconds per step per path are wall time over
/// `steps·paths` with the paths spread over every core; the exponent is the least-squares slope
/// of log(cost) on log(m).
func sdeStepsBenchmark() throws {
  let model = try covarianceModel(.shapedAttention, gamma: 0.3)
  let sde = try model.sde()
  let tokens = (option("tokens") ?? "16,32,64,128").split(separator: ",").map { Int($0) ?? 0 }
  let paths = option("paths", 8), repeats = option("repeats", 3), minSeconds = option("min-seconds", 0.5)
  let time = 0.01
  guard Set(tokens).count >= 2, tokens.allSatisfy({ $0 >= 2 }), paths >= 1, repeats >= 1 else {
    throw NeuralLimitsError.invalidArgument(
      "need two or more different --tokens ≥ 2 (e.g. 16,32,64,128), --paths ≥ 1 and --repeats ≥ 1")
  }
  var rows: [JSONValue] = [], costs: [Double] = []
  for m in tokens {
    let v0 = initialCovariance(tokens: m)
    func run(_ steps: Int) throws -> Double {
      try timeSDE(sde, from: v0, time: time, steps: steps, paths: paths, steady: true).seconds
    }
    var steps = option("steps", 16)
    if option("steps") == nil {
      while try run(steps) < minSeconds { steps *= 2 }
    }
    let times = try (0..<repeats).map { _ in try run(steps) }
    let work = Double(steps * paths)
    costs.append(times.min()! / work)
    rows.append(.object([
      ("tokens", .integer(m)), ("steps", .integer(steps)), ("seconds", .number(times.min()!)),
      ("seconds_worst", .number(times.max()!)), ("seconds_per_step", .number(times.min()! / work)),
      ("seconds_per_step_worst", .number(times.max()! / work)),
    ]))
  }
  let x = tokens.map { log(Double($0)) }, y = costs.map(log)
  let xMean = x.reduce(0, +) / Double(x.count), yMean = y.reduce(0, +) / Double(y.count)
  let slope = zip(x, y).reduce(0) { $0 + ($1.0 - xMean) * ($1.1 - yMean) } / x.reduce(0) { $0 + ($1 - xMean) * ($1 - xMean) }
  print(JSONValue.object([
    ("tool", .string("NeuralLimits")), ("workload", .string("sde-steps")), ("model", .string(model.kind.rawValue)),
    ("description", .string(sde.description)), ("time", .number(time)), ("paths", .integer(paths)),
    ("threads", .integer(min(paths, ProcessInfo.processInfo.activeProcessorCount))), ("repeats", .integer(repeats)),
    ("exponent", .number(slope)), ("rows", .array(rows)),
  ]).serialized())
}

/// The SDE against the finite network it approximates, width `n = --width` and depth `n` blocks
/// (`T = 1`), both with `--samples` samples from `V₀` (unit diagonal, correlations 0.2): the
/// network of `CovarianceModel.network(width: n, depth: n)` by `TokenCovariance.simulate`, the SDE
/// by `EulerMaruyama.simulate` at `dt = 0.01` (the CLI's default) and at `dt = 1/n` (one step per
/// block, the network's own resolution). Best of `--repeats` interleaved runs each; the mean final
/// `ρ¹²` of both and `CovarianceComparison`'s verdict show that the two ran the same model.
func sdeVersusNetworkBenchmark() throws {
  let model = try covarianceModel(.shapedTransformer, gamma: 0.5)
  let sde = try model.sde()
  let m = option("tokens", 2), n = option("width", 256), samples = option("samples", 1000), repeats = option("repeats", 3)
  guard m >= 2, n >= m, samples >= 2, repeats >= 1 else {
    throw NeuralLimitsError.invalidArgument("need --tokens ≥ 2, --width ≥ --tokens, --samples ≥ 2 and --repeats ≥ 1")
  }
  let network = try model.network(width: n, depth: n)
  let v0 = initialCovariance(tokens: m)
  let names = ["sde", "sde_fine"], steps = [100, n]
  var networkSeconds = Double.infinity, sdeSeconds = [Double](repeating: .infinity, count: steps.count)
  var simulated: TokenCovariance.Ensemble?, ensembles: [SDEEnsemble] = []
  // Interleaved, so that both sides' best runs come from the same spells of machine load.
  for _ in 0..<repeats {
    networkSeconds = min(networkSeconds, try seconds {
      simulated = try TokenCovariance.simulate(network, initial: v0, width: n, samples: samples, seed: 0)
    })
    ensembles = try steps.indices.map { k in
      let run = try timeSDE(sde, from: v0, time: 1, steps: steps[k], paths: samples)
      sdeSeconds[k] = min(sdeSeconds[k], run.seconds)
      return run.ensemble
    }
  }
  let columns = names.indices.flatMap { k -> [(String, JSONValue)] in
    [("\(names[k])_steps", .integer(steps[k])), ("\(names[k])_seconds", .number(sdeSeconds[k])),
     ("\(names[k])_stopped_fraction", .number(ensembles[k].stoppedFraction)),
     ("\(names[k])_projections", .integer(ensembles[k].projections))]
  }
  let comparison = try CovarianceComparison(sde: ensembles[0].finals, network: simulated!.finals)
  print(JSONValue.object([
    ("tool", .string("NeuralLimits")), ("workload", .string("sde-vs-network")), ("model", .string(model.kind.rawValue)),
    ("description", .string(sde.description)), ("tokens", .integer(m)), ("width", .integer(n)), ("depth", .integer(n)),
    ("samples", .integer(samples)), ("threads", .integer(min(samples, ProcessInfo.processInfo.activeProcessorCount))),
    ("network_seconds", .number(networkSeconds)),
  ] + columns + [
    ("rho_12_sde", .number(comparison.statistics[0].sde.mean)),
    ("rho_12_network", .number(comparison.statistics[0].network.mean)),
    ("verdict", .string(comparison.verdict.rawValue)),
  ]).serialized())
}

/// OpenBLAS's own LAPACK Cholesky of `a + jitter·I`, the reference: `dpotrf` whole on a
/// copy of `a` (a row-major lower triangle is a column-major upper one; the rest is not read).
func lapackCholesky(_ a: Matrix, jitter: Double) throws {
  let n = a.rows
  var l = a.elements
  for i in 0..<n { l[i * n + i] += jitter }
  let info = LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "U")), Int32(n), &l, Int32(n))
  guard info == 0 else { throw NeuralLimitsError.lapack(routine: "dpotrf", info: Int(info)) }
}

/// The posterior workload: `--train-x`, `--train-y`, `--test-x` (else `--n` × `--d` and `--m` × `--d`
/// standard normals and targets `sin(Σⱼ xⱼ)`), He et al.'s toy architecture, noise `σ² = 0.01`.
/// Best of `--repeats` runs each: the kernels (train-train, test-train and test-test, NNGP and NTK,
/// by the evaluator); the Cholesky of each `N × N` train kernel plus `σ²I` alone (`Cholesky`, on a
/// copy) and OpenBLAS's LAPACK `dpotrf` of the NTK's (`lapackCholesky`); each mode's predictive
/// mean and covariance at `t = ∞` from those kernels (`predictiveConsumingKernels`, as the CLI);
/// the eigen-decomposition alone (`SymmetricEigen`, `dsyevd`); each mode's trajectory (the
/// eigen-decomposition and the projections) with its predictive at `--time`, and the cost of one
/// more time; and the BLAS-3 steps after the Cholesky at `t = ∞` alone (triangular solves,
/// `dsyrk`, `dgemm`, `dsyr2k`). The checksums are the traces of the covariances.
func posteriorBenchmark() throws {
  let x: Matrix, y: Matrix, test: Matrix
  if let path = option("train-x"), let targets = option("train-y"), let testPath = option("test-x") {
    (x, y, test) = (try readMatrix(path), try readMatrix(targets), try readMatrix(testPath))
  } else {
    let n = option("n", 4000), m = option("m", 1000), d = option("d", 10)
    x = try Matrix(rows: n, columns: d, elements: RandomStream(seed: 0).gaussians(n * d))
    y = try Matrix(rows: n, columns: 1, elements: (0..<n).map { sin(x.row($0).reduce(0, +)) })
    test = try Matrix(rows: m, columns: d, elements: RandomStream(seed: 1).gaussians(m * d))
  }
  let repeats = option("repeats", 3), time = option("time", 100.0), noise = DiagonalNoise.absolute(0.01)
  let network = try ArchitectureParser.parse(ToyRegression.architecture)
  func best(_ body: () throws -> Void) rethrows -> Double {
    try (0..<repeats).map { _ in try seconds(body) }.min()!
  }
  var kernels: PredictiveKernels?
  let kernelSeconds = try best { kernels = try PredictiveKernels(network, train: x, test: test, mode: .ensemble) }
  var fields: [(String, JSONValue)] = [
    ("tool", .string("NeuralLimits")), ("workload", .string("posterior")), ("n", .integer(x.rows)), ("m", .integer(test.rows)),
    ("d", .integer(x.columns)), ("time", .number(time)), ("kernel_seconds", .number(kernelSeconds)),
  ]
  for (name, blocks) in [("nngp", kernels!.nngp!), ("ntk", kernels!.ntk!)] {
    fields.append(("cholesky_\(name)_seconds", .number(try best { _ = try Cholesky(blocks.train, jitter: 0.01) })))
  }
  fields.append(("lapack_cholesky_seconds", .number(try best { try lapackCholesky(kernels!.ntk!.train, jitter: 0.01) })))
  fields.append(("eigen_seconds", .number(try best { _ = try SymmetricEigen(kernels!.ntk!.train) })))
  // The BLAS-3 steps after the Cholesky at t = ∞ (NTK blocks), alone: W = Θ_*D L⁻ᵀ (a triangular
  // solve) and Θ_** − W·Wᵀ (`dsyrk`) for nngp and ntkgp; U = Θ_*D (Θ_DD + σ²I)⁻¹ (two), U·K_DD
  // (`dgemm`) and the `dsyr2k` for the ensemble.
  let ntk = kernels!.ntk!, nngp = kernels!.nngp!
  let factor = try Cholesky(ntk.train, jitter: 0.01)
  var w: Matrix?, u: Matrix?
  fields.append(("whiten_seconds", .number(try best { w = try factor.whiten(rows: ntk.testTrain) })))
  fields.append(("syrk_seconds", .number(best {
    var covariance = ntk.test
    BLAS.symmetricRankUpdate(w!, alpha: -1, beta: 1, into: &covariance)
  })))
  fields.append(("solve_rows_seconds", .number(try best { u = try factor.solve(rows: ntk.testTrain) })))
  var p = nngp.testTrain
  fields.append(("gemm_seconds", .number(best {
    p = nngp.testTrain
    BLAS.gemm(u!, nngp.train, alpha: 0.5, beta: -1, into: &p)
  })))
  fields.append(("syr2k_seconds", .number(best {
    var covariance = nngp.test
    BLAS.symmetricRank2Update(u!, p, alpha: 1, beta: 1, into: &covariance)
  })))
  // Blocks in storage of their own, for a posterior to use up.
  func copied(_ blocks: KernelBlocks?) throws -> KernelBlocks? {
    func copy(_ m: Matrix) throws -> Matrix { try Matrix(rows: m.rows, columns: m.columns, elements: m.elements.map { $0 }) }
    return try blocks.map { try KernelBlocks(train: copy($0.train), testTrain: copy($0.testTrain), test: copy($0.test)) }
  }
  for mode in PredictiveMode.allCases {
    let posterior = try Posterior(kernels: kernels!, targets: y, mode: mode, noise: noise)
    // As the CLI: each repeat uses up a posterior of its own (made before the clock starts).
    var fresh = try (0..<repeats).map { _ in
      try Posterior(kernels: PredictiveKernels(nngp: copied(kernels!.nngp), ntk: copied(kernels!.ntk)), targets: y, mode: mode,
                    noise: noise)
    }
    var predictive: GaussianPredictive?, trajectory: PredictiveTrajectory?
    fields.append(("\(mode)_seconds", .number(try best { predictive = try fresh.removeLast().predictiveConsumingKernels() })))
    fields.append(("\(mode)_checksum", .number(predictive!.variances.reduce(0, +))))
    fields.append(("\(mode)_trajectory_seconds", .number(try best {
      trajectory = try posterior.trajectory()
      predictive = try trajectory!.predictive(at: time)
    })))
    fields.append(("\(mode)_per_time_seconds", .number(try best { _ = try trajectory!.predictive(at: 2 * time) })))
    fields.append(("\(mode)_time_checksum", .number(predictive!.variances.reduce(0, +))))
  }
  print(JSONValue.object(fields).serialized())
}

do {
  switch arguments.dropFirst().first {
  case "kernel": try kernelBenchmark()
  case "montecarlo": try monteCarloBenchmark()
  case "dgemm": dgemmBenchmark()
  case "sde-steps": try sdeStepsBenchmark()
  case "sde-vs-network": try sdeVersusNetworkBenchmark()
  case "posterior": try posteriorBenchmark()
  default:
    let usage = "usage: neural-limits-benchmark kernel|montecarlo|dgemm|sde-steps|sde-vs-network|posterior [options]\n"
    FileHandle.standardError.write(Data(usage.utf8))
    exit(2)
  }
} catch {
  FileHandle.standardError.write(Data("neural-limits-benchmark: \(error)\n".utf8))
  exit(2)
}
