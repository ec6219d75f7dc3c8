/// A network resolved for the kernel evaluator: widths placed, branch scales fixed, and every
/// pointwise layer given a slot for the variances at its input.
struct KernelProgram: Sendable {
  indirect enum Node: Sendable {
    case pointwise(slot: Int, layer: any PointwiseKernel, context: LayerContext)
    case state(layer: any StateKernel, context: LayerContext)
    case serial([Node])
    /// `Σₖ scaleₖ²·Kₖ` over branches.
    case sum([(scale: Double, node: Node)])

    /// Every primitive inside is pointwise, so the whole node can be fused per entry.
    var isPointwise: Bool {
      switch self {
      case .pointwise: return true
      case .state: return false
      case .serial(let items): return items.allSatisfy(\.isPointwise)
      case .sum(let branches): return branches.allSatisfy(\.node.isPointwise)
      }
    }
  }

  let root: Node
  let slotCount: Int
  let outputWidth: Int?

  /// Resolves `graph` for inputs of `inputWidth` features in a network of hidden width
  /// `hiddenWidth` (`nil`: the infinite-width limit).
  init(_ graph: LayerGraph, inputWidth: Int, hiddenWidth: Int? = nil) throws {
    var slots = 0
    func compile(_ graph: LayerGraph, _ width: Int?) throws -> (Node, Int?) {
      let context = LayerContext(inputWidth: width, hiddenWidth: hiddenWidth)
      switch graph {
      case .primitive(let layer):
        let out = try layer.outputWidth(context)
        if let pointwise = layer as? any PointwiseKernel {
          defer { slots += 1 }
          return (.pointwise(slot: slots, layer: pointwise, context: context), out)
        }
        if let state = layer as? any StateKernel { return (.state(layer: state, context: context), out) }
        throw NeuralLimitsError.architecture("\(layer.specification) has no kernel map")
      case .serial(let items):
        var nodes: [Node] = []
        var current = width
        for item in items {
          let (node, out) = try compile(item, current)
          nodes.append(node)
          current = out
        }
        return (.serial(nodes), current)
      case .sum(let branches):
        var nodes: [(Double, Node)] = []
        var outs: [Int?] = []
        for branch in branches {
          let (node, out) = try compile(branch.graph, width)
          nodes.append((branch.scale.value(block: 1, depth: 1), node))
          outs.append(out)
        }
        if let first = outs.first, outs.contains(where: { $0 != first }) {
          throw NeuralLimitsError.architecture(
            "branches of a sum have different widths \(outs.map { $0.map(String.init) ?? "∞" }); give their dense layers the same width=")
        }
        return (.sum(nodes), outs.first ?? width)
      }
    }
    (root, outputWidth) = try compile(graph, inputWidth)
    slotCount = slots
  }
}
