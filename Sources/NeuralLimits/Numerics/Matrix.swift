import Dispatch
import Foundation

/// A dense row-major matrix of `Double`.
///
/// Entry `(i, j)` is `elements[i * columns + j]`, the layout of C, NumPy (`order='C'`) and
/// `CblasRowMajor`. Value semantics: copies are cheap until written (copy-on-write `Array`).
public struct Matrix: Equatable, Sendable, CustomStringConvertible {
  public let rows: Int
  public let columns: Int
  public var elements: [Double]

  /// A `rows × columns` matrix filled with `value`.
  public init(rows: Int, columns: Int, repeating value: Double = 0) {
    precondition(rows >= 0 && columns >= 0, "negative matrix dimension")
    self.rows = rows
    self.columns = columns
    self.elements = [Double](repeating: value, count: rows * columns)
  }

  /// A matrix from its row-major elements; throws when the count does not match.
  public init(rows: Int, columns: Int, elements: [Double]) throws {
    guard rows >= 0, columns >= 0, elements.count == rows * columns else {
      throw NeuralLimitsError.dimensionMismatch(
        "\(elements.count) elements cannot form a \(rows) × \(columns) matrix")
    }
    self.rows = rows
    self.columns = columns
    self.elements = elements
  }

  /// A matrix from nested rows, each of the same length.
  public init(_ nested: [[Double]]) throws {
    let columns = nested.first?.count ?? 0
    for (index, row) in nested.enumerated() where row.count != columns {
      throw NeuralLimitsError.dimensionMismatch(
        "row \(index) has \(row.count) entries, row 0 has \(columns)")
    }
    try self.init(rows: nested.count, columns: columns, elements: nested.flatMap { $0 })
  }

  /// The `n × n` identity.
  public static func identity(_ n: Int) -> Matrix {
    var m = Matrix(rows: n, columns: n)
    for i in 0..<n { m.elements[i * n + i] = 1 }
    return m
  }

  @inlinable
  public subscript(row: Int, column: Int) -> Double {
    get { elements[row * columns + column] }
    set { elements[row * columns + column] = newValue }
  }

  /// Row `i` as an array.
  public func row(_ i: Int) -> [Double] {
    Array(elements[(i * columns)..<((i + 1) * columns)])
  }

  /// Rows as nested arrays (for JSON output and tests).
  public var nested: [[Double]] { (0..<rows).map(row) }

  /// The main diagonal of a square matrix.
  public var diagonal: [Double] { (0..<Swift.min(rows, columns)).map { self[$0, $0] } }

  public var transposed: Matrix {
    var t = Matrix(rows: columns, columns: rows)
    for i in 0..<rows {
      for j in 0..<columns { t.elements[j * rows + i] = elements[i * columns + j] }
    }
    return t
  }

  /// Rows `range` as a new matrix.
  public func rows(_ range: Range<Int>) -> Matrix {
    var m = Matrix(rows: range.count, columns: columns)
    m.elements = Array(elements[(range.lowerBound * columns)..<(range.upperBound * columns)])
    return m
  }

  /// The rows of `self` followed by the rows of `other`.
  public func stacked(with other: Matrix) throws -> Matrix {
    guard other.columns == columns || rows == 0 || other.rows == 0 else {
      throw NeuralLimitsError.dimensionMismatch(
        "cannot stack a \(rows) × \(columns) matrix on a \(other.rows) × \(other.columns) one")
    }
    return try Matrix(rows: rows + other.rows, columns: Swift.max(columns, other.columns),
                      elements: elements + other.elements)
  }

  /// A `rows × columns` matrix whose entries the caller writes before reading (no zero fill).
  /// Storage of 4 MiB and more is backed by transparent huge pages where the system allows
  /// (`MADV_HUGEPAGE`), so that its first writes take 512 times fewer page faults.
  init(rows: Int, columns: Int, uninitialized: Void) {
    self.rows = rows
    self.columns = columns
    elements = [Double](unsafeUninitializedCapacity: rows * columns) { buffer, count in
      count = rows * columns
      Matrix.adviseHugePages(UnsafeMutableRawBufferPointer(buffer))
    }
  }

  /// A matrix whose row `i` `fill(i, row)` writes, blocks of rows spread over the cores: the first
  /// writes to fresh storage take the page faults (the system zeroes each page), and those run in
  /// parallel this way.
  init(rows: Int, columns: Int, fillingRows fill: @Sendable (Int, UnsafeMutablePointer<Double>) -> Void) {
    self.init(rows: rows, columns: columns, uninitialized: ())
    let block = 32
    elements.withUnsafeMutableBufferPointer { p in
      guard let base = p.baseAddress else { return }
      let shared = SharedBuffer(base: base)
      DispatchQueue.concurrentPerform(iterations: (rows + block - 1) / block) { b in
        for i in (b * block)..<Swift.min(rows, (b + 1) * block) { fill(i, shared.base + i * columns) }
      }
    }
  }

  /// Calls `body` with the elements' base address, shareable across parallel tasks (which only read).
  func withSharedElements<R>(_ body: (SharedSource) throws -> R) rethrows -> R {
    try elements.withUnsafeBufferPointer { try body(SharedSource(base: $0.baseAddress)) }
  }

  /// A copy in storage of its own, for callers that write it at once (a factorisation or a BLAS-3
  /// update in place): `var m = self` followed by a write would copy on one core, page fault by
  /// page fault (32,768 of them for a 4,000 × 4,000 matrix); this copy faults on all cores.
  func copiedToFreshStorage() -> Matrix {
    let n = columns
    return withSharedElements { source in
      Matrix(rows: rows, columns: n) { i, row in row.update(from: source.base! + i * n, count: n) }
    }
  }

  /// Asks for huge pages on the 2 MiB-aligned interior of an untouched buffer (a no-op below
  /// 4 MiB, and where the kernel has transparent huge pages off).
  static func adviseHugePages(_ buffer: UnsafeMutableRawBufferPointer) {
    #if os(Linux)
    let huge = 2 << 20
    guard buffer.count >= 2 * huge, let base = buffer.baseAddress else { return }
    let start = (Int(bitPattern: base) + huge - 1) & ~(huge - 1)
    let end = (Int(bitPattern: base) + buffer.count) & ~(huge - 1)
    if end > start { _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, MADV_HUGEPAGE) }
    #endif
  }

  /// True when every entry is finite (`allFinite`), in chunks spread over the cores.
  public var isFinite: Bool {
    let chunk = 1 << 16
    let chunks = (elements.count + chunk - 1) / chunk
    return withSharedElements { source in
      let flags = TaskSlots<Bool>(count: chunks)
      let count = elements.count
      DispatchQueue.concurrentPerform(iterations: chunks) { c in
        flags.set(c, !allFinite(source.base! + c * chunk, Swift.min(chunk, count - c * chunk)))
      }
      return !flags.values.contains(true)
    }
  }

  /// Throws unless every entry is finite; `name` goes into the message.
  public func validateFinite(_ name: String) throws {
    guard !isFinite else { return }
    if let index = elements.firstIndex(where: { !$0.isFinite }) {
      throw NeuralLimitsError.invalidArgument(
        "\(name): a non-finite entry, \(elements[index]), at row \(index / Swift.max(columns, 1)), column \(index % Swift.max(columns, 1))")
    }
  }

  /// Largest absolute entry of `self - other`.
  public func maxAbsDifference(_ other: Matrix) -> Double {
    zip(elements, other.elements).reduce(0) { Swift.max($0, abs($1.0 - $1.1)) }
  }

  /// Frobenius norm.
  public var frobeniusNorm: Double { elements.reduce(0) { $0 + $1 * $1 }.squareRoot() }

  /// Copies the upper triangle onto the lower one (for results computed on `j ≥ i` only), in
  /// 32 × 32 blocks so that the column reads stay in cache, row blocks spread over the cores.
  public mutating func symmetrizeFromUpper() {
    precondition(rows == columns)
    let n = rows, block = 32
    let blocks = (n + block - 1) / block
    elements.withUnsafeMutableBufferPointer { a in
      let shared = SharedBuffer(base: a.baseAddress!)
      DispatchQueue.concurrentPerform(iterations: blocks) { b in
        let a = shared.base, i0 = b * block
        for j0 in stride(from: 0, through: i0, by: block) {
          for i in i0..<Swift.min(i0 + block, n) {
            for j in j0..<Swift.min(j0 + block, i) { a[i * n + j] = a[j * n + i] }
          }
        }
      }
    }
  }

  public var description: String {
    nested.map { $0.map { String($0) }.joined(separator: "\t") }.joined(separator: "\n")
  }
}

/// Whether `count` entries are finite: an integer OR over the exponent fields (all ones for ±∞
/// and NaN), which vectorises.
@inline(__always)
func allFinite(_ p: UnsafePointer<Double>, _ count: Int) -> Bool {
  p.withMemoryRebound(to: UInt64.self, capacity: count) { bits in
    var nonFinite: UInt64 = 0
    for k in 0..<count { nonFinite |= (bits[k] & 0x7FF0_0000_0000_0000) == 0x7FF0_0000_0000_0000 ? 1 : 0 }
    return nonFinite == 0
  }
}

/// A buffer that parallel tasks write in disjoint parts.
struct SharedBuffer: @unchecked Sendable {
  let base: UnsafeMutablePointer<Double>
}

/// A buffer that parallel tasks read.
struct SharedSource: @unchecked Sendable {
  let base: UnsafePointer<Double>?
}


extension Matrix {
  public static func + (a: Matrix, b: Matrix) -> Matrix {
    precondition(a.rows == b.rows && a.columns == b.columns, "shape mismatch in +")
    var c = a
    for k in c.elements.indices { c.elements[k] += b.elements[k] }
    return c
  }

  public static func - (a: Matrix, b: Matrix) -> Matrix {
    precondition(a.rows == b.rows && a.columns == b.columns, "shape mismatch in -")
    var c = a
    for k in c.elements.indices { c.elements[k] -= b.elements[k] }
    return c
  }

  public static func * (s: Double, a: Matrix) -> Matrix {
    var c = a
    for k in c.elements.indices { c.elements[k] *= s }
    return c
  }

  /// `A·diag(f)`: column `j` multiplied by `factors[j]`.
  public func scalingColumns(by factors: [Double]) -> Matrix {
    precondition(factors.count == columns, "scalingColumns: one factor per column")
    var c = self
    let n = columns
    c.elements.withUnsafeMutableBufferPointer { p in
      factors.withUnsafeBufferPointer { f in
        for i in 0..<rows {
          let row = p.baseAddress! + i * n
          for j in 0..<n { row[j] *= f[j] }
        }
      }
    }
    return c
  }
}
