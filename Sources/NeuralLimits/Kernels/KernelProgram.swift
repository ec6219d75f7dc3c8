/// A network resolved for the kernel evaluator: widths placed, branch scales fixed, and every
/// pointwise layer given a slot for the variances at its input.
struct KernelProgram: Sendable {
  indirect enum Node: Sendable {
    case pointwise(slot: Int, layer: any PointwiseKernel, context: LayerContext)
    case state(layer: any StateKernel, context: LayerContext)
    case serial([Node])
    /// `Σₖ scaleₖ²·Kₖ` over branches.
    case sum([(scale: Double, node: Node)])
    /// The infinite-depth limit of residual blocks: the state at `t = 1` of `dS/dt = F(S)`, with
    /// `F` the node `derivative` (the sum of the branches), from the input state at `t = 0`.
    case flow(derivative: Node)

    /// Every primitive inside is pointwise, so the whole node can be fused per entry.
    var isPointwise: Bool {
      switch self {
      case .pointwise: return true
      case .state, .flow: return false
      case .serial(let items): return items.allSatisfy(\.isPointwise)
      case .sum(let branches): return branches.allSatisfy(\.node.isPointwise)
      }
    }
  }

  /// What a graph's output is, for error messages (`nil` for the identity).
  static func describeOutput(_ graph: LayerGraph) -> String? {
    switch graph {
    case .primitive(let layer): return "the output of \(layer.specification)"
    case .serial(let items):
      // A plain loop: a lazy `compactMap(…).first` evaluates the closure twice per level,
      // which is exponential in the nesting depth.
      for item in items.reversed() {
        if let description = describeOutput(item) { return description }
      }
      return nil
    case .sum, .infiniteDepth: return nonGaussianSum
    }
  }

  static let nonGaussianSum = "a sum with a non-Gaussian term (e.g. the skip connection of a residual)"

  /// Throws unless the branches of a sum (or a residual and its input) have equal widths.
  static func checkEqualWidths(_ widths: [Int?]) throws {
    guard let first = widths.first, widths.contains(where: { $0 != first }) else { return }
    throw NeuralLimitsError.architecture(
      "branches of a sum have different widths \(widths.map { $0.map(String.init) ?? "∞" }); give their dense layers the same width=")
  }

  let root: Node
  let slotCount: Int
  let outputWidth: Int?

  /// Resolves `graph` for inputs of `inputWidth` features in a network of hidden width
  /// `hiddenWidth` (`nil`: the infinite-width limit), on sequences of `tokens` rows. A `nil`
  /// input width is an infinitely wide Gaussian stream with the inputs' kernel (a residual
  /// stream already in its limit, as `SignalPropagationProfile` starts from `Σ₀ = I`).
  init(_ graph: LayerGraph, inputWidth: Int?, hiddenWidth: Int? = nil, tokens: Int = 1) throws {
    var slots = 0
    /// `gaussian`: whether the input to `graph` is Gaussian in the limit (raw inputs are not).
    func compile(_ graph: LayerGraph, _ width: Int?, gaussian: Bool, after previous: String) throws
      -> (node: Node, width: Int?, gaussian: Bool)
    {
      let context = LayerContext(inputWidth: width, hiddenWidth: hiddenWidth, tokens: tokens)
      switch graph {
      case .primitive(let layer):
        if layer.needsGaussianInput && !gaussian {
          throw NeuralLimitsError.architecture(
            "\(layer.specification) needs Gaussian pre-activations, but its input is \(previous): put a dense layer before it")
        }
        let out = try layer.outputWidth(context)
        let outGaussian = layer.outputIsGaussian(inputIsGaussian: gaussian)
        if let pointwise = layer as? any PointwiseKernel {
          defer { slots += 1 }
          return (.pointwise(slot: slots, layer: pointwise, context: context), out, outGaussian)
        }
        if let state = layer as? any StateKernel { return (.state(layer: state, context: context), out, outGaussian) }
        throw NeuralLimitsError.architecture("\(layer.specification) has no kernel map")
      case .serial(let items):
        var nodes: [Node] = []
        var current = (width: width, gaussian: gaussian, name: previous)
        for item in items {
          let compiled = try compile(item, current.width, gaussian: current.gaussian, after: current.name)
          nodes.append(compiled.node)
          current = (compiled.width, compiled.gaussian, KernelProgram.describeOutput(item) ?? current.name)
        }
        return (.serial(nodes), current.width, current.gaussian)
      case .sum(let branches):
        var nodes: [(Double, Node)] = []
        var outs: [Int?] = []
        var allGaussian = true
        for branch in branches {
          let compiled = try compile(branch.graph, width, gaussian: gaussian, after: previous)
          nodes.append((branch.scale.value(block: 1, depth: 1), compiled.node))
          outs.append(compiled.width)
          allGaussian = allGaussian && compiled.gaussian
        }
        try KernelProgram.checkEqualWidths(outs)
        return (.sum(nodes), outs.first ?? width, allGaussian)
      case .infiniteDepth(let block):
        // dS/dt = Σₖ Fₖ(S): the branches' sum, seen by the input at t = 0 and by input plus
        // branches after it (as in blocks 1 and 2 of `L`), which is Gaussian only if both are.
        let derivative = LayerGraph.sum(try block.infiniteDepthBranches().map { .init(scale: .constant(1), $0) })
        let firstSlot = slots
        var f = try compile(derivative, width, gaussian: gaussian, after: previous)
        if gaussian && !f.gaussian {
          slots = firstSlot
          f = try compile(derivative, width, gaussian: false, after: KernelProgram.nonGaussianSum)
        }
        try KernelProgram.checkEqualWidths([width, f.width])
        return (.flow(derivative: f.node), width, gaussian && f.gaussian)
      }
    }
    (root, outputWidth, _) = try compile(graph, inputWidth, gaussian: inputWidth == nil,
                                         after: inputWidth == nil ? "the input stream" : "the raw input")
    slotCount = slots
  }
}
