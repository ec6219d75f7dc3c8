import Dispatch

/// Evaluates a `KernelProgram` on a `KernelState`.
///
/// A maximal run of pointwise layers is fused: first the variances of both input sets are
/// pushed through it (recording, per layer, the variances at its input, their roots and inverse
/// roots, and the layer's `inputFeature`), then every kernel entry goes through all its layers
/// while it sits in cache, in tiles of one row segment, rows spread over the cores, and only
/// `j ≥ i` when the state is symmetric (the lower triangle is filled in once, by
/// `KernelState.finalize`). Layers that need the whole state (dropout) are applied between fused
/// runs, infinite-depth limits by integrating their flow (`KernelFlow.swift`), whose derivative is
/// evaluated here too.
enum KernelEvaluator {
  /// Entries per tile: a row segment (its NNGP and NTK, 32 KiB, stay in L1; the broadcast
  /// variances in L2). Wider tiles cut the per-layer call overhead; 2048 measured ~10% faster
  /// than 512 on the benchmark workload, 4096 no faster.
  static let tileWidth = 2048

  static func evaluate(_ node: KernelProgram.Node, slots: Int, _ state: inout KernelState) throws {
    if node.isPointwise {
      try fused(node, slots: slots, &state)
      return
    }
    switch node {
    case .pointwise:
      preconditionFailure("pointwise nodes are fused above")
    case .state(let layer, let context):
      state.materialize()
      state.checkedFinite = false
      try layer.transform(&state, context: context)
    case .serial(let items):
      for item in items { try evaluate(item, slots: slots, &state) }
    case .sum(let branches):
      state.materialize()
      state.checkedFinite = false
      var total: KernelState?
      for (scale, branch) in branches {
        var part = state
        try evaluate(branch, slots: slots, &part)
        total = total.map { $0.adding(part, weight: scale * scale) } ?? part.scaled(by: scale * scale)
      }
      state = total ?? state
    case .flow(let derivative):
      state.materialize()
      state.checkedFinite = false
      try flow(derivative, slots: slots, &state)
    }
  }

  /// Supplies the variances at a pointwise layer's input for a block of entries: called with
  /// the layer's slot, the layer, the block's NNGP as it enters the layer, and the tile-making body.
  typealias VarianceSource = (Int, any PointwiseKernel, UnsafeMutablePointer<Double>, (InputVariances, InputVariances) -> Void)
    -> Void

  /// Runs `node` over a contiguous block of entries (`diagonal`: each pairs an input with itself;
  /// quadrature layers report to `report`).
  static func run(
    _ node: KernelProgram.Node, count: Int, nngp: UnsafeMutablePointer<Double>, ntk: UnsafeMutablePointer<Double>?,
    diagonal: Bool = false, report: QuadratureReport, variances: VarianceSource
  ) {
    switch node {
    case .pointwise(let slot, let layer, let context):
      variances(slot, layer, nngp) { side1, side2 in
        layer.transform(KernelTile(count: count, nngp: nngp, ntk: ntk, side1: side1, side2: side2, isDiagonal: diagonal,
                                   report: report),
                        context: context)
      }
    case .state, .flow:
      preconditionFailure("state layers and flows are never fused")
    case .serial(let items):
      for item in items {
        run(item, count: count, nngp: nngp, ntk: ntk, diagonal: diagonal, report: report, variances: variances)
      }
    case .sum(let branches):
      let parts = ntk == nil ? 2 : 4
      let scratch = UnsafeMutablePointer<Double>.allocate(capacity: parts * count)
      defer { scratch.deallocate() }
      let inputNNGP = scratch, partNNGP = scratch + count
      let inputNTK = ntk == nil ? nil : scratch + 2 * count, partNTK = ntk == nil ? nil : scratch + 3 * count
      inputNNGP.update(from: nngp, count: count)
      if let ntk { inputNTK!.update(from: ntk, count: count) }
      nngp.update(repeating: 0, count: count)
      ntk?.update(repeating: 0, count: count)
      for (scale, branch) in branches {
        partNNGP.update(from: inputNNGP, count: count)
        if let inputNTK { partNTK!.update(from: inputNTK, count: count) }
        run(branch, count: count, nngp: partNNGP, ntk: partNTK, diagonal: diagonal, report: report, variances: variances)
        let w = scale * scale
        for e in 0..<count { nngp[e] += w * partNNGP[e] }
        if let ntk, let partNTK { for e in 0..<count { ntk[e] += w * partNTK[e] } }
      }
    }
  }

  /// Per pointwise layer (slot `s`) and input `k`, the variance `q` at the layer's input, `√q`,
  /// `1/√q` (0 for q = 0) and the layer's `inputFeature(q)`: four planes of `slots·n` entries,
  /// each quantity of slot `s` at `[s·n ..< (s+1)·n]` of its plane.
  struct Tape {
    var storage: [Double]

    init(slots: Int, count n: Int) {
      storage = [Double](repeating: 0, count: 4 * slots * n)
    }

    /// The sides of slot `slot`, for a tape whose storage starts at `base`, offset by `first` inputs.
    static func side(_ base: UnsafePointer<Double>, slot: Int, slots: Int, count n: Int, first: Int = 0) -> InputVariances {
      let plane = slots * n, at = slot * n + first
      return InputVariances(q: base + at, root: base + plane + at, inverseRoot: base + 2 * plane + at,
                            feature: base + 3 * plane + at)
    }
  }

  /// Pushes one set's variances — and, when given, the NTK entries of each input with itself —
  /// through `node` by the layers' variance maps (diagonal tiles), recording the tape.
  static func propagateDiagonal(_ node: KernelProgram.Node, _ v: [Double], ntk: [Double]?, slots: Int,
                                report: QuadratureReport) -> (tape: Tape, variances: [Double], ntk: [Double]?)
  {
    let n = v.count
    var tape = Tape(slots: slots, count: n)
    var values = v
    var ntkValues = ntk ?? []
    tape.storage.withUnsafeMutableBufferPointer { pt in
      values.withUnsafeMutableBufferPointer { p in
        ntkValues.withUnsafeMutableBufferPointer { pntk in
          run(node, count: n, nngp: p.baseAddress!, ntk: ntk == nil ? nil : pntk.baseAddress!, diagonal: true,
              report: report) { slot, layer, input, body in
            let side = Tape.side(pt.baseAddress!, slot: slot, slots: slots, count: n)
            let q = UnsafeMutablePointer(mutating: side.q), s = UnsafeMutablePointer(mutating: side.root)
            let r = UnsafeMutablePointer(mutating: side.inverseRoot), f = UnsafeMutablePointer(mutating: side.feature)
            q.update(from: input, count: n)
            for k in 0..<n {
              s[k] = q[k].squareRoot()
              r[k] = q[k] > 0 ? 1 / s[k] : 0
              f[k] = layer.inputFeature(q[k])
            }
            body(side, side)
          }
        }
      }
    }
    return (tape, values, ntk == nil ? nil : ntkValues)
  }

  /// Pointers that cross into `concurrentPerform` (each row is written by one task).
  struct Shared: @unchecked Sendable {
    /// `nil` when the NNGP is not stored (`KernelState.storesNNGP`): each task keeps its tile's.
    let nngp: UnsafeMutablePointer<Double>?
    let ntk: UnsafeMutablePointer<Double>?
    /// The input kernel, when the NNGP storage is not yet written (`KernelState.pendingGram`).
    let gram: InputGram?
    /// The tapes of the row inputs and of the column inputs (`Tape.storage`).
    let tape1, tape2: UnsafePointer<Double>
    /// One flag per task: it wrote a non-finite entry.
    let nonFinite: TaskSlots<Bool>
    /// One report per task.
    let reports: [QuadratureReport]
  }

  /// A fused pass. Entries that pair an input with itself (the diagonal of a symmetric state)
  /// take the variance maps only (`propagateDiagonal`), so they are the variances exactly;
  /// every other entry goes through the correlation maps, tile by tile. Throws when a quadrature
  /// layer misses its target — after the variance maps already, if it can tell there.
  static func fused(_ node: KernelProgram.Node, slots: Int, _ state: inout KernelState) throws {
    let symmetric = state.isSymmetric
    let rows = state.nngp.rows, columns = state.nngp.columns
    let hasNTK = state.ntk != nil, zeroNTK = state.ntkIsZero, gram = state.pendingGram, storesNNGP = state.storesNNGP
    precondition(storesNNGP || gram != nil, "an NNGP not stored is made from the inputs")
    let diagonalNTK: [Double]? = hasNTK && symmetric ? (zeroNTK ? [Double](repeating: 0, count: rows) : state.ntk!.diagonal) : nil
    let report = QuadratureReport()
    let (tape1, out1, ntkOut) = propagateDiagonal(node, state.var1, ntk: diagonalNTK, slots: slots, report: report)
    try report.check()
    let (tape2, out2) = symmetric ? (tape1, out1) : { let p = propagateDiagonal(node, state.var2, ntk: nil, slots: slots, report: report); return (p.tape, p.variances) }()
    try report.check()
    let rowsPerTask = 4
    let tasks = (rows + rowsPerTask - 1) / rowsPerTask
    let reports = (0..<tasks).map { _ in QuadratureReport() }
    // Take the NTK out of the state so that its storage is uniquely referenced (no copy).
    var ntkElements = state.ntk?.elements ?? []
    state.ntk = nil
    let nonFinite = TaskSlots<Bool>(count: tasks)
    state.nngp.elements.withUnsafeMutableBufferPointer { pn in
      ntkElements.withUnsafeMutableBufferPointer { pt in
        tape1.storage.withUnsafeBufferPointer { t1 in
          tape2.storage.withUnsafeBufferPointer { t2 in
            let shared = Shared(nngp: storesNNGP ? pn.baseAddress! : nil, ntk: hasNTK ? pt.baseAddress! : nil, gram: gram,
                                tape1: t1.baseAddress!, tape2: t2.baseAddress!, nonFinite: nonFinite, reports: reports)
            BLAS.concurrentPerform(iterations: tasks) { task in
              let finite = fusedRows(node, shared, rows: (task * rowsPerTask)..<min(rows, (task + 1) * rowsPerTask),
                                     firstSet: rows, columns: columns, slots: slots, upperOnly: symmetric, zeroNTK: zeroNTK,
                                     report: shared.reports[task])
              shared.nonFinite.set(task, !finite)
            }
          }
        }
      }
    }
    var diagonalFinite = true
    if symmetric {
      for i in 0..<rows {
        if storesNNGP { state.nngp.elements[i * columns + i] = out1[i] }
        if let ntkOut { ntkElements[i * columns + i] = ntkOut[i] }
        diagonalFinite = diagonalFinite && out1[i].isFinite && (ntkOut?[i].isFinite ?? true)
      }
    }
    if hasNTK { state.ntk = try! Matrix(rows: rows, columns: columns, elements: ntkElements) }
    state.ntkIsZero = false
    state.pendingGram = nil
    state.checkedFinite = !nonFinite.values.contains(true) && diagonalFinite
    for r in reports { report.merge(r) }
    try report.check()
    if let estimate = report.largestError {
      state.quadratureErrorEstimate = max(state.quadratureErrorEstimate ?? 0, estimate)
    }
    state.var1 = out1
    state.var2 = out2
  }

  /// Entries of `rows` (right of the diagonal when `upperOnly`), one tile at a time; `firstSet`
  /// is the number of rows in all (the row tape's count of inputs); `zeroNTK`: the NTK storage is
  /// unwritten and starts at zero (and `shared.gram`, when given, makes the NNGP's). Returns
  /// whether every entry written is finite.
  private static func fusedRows(_ node: KernelProgram.Node, _ shared: Shared, rows: Range<Int>, firstSet: Int,
                                columns: Int, slots: Int, upperOnly: Bool, zeroNTK: Bool, report: QuadratureReport) -> Bool {
    var finite = true
    // The row input's quantities, repeated along the tile.
    let broadcast = UnsafeMutablePointer<Double>.allocate(capacity: 4 * tileWidth)
    defer { broadcast.deallocate() }
    let rowSide = InputVariances(q: broadcast, root: broadcast + tileWidth, inverseRoot: broadcast + 2 * tileWidth,
                                 feature: broadcast + 3 * tileWidth)
    let scratch = shared.nngp == nil ? UnsafeMutablePointer<Double>.allocate(capacity: tileWidth) : nil
    defer { scratch?.deallocate() }
    // The tapes in locals: a closure capturing `shared` copies its references (retain and
    // release per layer and tile, on counts that both cores write).
    let tape1 = shared.tape1, tape2 = shared.tape2
    for i in rows {
      var start = upperOnly ? i + 1 : 0
      while start < columns {
        let count = min(tileWidth, columns - start)
        let offset = i * columns + start
        if zeroNTK, let ntk = shared.ntk { (ntk + offset).update(repeating: 0, count: count) }
        let nngp = scratch ?? shared.nngp! + offset
        shared.gram?.segment(row: i, from: start, count: count, into: nngp)
        run(node, count: count, nngp: nngp, ntk: shared.ntk.map { $0 + offset }, report: report) { slot, layer, _, body in
          if layer.readsInputVariances {
            let row = Tape.side(tape1, slot: slot, slots: slots, count: firstSet, first: i)
            UnsafeMutablePointer(mutating: rowSide.q).update(repeating: row.q[0], count: count)
            UnsafeMutablePointer(mutating: rowSide.root).update(repeating: row.root[0], count: count)
            UnsafeMutablePointer(mutating: rowSide.inverseRoot).update(repeating: row.inverseRoot[0], count: count)
            UnsafeMutablePointer(mutating: rowSide.feature).update(repeating: row.feature[0], count: count)
          }
          body(rowSide, Tape.side(tape2, slot: slot, slots: slots, count: columns, first: start))
        }
        finite = finite && allFinite(nngp, count) && shared.ntk.map { allFinite($0 + offset, count) } ?? true
        start += count
      }
    }
    return finite
  }
}
