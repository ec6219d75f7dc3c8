/// The empirical kernels of one sampled finite network on a batch.
///
/// - NNGP: `f(x)·f(x')ᵀ/n_out`; when the network ends in a dense layer (the readout), its
///   expectation over the readout's own weights, `w²·h(x)·h(x')/n_in + b²` — the readout's kernel
///   map applied to the empirical kernel of its input `h` (variance reduction; exact in
///   expectation).
/// - NTK: exactly `J(x)·J(x')ᵀ/n_out` for this network, by one backward pass per output unit
///   (per output unit and token when a layer mixes tokens: `CotangentLayout`), batched, each
///   primitive adding `(backpropagated signal products) ∘ (input products)` (summed over the token
///   pairs of two sequences); no Jacobian is formed.
struct EmpiricalKernels {
  var nngp: Matrix
  var ntk: Matrix?

  init(_ network: FiniteNetwork, parameters: UnsafeBufferPointer<Double>, batch x: Matrix, random: RandomStream,
       ntk wantNTK: Bool) {
    var records: [FiniteNetwork.Record] = []
    records.reserveCapacity(network.primitiveCount)
    let f = network.forward(x, parameters: parameters, random: random, records: &records)
    if let readout = network.readout, let last = records.last {
      var gram = BLAS.gram(last.input, alpha: 1 / Double(last.input.columns))
      let context = LayerContext(inputWidth: last.input.columns, hiddenWidth: nil)
      gram.elements.withUnsafeMutableBufferPointer { p in
        // The dense map reads no variances, roots or features.
        let unused = UnsafePointer(p.baseAddress!)
        let side = InputVariances(q: unused, root: unused, inverseRoot: unused, feature: unused)
        readout.transform(KernelTile(count: p.count, nngp: p.baseAddress!, ntk: nil, side1: side, side2: side),
                          context: context)
      }
      nngp = gram
    } else {
      nngp = BLAS.gram(f, alpha: 1 / Double(f.columns))
    }
    guard wantNTK else {
      ntk = nil
      return
    }
    let outputs = f.columns
    var theta = Matrix(rows: x.rows, columns: x.rows)
    network.accumulateNTK(parameters: parameters, records: records, into: &theta)
    ntk = (1 / Double(outputs)) * theta
  }
}
