/// A finite network's outputs, loss gradient and Jacobian–vector products at given parameters:
/// what training and the ensembles built on it call. Each is one forward pass with records and
/// one backward walk (`FiniteNetwork.backward`), the walk the empirical NTK takes too.
extension FiniteNetwork {
  /// The outputs `f(x)` (`batch × outputWidth`) at `parameters`; dropout draws its masks from
  /// `random` (the library's dropout is always in training mode).
  public func outputs(_ x: Matrix, parameters: [Double], random: RandomStream) throws -> Matrix {
    try validate(inputs: x)
    try validate(parameters, as: "parameters")
    var records: [Record] = []
    return parameters.withUnsafeBufferPointer { forward(x, parameters: $0, random: random, records: &records) }
  }

  /// The loss `L(f(x), y)` and its gradient `∂L/∂θ` with respect to every parameter: one
  /// forward pass and one backward pass.
  public func lossGradient(_ x: Matrix, targets y: Matrix, loss: Loss, parameters: [Double],
                           random: RandomStream) throws -> (loss: Double, gradient: [Double]) {
    try requireBackward("trained")
    try validate(inputs: x)
    try validate(parameters, as: "parameters")
    try validate(targets: y, inputs: x, loss: loss)
    var records: [Record] = []
    var residual = Matrix(rows: 0, columns: 0)
    var gradient = [Double](repeating: 0, count: parameterCount)
    let value = parameters.withUnsafeBufferPointer { p in
      let f = forward(x, parameters: p, random: random, records: &records)
      let value = loss.evaluate(f, targets: y, gradient: &residual)
      gradient.withUnsafeMutableBufferPointer {
        accumulateGradient(residual, parameters: p, records: records, into: $0)
      }
      return value
    }
    return (value, gradient)
  }

  /// `J_θ(x)·v` (`batch × outputWidth`), the first-order change of the outputs when the
  /// parameters move from `parameters` along `tangent`: the linearised network's increment, e.g.
  /// NTKGP's untrainable `δ(x) = J_θ₀(x)·θ̃` (He, Lakshminarayanan & Teh 2020).
  ///
  /// Through the backward walk rather than forward mode: with `g_l(x, a) = ∂fₐ(x)/∂y_l` the
  /// cotangent of primitive `l`'s output (one backward pass per output unit, batched),
  /// `(J·v)(x, a) = Σ_l ⟨g_l(x, a), ∂y_l(x)/∂θ_l·v_l⟩` (summed over the tokens of `x`'s sequence
  /// when a layer mixes tokens: `CotangentLayout.contract`), each layer contributing its
  /// `parameterTangent` — so no layer needs a forward-mode input derivative beside its backward.
  public func jacobianVectorProduct(_ x: Matrix, parameters: [Double], tangent: [Double],
                                    random: RandomStream) throws -> Matrix {
    try requireBackward("differentiated")
    try validate(inputs: x)
    try validate(parameters, as: "parameters")
    try validate(tangent, as: "tangent")
    let layout = cotangentLayout
    var records: [Record] = []
    var product = Matrix(rows: x.rows, columns: outputWidth)
    parameters.withUnsafeBufferPointer { p in
      tangent.withUnsafeBufferPointer { v in
        _ = forward(x, parameters: p, random: random, records: &records)
        backward(layout.seeds(batch: x.rows), parameters: p, records: records, copies: layout.copies,
                 first: firstRecord { !parameterBlocks[$0].range.isEmpty }) { k, g in
          let block = parameterBlocks[k], record = records[k]
          guard !block.range.isEmpty else { return }
          let moved = block.layer.parameterTangent(UnsafeBufferPointer(rebasing: v[block.range]), input: record.input,
                                                   output: record.output,
                                                   parameters: UnsafeBufferPointer(rebasing: p[block.range]),
                                                   cache: record.cache)
          layout.contract(g, with: moved, into: &product)
        }
      }
    }
    return product
  }

  /// Throws, naming the layer, unless every primitive has a backward pass.
  func requireBackward(_ purpose: String) throws {
    if let block = parameterBlocks.first(where: { !$0.layer.hasBackward }) {
      throw NeuralLimitsError.architecture(
        "\(block.layer.specification) has no backward pass yet, so a network containing it cannot be \(purpose)")
    }
  }

  func validate(inputs x: Matrix) throws {
    guard x.columns == inputWidth else {
      throw NeuralLimitsError.dimensionMismatch("inputs have \(x.columns) features, the network takes \(inputWidth)")
    }
    try x.validateFinite("inputs")
  }

  /// Throws unless `vector` has one finite entry per parameter; `name` goes into the message.
  func validate(_ vector: [Double], as name: String) throws {
    guard vector.count == parameterCount else {
      throw NeuralLimitsError.dimensionMismatch("\(name): \(vector.count) entries for the network's \(parameterCount) parameters")
    }
    try Matrix(rows: 1, columns: vector.count, elements: vector).validateFinite(name)
  }

  func validate(targets y: Matrix, inputs x: Matrix, loss: Loss) throws {
    guard y.rows == x.rows, y.columns == outputWidth else {
      throw NeuralLimitsError.dimensionMismatch(
        "targets are \(y.rows) × \(y.columns), the network's outputs on these inputs \(x.rows) × \(outputWidth)")
    }
    try loss.validate(targets: y)
  }
}
