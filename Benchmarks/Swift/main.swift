// neural-limits-benchmark: times the analytic kernel (and, with `montecarlo`, the sampler) on
// the workloads of Benchmarks/README.md and prints one JSON line, which Benchmarks/run.sh sets
// beside neural-tangents' line from the same process tree.
import Dispatch
import Foundation
import NeuralLimits

func seconds(_ body: () throws -> Void) rethrows -> Double {
  let start = DispatchTime.now().uptimeNanoseconds
  try body()
  return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
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

let arguments = CommandLine.arguments
func option(_ name: String, _ fallback: Int) -> Int {
  arguments.firstIndex(of: "--\(name)").flatMap { Int(arguments[$0 + 1]) } ?? fallback
}

let n = option("n", 4000), d = option("d", 100), depth = option("depth", 10), repeats = option("repeats", 3)
let x = try Matrix(rows: n, columns: d, elements: RandomStream(seed: 0).gaussians(n * d))
let network = Serial {
  Repeat(depth) { Dense(wStd: 1.5, bStd: 0.05); ReLU() }
  Dense(wStd: 1.5, bStd: 0.05)
}
if arguments.contains("--phases") {
  var s0: KernelState?
  print("init", seconds { s0 = try! KernelState(x1: x, ntk: true) })
  var m = s0!.nngp
  print("symmetrize", seconds { m.symmetrizeFromUpper() })
  print("validate", seconds { try! m.validateFinite("m") })
  print("alloc", seconds { m = Matrix(rows: n, columns: n) })
}
var state: KernelState?
var best = Double.infinity
for _ in 0..<repeats {
  best = min(best, try seconds { state = try network.kernels(x, get: [.nngp, .ntk]) })
}
let entries = Double(n) * Double(n + 1) / 2
let entryLayers = entries * Double(2 * depth + 1)
/// Arithmetic operations per entry of one dense → ReLU pair, counting √, ÷, min/max and each
/// arccos as one (the arccos itself costs ~20): dense 4 + correlation 6 + sine 3 + arccos 1 +
/// NNGP 7 + derivative 2 + NTK 2 = 25.
let operationsPerPair = 25.0
let limit = entries * Double(depth) * operationsPerPair / scalarOperationsPerSecond()
let line = JSONValue.object([
  ("tool", .string("NeuralLimits")), ("workload", .string("kernel")), ("seconds", .number(best)),
  ("n", .integer(n)), ("d", .integer(d)), ("depth", .integer(depth)),
  ("entry_layers_per_second", .number(entryLayers / best)),
  ("scalar_arithmetic_limit_seconds", .number(limit)),
  ("checksum", .number(state!.nngp.diagonal.reduce(0, +))),
])
print(line.serialized())
