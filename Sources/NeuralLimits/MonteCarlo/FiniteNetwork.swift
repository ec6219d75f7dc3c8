/// A network at finite width: the layer graph resolved at concrete widths, with every
/// primitive's parameters at an offset of one flat buffer (so one sample's network is one
/// `[Double]`, drawn from one random stream).
///
/// The same `LayerGraph` as the kernel evaluator, walked the same way: `.serial` chains,
/// `.sum` adds `scaleₖ·branchₖ(x)`. One forward pass (with records) and one backward walk
/// (`backward(_:parameters:records:copies:first:visit:)`) serve the empirical NTK, the loss
/// gradient and the Jacobian–vector product alike.
public struct FiniteNetwork: Sendable {
  indirect enum Node: Sendable {
    case primitive(layer: any PrimitiveLayer, inputWidth: Int, outputWidth: Int, offset: Int, count: Int)
    case serial([Node])
    case sum([(scale: Double, node: Node)])
  }

  /// One primitive and its place in the flat parameter buffer.
  public struct ParameterBlock: Sendable {
    public let layer: any PrimitiveLayer
    public let range: Range<Int>
  }

  let root: Node
  /// Every primitive in visiting order (the order of the forward records) with its parameters.
  public let parameterBlocks: [ParameterBlock]
  /// Total number of parameters.
  public let parameterCount: Int
  public let inputWidth: Int
  public let outputWidth: Int
  /// Rows per sequence (`LayerContext.tokens`).
  public let tokens: Int
  /// Whether a layer mixes the tokens of a sequence (attention).
  public let mixesTokens: Bool
  /// The last primitive when it is a dense layer (the readout), whose expectation over its own
  /// weights is available in closed form.
  let readout: Dense?
  /// Number of primitives (forward records per pass).
  let primitiveCount: Int
  /// The fewest units of any layer's output before the network's own output (`n` of the
  /// finite-width bias scale `L/n`; a layer's `width=` can make it narrower than `--width`).
  public let narrowestHiddenWidth: Int
  /// The most units of any layer's output or of the input, and what set it (`--width`,
  /// `--readout`, the input, or a layer's own `width=`), for memory estimates and their messages.
  public let widest: (units: Int, source: String)

  /// Resolves `graph` for inputs of `inputWidth` features at hidden width `width`. A final dense
  /// layer without an explicit `width` gets `readoutWidth` outputs; every `tokens` consecutive
  /// rows of a batch form one sequence.
  public init(_ graph: LayerGraph, inputWidth: Int, width: Int, readoutWidth: Int = 1, tokens: Int = 1) throws {
    guard inputWidth >= 1, width >= 1, readoutWidth >= 1 else {
      throw NeuralLimitsError.invalidArgument(
        "widths must be at least 1 (input \(inputWidth), width \(width), readout \(readoutWidth))")
    }
    guard tokens >= 1 else { throw NeuralLimitsError.invalidArgument("tokens must be at least 1, got \(tokens)") }
    self.tokens = tokens
    var offset = 0, primitives = 0
    var blocks: [ParameterBlock] = []
    var last: (any PrimitiveLayer)?
    var narrowest = Int.max, widest = (units: inputWidth, source: "the input")
    mixesTokens = graph.primitives.contains(where: \.mixesTokens)
    func compile(_ graph: LayerGraph, _ inWidth: Int, tail: Bool) throws -> (Node, Int) {
      switch graph {
      case .primitive(let layer):
        let context = LayerContext(inputWidth: inWidth, hiddenWidth: width, tokens: tokens)
        var out = try layer.outputWidth(context) ?? width
        let isReadout = tail && (layer as? Dense)?.width == nil && layer is Dense
        if isReadout { out = readoutWidth }
        if !tail { narrowest = min(narrowest, out) }
        if out > widest.units {
          widest = (out, isReadout ? "--readout" : (layer as? Dense)?.width == out ? layer.specification : "--width")
        }
        let count = layer.parameterCount(inputWidth: inWidth, outputWidth: out)
        blocks.append(ParameterBlock(layer: layer, range: offset..<(offset + count)))
        defer { offset += count; primitives += 1; last = layer }
        return (.primitive(layer: layer, inputWidth: inWidth, outputWidth: out, offset: offset, count: count), out)
      case .serial(let items):
        var nodes: [Node] = []
        var current = inWidth
        for (index, item) in items.enumerated() {
          let (node, out) = try compile(item, current, tail: tail && index == items.count - 1)
          nodes.append(node)
          current = out
        }
        return (.serial(nodes), current)
      case .sum(let branches):
        var nodes: [(Double, Node)] = []
        var outs: [Int] = []
        for branch in branches {
          let (node, out) = try compile(branch.graph, inWidth, tail: false)
          nodes.append((branch.scale.value(block: 1, depth: 1), node))
          outs.append(out)
        }
        if let first = outs.first, outs.contains(where: { $0 != first }) {
          throw NeuralLimitsError.architecture("branches of a sum have different widths \(outs)")
        }
        last = nil
        return (.sum(nodes), outs.first ?? inWidth)
      case .infiniteDepth:
        throw NeuralLimitsError.architecture(
          "a network of infinite depth has no finite-width sample; give a depth ('* 100' rather than '* inf')")
      }
    }
    (root, outputWidth) = try compile(graph, inputWidth, tail: true)
    parameterCount = offset
    parameterBlocks = blocks
    primitiveCount = primitives
    narrowestHiddenWidth = narrowest == Int.max ? width : narrowest
    self.widest = widest
    self.inputWidth = inputWidth
    readout = last as? Dense
  }

  /// The readout's parameters (weights, then bias) when the network ends in a dense layer.
  public var readoutParameters: Range<Int>? { readout == nil ? nil : parameterBlocks.last?.range }

  /// Which NNGP estimator `EmpiricalKernels` uses for this network.
  public var nngpEstimator: String {
    readout != nil
      ? "readout expectation w²·h·h'ᵀ/n + b² (closed form over the readout's weights)"
      : "f·f'ᵀ/n_out"
  }

  /// Draws all parameters from `random`, primitive by primitive in graph order.
  public func initialize(random: RandomStream) -> [Double] {
    var parameters = [Double](repeating: 0, count: parameterCount)
    parameters.withUnsafeMutableBufferPointer { p in
      visit(root) { layer, inWidth, outWidth, offset, count in
        layer.initialize(UnsafeMutableBufferPointer(rebasing: p[offset..<(offset + count)]),
                         inputWidth: inWidth, outputWidth: outWidth, random: random)
      }
    }
    return parameters
  }

  private func visit(_ node: Node, _ body: (any PrimitiveLayer, Int, Int, Int, Int) -> Void) {
    switch node {
    case .primitive(let layer, let i, let o, let offset, let count): body(layer, i, o, offset, count)
    case .serial(let items): for item in items { visit(item, body) }
    case .sum(let branches): for branch in branches { visit(branch.node, body) }
    }
  }

  /// What one primitive saw in the forward pass, for the backward pass.
  struct Record {
    let input: Matrix
    let output: Matrix
    let cache: [Double]
  }

  /// The forward pass on a batch (`batch × inputWidth`); `records` receives one entry per
  /// primitive in visiting order when given.
  func forward(_ x: Matrix, parameters: UnsafeBufferPointer<Double>, random: RandomStream,
               records: inout [Record]) -> Matrix {
    func run(_ node: Node, _ input: Matrix) -> Matrix {
      switch node {
      case .primitive(let layer, _, let outWidth, let offset, let count):
        var cache: [Double] = []
        let output = layer.forward(input, parameters: UnsafeBufferPointer(rebasing: parameters[offset..<(offset + count)]),
                                   outputWidth: outWidth, tokens: tokens, random: random, cache: &cache)
        records.append(Record(input: input, output: output, cache: cache))
        return output
      case .serial(let items):
        return items.reduce(input) { run($1, $0) }
      case .sum(let branches):
        var total: Matrix?
        for (scale, branch) in branches {
          let part = scale * run(branch, input)
          total = total.map { $0 + part } ?? part
        }
        return total ?? input
      }
    }
    return run(root, x)
  }

  /// The backward walk that the NTK, the loss gradient and the Jacobian–vector product share.
  /// From the output's `cotangent` (`batch·copies × outputWidth`, row `x·copies + a` for output
  /// copy `a` of input `x`) it visits the primitives in reverse order, `visit(k, g)` receiving
  /// record `k` and the cotangent `g` of that primitive's output, and carries `g` to the
  /// primitive's input with its `backward`. Records before `first` are not visited and nothing
  /// is carried below record `first`: a pass that concerns the last layers only (a readout)
  /// stops there. Every primitive from `first` on must have a backward pass.
  func backward(_ cotangent: Matrix, parameters: UnsafeBufferPointer<Double>, records: [Record], copies: Int,
                first: Int, visit: (_ record: Int, _ cotangent: Matrix) -> Void) {
    var index = records.count
    // `nil`: no cotangent is needed below this point (everything before it precedes `first`).
    func run(_ node: Node, _ g: Matrix?) -> Matrix? {
      switch node {
      case .primitive(let layer, _, _, let offset, let count):
        index -= 1
        guard let g, index >= first else { return nil }
        visit(index, g)
        guard index > first else { return nil }
        let record = records[index]
        return layer.backward(g, input: record.input, output: record.output,
                              parameters: UnsafeBufferPointer(rebasing: parameters[offset..<(offset + count)]),
                              cache: record.cache, copies: copies)
      case .serial(let items):
        return items.reversed().reduce(g) { run($1, $0) }
      case .sum(let branches):
        guard !branches.isEmpty else { return g }
        // A branch that returns nil starts before `first`, and so does everything before the
        // sum: the partial total is then never read.
        var total: Matrix?
        for (scale, branch) in branches.reversed() {
          guard let part = run(branch, g.map { scale * $0 }) else { continue }
          total = total.map { $0 + part } ?? part
        }
        return total
      }
    }
    _ = run(root, cotangent)
  }

  /// The first record `k` with `wanted(k)` (the number of records, i.e. nothing to visit, when
  /// there is none): where a backward walk may stop.
  func firstRecord(where wanted: (Int) -> Bool) -> Int {
    parameterBlocks.indices.first(where: wanted) ?? parameterBlocks.count
  }

  /// How the empirical NTK and the Jacobian–vector product lay out their cotangents: per
  /// sequence when a layer mixes the tokens of sequences longer than one, else per row (the
  /// cheaper layout, exact there).
  public var cotangentLayout: CotangentLayout {
    CotangentLayout(outputs: outputWidth, tokens: mixesTokens ? tokens : 1)
  }

  /// Adds every primitive's parameter contribution `Σₐ ∂fₐ/∂θ(x)·∂fₐ/∂θ(x')` to `ntk`
  /// (`batch × batch`), from the unit cotangents of `cotangentLayout`.
  func accumulateNTK(parameters: UnsafeBufferPointer<Double>, records: [Record], into ntk: inout Matrix) {
    let layout = cotangentLayout
    backward(layout.seeds(batch: ntk.rows), parameters: parameters, records: records, copies: layout.copies,
             first: firstRecord { !parameterBlocks[$0].range.isEmpty }) { k, g in
      let block = parameterBlocks[k], record = records[k]
      block.layer.accumulateNTK(g, input: record.input, output: record.output,
                                parameters: UnsafeBufferPointer(rebasing: parameters[block.range]), cache: record.cache,
                                layout: layout, into: &ntk)
    }
  }

  /// Adds `(∂f/∂θ)ᵀ·cotangent` (`cotangent`: `batch × outputWidth`, e.g. `∂L/∂f`) to `gradient`
  /// for the primitives `k` with `trainable[k]` (all when `nil`); the others' slices are left alone.
  func accumulateGradient(_ cotangent: Matrix, parameters: UnsafeBufferPointer<Double>, records: [Record],
                          trainable: [Bool]? = nil, into gradient: UnsafeMutableBufferPointer<Double>) {
    let first = firstRecord { !parameterBlocks[$0].range.isEmpty && trainable?[$0] ?? true }
    backward(cotangent, parameters: parameters, records: records, copies: 1, first: first) { k, g in
      let block = parameterBlocks[k]
      guard !block.range.isEmpty, trainable?[k] ?? true else { return }
      let record = records[k]
      block.layer.parameterGradient(g, input: record.input, output: record.output,
                                    parameters: UnsafeBufferPointer(rebasing: parameters[block.range]),
                                    cache: record.cache, copies: 1,
                                    into: UnsafeMutableBufferPointer(rebasing: gradient[block.range]))
    }
  }
}
