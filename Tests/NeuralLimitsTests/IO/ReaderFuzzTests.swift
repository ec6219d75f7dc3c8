import Foundation
import Testing
@testable import NeuralLimits

/// Seeded mutation fuzzing of the file readers: every mutated file must give a matrix or a
/// thrown `NeuralLimitsError`; a crash or hang fails the run. Seed 42, 20 000 mutants per reader.
@Suite("File readers under mutation")
struct ReaderFuzzTests {
  static let seed: UInt64 = 42, iterations = 20_000

  /// Bytes worth inserting: separators, line ends, signs, exponents, NUL, a UTF-8 lead byte.
  static let interesting = Array(",\r\n\0-+.eE9 #'(){}:".utf8) + [0xFF, 0xC3, 0x93]

  /// Small random choices from a seeded stream.
  struct Chooser {
    let stream: RandomStream
    func int(_ n: Int) -> Int { Swift.min(n - 1, Int(stream.uniform() * Double(n))) }
    func byte() -> UInt8 { UInt8(int(256)) }
  }

  /// One to three of: bit flips, truncation, inserted or deleted bytes, a duplicated chunk,
  /// LF → CRLF, a NUL byte.
  func mutate(_ original: [UInt8], _ choose: Chooser) -> [UInt8] {
    var bytes = original
    for _ in 0...choose.int(3) {
      let at = choose.int(bytes.count + 1)
      switch choose.int(7) {
      case 0: if at < bytes.count { bytes[at] ^= 1 << UInt8(choose.int(8)) }
      case 1: bytes.removeSubrange(at...)
      case 2: bytes.insert(contentsOf: (0...choose.int(4)).map { _ in choose.int(2) == 0 ? choose.byte() : ReaderFuzzTests.interesting[choose.int(ReaderFuzzTests.interesting.count)] }, at: at)
      case 3: bytes.removeSubrange(at..<Swift.min(bytes.count, at + 1 + choose.int(16)))
      case 4: bytes.insert(contentsOf: bytes[at..<Swift.min(bytes.count, at + 1 + choose.int(64))], at: choose.int(bytes.count + 1))
      case 5: bytes = bytes.flatMap { $0 == UInt8(ascii: "\n") ? Array("\r\n".utf8) : [$0] }
      default: bytes.insert(0, at: at)
      }
    }
    return bytes
  }

  /// Runs `read` on the mutant; anything but a matrix or a `NeuralLimitsError` is an issue.
  func expectMatrixOrError(_ mutant: [UInt8], _ read: ([UInt8]) throws -> Matrix) {
    do {
      let m = try read(mutant)
      #expect(m.elements.count == m.rows * m.columns)
    } catch is NeuralLimitsError {
    } catch {
      Issue.record("\(error) for \(mutant)")
    }
  }

  @Test("CSV: mutants of valid files parse or throw NeuralLimitsError")
  func csv() {
    let stream = RandomStream(seed: ReaderFuzzTests.seed)
    let choose = Chooser(stream: stream)
    let samples = [
      "x,y,z\n1.5,-2,0.1\n1e-300,3.141592653589793,-0.0\n",
      "# comment\r\n\r\n1,2\r\n3,4\r\n",
      "\u{FEFF}a , b\n nan ,\t-inf\n+.5e+3,7.\n",
      "0.1234567890123456789012345,1e308,4.9406564584124654e-324\n-1,2,3",
    ].map { Array($0.utf8) }
    for _ in 0..<ReaderFuzzTests.iterations {
      expectMatrixOrError(mutate(samples[choose.int(samples.count)], choose)) { bytes in
        try bytes.withUnsafeBytes { try CSV.parse(bytes: $0, name: "fuzz") }
      }
    }
  }

  @Test("NPY: mutants of valid files, and headers with huge or odd shapes, decode or throw NeuralLimitsError")
  func npy() throws {
    let stream = RandomStream(seed: ReaderFuzzTests.seed + 1)
    let choose = Chooser(stream: stream)
    let matrix = try Matrix([[1.5, -2, 0.1], [1e-300, .pi, -0.0]])
    var samples = [Array(NPY.encode(matrix)), Array(NPY.encode(Matrix(rows: 0, columns: 4)))]
    let shapes = ["(4611686018427387904, 4)", "(9223372036854775807,)", "(18446744073709551616, 1)", "(1000000000, 1000000000)",
                  "(-1, 3)", "(2, 3, 4)", "(4611686018427387904, 4611686018427387904, 0)", "(2, 0, 3)", "(1, 2, 3, 4)", "()", "(6,)", "(3, 2)", "(0,)", "(2,,3)", "(2 3)"]
    for shape in shapes {
      for descr in ["<f8", "<f4", "<i8", "<i4", ">f8"] {
        for version: UInt8 in [1, 2] {
          let dict = "{'descr': '\(descr)', 'fortran_order': \(choose.int(2) == 0 ? "True" : "False"), 'shape': \(shape), }"
          let preamble = version == 1 ? 10 : 12
          let header = Array((dict + String(repeating: " ", count: (64 - (preamble + dict.utf8.count + 1) % 64) % 64) + "\n").utf8)
          let length = (0..<(preamble - 8)).map { UInt8(truncatingIfNeeded: header.count >> (8 * $0)) }
          samples.append([0x93] + Array("NUMPY".utf8) + [version, 0] + length + header + [UInt8](repeating: 0x3F, count: 48))
        }
      }
    }
    for sample in samples {
      expectMatrixOrError(sample) { try NPY.decode(Data($0), name: "fuzz") }
      expectMatrixOrError(sample) { try NPY.decodeSequences(Data($0), name: "fuzz").matrix }
    }
    for _ in 0..<ReaderFuzzTests.iterations {
      let mutant = mutate(samples[choose.int(samples.count)], choose)
      expectMatrixOrError(mutant) { try NPY.decode(Data($0), name: "fuzz") }
      expectMatrixOrError(mutant) { try NPY.decodeSequences(Data($0), name: "fuzz").matrix }
    }
  }
}
