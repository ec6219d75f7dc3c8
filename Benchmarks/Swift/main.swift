// neural-limits-benchmark: times NeuralLimits on the workloads of Benchmarks/README.md and
// prints one JSON line, which Benchmarks/run.sh sets beside neural-tangents' line from the
// same process tree.
//
//   neural-limits-benchmark kernel     [--x inputs.npy | --n 4000 --d 100] [--depth 10] [--repeats 3]
//   neural-limits-benchmark montecarlo [--x inputs.npy | --n 100 --d 10] [--width 512] [--samples 64] [--repeats 1]
//   neural-limits-benchmark dgemm      [--n 2048] [--threads 2]
//
// Like the CLI, it first restarts on the OpenBLAS core the CPU's features call for when OpenBLAS
// fell back to a generic one (OpenBLASCoreSelection), so its dgemm rates are the corrected ones.
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

do {
  switch arguments.dropFirst().first {
  case "kernel": try kernelBenchmark()
  case "montecarlo": try monteCarloBenchmark()
  case "dgemm": dgemmBenchmark()
  default:
    FileHandle.standardError.write(Data("usage: neural-limits-benchmark kernel|montecarlo|dgemm [options]\n".utf8))
    exit(2)
  }
} catch {
  FileHandle.standardError.write(Data("neural-limits-benchmark: \(error)\n".utf8))
  exit(2)
}
