import Dispatch

/// Evaluates a `KernelProgram` on a `KernelState`.
///
/// A maximal run of pointwise layers is fused: first the variances of both input sets are
/// pushed through it (recording, per layer, the variances at its input), then every kernel
/// entry goes through all its layers while it sits in cache, in tiles of one row segment,
/// rows spread over the cores, and only `j ≥ i` when the state is symmetric. Layers that need
/// the whole state (dropout) are applied between fused runs.
enum KernelEvaluator {
  /// Entries per tile: a row segment that stays in L1 with its scratch copies.
  static let tileWidth = 256

  static func evaluate(_ node: KernelProgram.Node, slots: Int, _ state: inout KernelState) throws {
    if node.isPointwise {
      fused(node, slots: slots, &state)
      return
    }
    switch node {
    case .pointwise:
      fused(node, slots: slots, &state)
    case .state(let layer, let context):
      try layer.transform(&state, context: context)
    case .serial(let items):
      for item in items { try evaluate(item, slots: slots, &state) }
    case .sum(let branches):
      var total: KernelState?
      for (scale, branch) in branches {
        var part = state
        try evaluate(branch, slots: slots, &part)
        total = total.map { $0.adding(part, weight: scale * scale) } ?? part.scaled(by: scale * scale)
      }
      state = total ?? state
    }
  }

  /// Supplies the variances `(q1, q2)` at a pointwise layer's input for a block of entries:
  /// called with the layer's slot, the block's NNGP as it enters the layer, and the body to run.
  typealias VarianceSource = (Int, UnsafeMutablePointer<Double>, (UnsafePointer<Double>, UnsafePointer<Double>) -> Void) -> Void

  /// Runs `node` over a contiguous block of entries.
  static func run(
    _ node: KernelProgram.Node, count: Int, nngp: UnsafeMutablePointer<Double>, ntk: UnsafeMutablePointer<Double>?,
    variances: VarianceSource
  ) {
    switch node {
    case .pointwise(let slot, let layer, let context):
      variances(slot, nngp) { q1, q2 in
        layer.transform(KernelTile(count: count, nngp: nngp, ntk: ntk, q1: q1, q2: q2), context: context)
      }
    case .state:
      preconditionFailure("state layers are never fused")
    case .serial(let items):
      for item in items { run(item, count: count, nngp: nngp, ntk: ntk, variances: variances) }
    case .sum(let branches):
      let width = ntk == nil ? 1 : 2
      let scratch = UnsafeMutablePointer<Double>.allocate(capacity: 2 * width * count)
      defer { scratch.deallocate() }
      let inputNNGP = scratch, partNNGP = scratch + count
      let inputNTK = width == 2 ? scratch + 2 * count : nil, partNTK = width == 2 ? scratch + 3 * count : nil
      inputNNGP.update(from: nngp, count: count)
      if let ntk { inputNTK!.update(from: ntk, count: count) }
      for (index, (scale, branch)) in branches.enumerated() {
        partNNGP.update(from: inputNNGP, count: count)
        if let inputNTK { partNTK!.update(from: inputNTK, count: count) }
        run(branch, count: count, nngp: partNNGP, ntk: partNTK, variances: variances)
        let w = scale * scale
        for e in 0..<count { nngp[e] = index == 0 ? w * partNNGP[e] : nngp[e] + w * partNNGP[e] }
        if let ntk, let partNTK {
          for e in 0..<count { ntk[e] = index == 0 ? w * partNTK[e] : ntk[e] + w * partNTK[e] }
        }
      }
    }
  }

  /// Pushes one set's variances through `node`. Returns the tape — slot `s`'s input variances
  /// at `tape[s·n ..< (s+1)·n]` — and the output variances.
  static func propagateVariances(_ node: KernelProgram.Node, _ v: [Double], slots: Int) -> (tape: [Double], output: [Double]) {
    let n = v.count
    var tape = [Double](repeating: 0, count: slots * n)
    var values = v
    tape.withUnsafeMutableBufferPointer { pt in
      values.withUnsafeMutableBufferPointer { p in
        run(node, count: n, nngp: p.baseAddress!, ntk: nil) { slot, input, body in
          let recorded = pt.baseAddress! + slot * n
          recorded.update(from: input, count: n)
          body(recorded, recorded)
        }
      }
    }
    return (tape, values)
  }

  /// Pointers that can cross into `concurrentPerform` (rows are written by one task each).
  struct SharedPointers: @unchecked Sendable {
    let nngp: UnsafeMutablePointer<Double>
    let ntk: UnsafeMutablePointer<Double>?
    let tape1: UnsafePointer<Double>
    let tape2: UnsafePointer<Double>
  }

  static func fused(_ node: KernelProgram.Node, slots: Int, _ state: inout KernelState) {
    let (tape1, out1) = propagateVariances(node, state.var1, slots: slots)
    let (tape2, out2) = state.isSymmetric ? (tape1, out1) : propagateVariances(node, state.var2, slots: slots)
    let rows = state.nngp.rows, columns = state.nngp.columns
    let symmetric = state.isSymmetric
    let rowsPerTask = 4
    let tasks = (rows + rowsPerTask - 1) / rowsPerTask
    let hasNTK = state.ntk != nil
    var ntkElements = state.ntk?.elements ?? []
    state.nngp.elements.withUnsafeMutableBufferPointer { pn in
      ntkElements.withUnsafeMutableBufferPointer { pt in
       tape1.withUnsafeBufferPointer { p1 in
        tape2.withUnsafeBufferPointer { p2 in
        let shared = SharedPointers(nngp: pn.baseAddress!, ntk: hasNTK ? pt.baseAddress! : nil,
                                    tape1: p1.baseAddress!, tape2: p2.baseAddress!)
        DispatchQueue.concurrentPerform(iterations: tasks) { task in
          let broadcast = UnsafeMutablePointer<Double>.allocate(capacity: tileWidth)
          defer { broadcast.deallocate() }
          for i in (task * rowsPerTask)..<min(rows, (task + 1) * rowsPerTask) {
            var start = symmetric ? i : 0
            while start < columns {
              let count = min(tileWidth, columns - start)
              let offset = i * columns + start
              run(node, count: count, nngp: shared.nngp + offset, ntk: shared.ntk.map { $0 + offset }) { slot, _, body in
                broadcast.update(repeating: shared.tape1[slot * rows + i], count: count)
                body(broadcast, shared.tape2 + slot * columns + start)
              }
              start += count
            }
          }
        }
        }
       }
      }
    }
    if hasNTK { state.ntk!.elements = ntkElements }
    if symmetric {
      state.nngp.symmetrizeFromUpper()
      state.ntk?.symmetrizeFromUpper()
    }
    state.var1 = out1
    state.var2 = out2
  }
}

extension KernelState {
  /// `self + weight·other`, entry by entry (variances too).
  func adding(_ other: KernelState, weight: Double) -> KernelState {
    var result = self
    result.nngp = nngp + weight * other.nngp
    if let ntk, let otherNTK = other.ntk { result.ntk = ntk + weight * otherNTK }
    result.var1 = zip(var1, other.var1).map { $0 + weight * $1 }
    result.var2 = zip(var2, other.var2).map { $0 + weight * $1 }
    return result
  }

  /// `weight·self`.
  func scaled(by weight: Double) -> KernelState {
    var result = self
    result.nngp = weight * nngp
    result.ntk = ntk.map { weight * $0 }
    result.var1 = var1.map { weight * $0 }
    result.var2 = var2.map { weight * $0 }
    return result
  }
}
