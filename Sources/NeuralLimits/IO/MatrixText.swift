import Dispatch
import Foundation

/// How `Matrix.appendText` lays out rows: each row is `rowStart`, the entries separated by
/// `separator`, then `rowEnd` (`lastRowEnd` after the last row). Entries are in their shortest
/// round-tripping decimal form (Swift's `description`: `0.1`, `1e-300`, `-0.0`); non-finite
/// entries are written as `nonFinite` when it is set (JSON's `null`), else `nan`, `inf`, `-inf`.
struct MatrixTextLayout {
  var rowStart: String
  var separator: String
  var rowEnd: String
  var lastRowEnd: String
  var nonFinite: String?
}

extension Matrix {
  /// Appends the rows as text laid out by `layout`. Blocks of rows are formatted in parallel
  /// into their own buffers, which are then appended in order.
  func appendText(to out: inout Data, _ layout: MatrixTextLayout) {
    guard rows > 0 else { return }
    let rowsPerBlock = Swift.max(1, (1 << 15) / Swift.max(columns, 1))
    let blocks = TaskSlots<[UInt8]>(count: (rows + rowsPerBlock - 1) / rowsPerBlock)
    let rowStart = Array(layout.rowStart.utf8), separator = Array(layout.separator.utf8)
    let rowEnd = Array(layout.rowEnd.utf8), lastRowEnd = Array(layout.lastRowEnd.utf8)
    let nonFinite = layout.nonFinite.map { Array($0.utf8) }
    DispatchQueue.concurrentPerform(iterations: blocks.count) { block in
      var text: [UInt8] = []
      text.reserveCapacity(rowsPerBlock * (columns * 24 + rowStart.count + rowEnd.count))
      elements.withUnsafeBufferPointer { entries in
        for i in (block * rowsPerBlock)..<Swift.min(rows, (block + 1) * rowsPerBlock) {
          text.append(contentsOf: rowStart)
          for j in 0..<columns {
            if j > 0 { text.append(contentsOf: separator) }
            let x = entries[i * columns + j]
            if let nonFinite, !x.isFinite {
              text.append(contentsOf: nonFinite)
            } else {
              text.append(contentsOf: x.description.utf8)
            }
          }
          text.append(contentsOf: i == rows - 1 ? lastRowEnd : rowEnd)
        }
      }
      blocks.set(block, text)
    }
    let texts = blocks.values
    out.reserveCapacity(out.count + texts.reduce(0) { $0 + $1.count })
    texts.forEach { out.append(contentsOf: $0) }
  }
}
