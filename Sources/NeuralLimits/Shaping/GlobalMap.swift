/// An architecture seen as DKS/TAT see it: the composition of its layers' local maps, on the
/// existing `LayerGraph` (the one architecture definition).
///
/// Every quantity of DKS and TAT is the same walk over the network with a different local map
/// `r` at each nonlinear layer and a different start `x₀` (Zhang et al. 2022, Appendix B, the
/// "subnetwork maximizing function" `M_{f,r}(x)`; dks's `subnet_max_func`):
/// - the global C map `C_f(c)`: `r = C_φ`, `x₀ = c`;
/// - `C_f(0)` for TAT's leaky ReLU: `r = C_φ`, `x₀ = 0`;
/// - `C'_f(1)` for DKS: `r(x) = C'_φ(1)·x`, `x₀ = 1` (the chain rule at the fixed point `c = 1`);
/// - `C''_f(1)` for TAT's smooth activations: `r(x) = C''_φ(1) + x`, `x₀ = 0`.
///
/// Layers: an activation (other than `identity`) is a nonlinear layer; `dense(w_std=1, b_std=0)`,
/// `identity` and `layernorm` leave `c` (and `q = 1`) unchanged; a sum `Σₖ wₖ·fₖ` with `Σₖ wₖ² = 1`
/// (e.g. `residual(…, scale=λ, skip=μ)` with `λ² + μ² = 1`) maps to `Σₖ wₖ²·xₖ` — DKS's
/// `w²C_shortcut + (1 − w²)C_residual`, exact for the kernel because `q` stays 1 on every branch.
/// Anything else is refused with a message: a dense layer with `w_std ≠ 1` or a bias moves `q`
/// off 1 (a bias also maps `c` to `(w²c + b²)/(w² + b²)`, a map that is not a local map of the
/// activation — DKS and TAT initialise biases to 0), an unnormalised sum does too, and dropout,
/// attention and `* inf` have no such map here.
public struct GlobalMap: Sendable {
  public let graph: LayerGraph
  /// The graph as the walks see it, each layer classified once: a dynamic cast per layer and walk
  /// made deep networks slow (0.1 ms per layer, 110 s for DKS at depth 10⁶, whose root-finding
  /// walks the network some 70 times).
  private let root: Node
  /// The nonlinear layers' activations, in the order `Node.nonlinear` counts them.
  private let activations: [any Activation]

  private enum Node: Sendable {
    case nonlinear(Int)
    case passThrough
    case serial([Node])
    /// Each branch with its squared weight.
    case sum([(weightSquared: Double, node: Node)])
  }

  public init(_ graph: LayerGraph) throws {
    try Self.validate(graph)
    self.graph = graph
    var activations: [any Activation] = []
    func compile(_ g: LayerGraph) -> Node {
      switch g {
      case .primitive(let p):
        guard Self.isNonlinear(p), let phi = p as? any Activation else { return .passThrough }
        activations.append(phi)
        return .nonlinear(activations.count - 1)
      case .serial(let items):
        return .serial(items.map(compile))
      case .sum(let branches):
        return .sum(branches.map { b in
          let w = b.scale.value(block: 1, depth: 1)  // schedules are resolved by repetitions; outside one l = L = 1
          return (w * w, compile(b.graph))
        })
      case .infiniteDepth:
        preconditionFailure("refused by validate")
      }
    }
    root = compile(graph)
    self.activations = activations
  }

  /// The plain network `(dense -> φ) * depth -> dense` of DKS and TAT's experiments: `depth`
  /// nonlinear layers, so `M_{f,r}(x) = r^depth(x)`.
  public static func chain(depth: Int, activation: any Activation) throws -> GlobalMap {
    guard depth >= 1, depth <= ArchitectureParser.maximumLayers else {
      throw NeuralLimitsError.invalidArgument(
        "depth must be between 1 and \(ArchitectureParser.maximumLayers) (the architecture language's limit), got \(depth)")
    }
    let block: [LayerGraph] = [Dense().graph, activation.graph]
    return try GlobalMap(.serial(Array(repeating: block, count: depth).flatMap { $0 } + [Dense().graph]))
  }

  /// `(network, subnetworks)`: the walk of the whole network from `x₀`, and the largest value
  /// over all its subnetworks — the network up to any layer, and every part of it (such as a
  /// residual branch) taken alone from the same `x₀`. `r` is the local map of the activation
  /// at a nonlinear layer.
  public func evaluate(from x0: Double, _ r: (any Activation, Double) throws -> Double) rethrows
    -> (network: Double, subnetworks: Double)
  {
    (try value(root, x0, r), try best(root, x0, r))
  }

  /// The global C map `C_f(c)` with each nonlinear layer's own activation (`LocalMaps` at
  /// `q = 1`), which must keep `q = 1` (`Q(1) = 1`, as shaped activations do).
  public func cMap(_ c: Double) throws -> Double {
    try evaluate(from: c) { phi, x in try Self.normalisedMaps(phi).cMap(x) }.network
  }

  /// `C'_f(1)`, the product of the local slopes along the chain rule (with the weighted sums).
  public func cSlopeAtOne() throws -> Double {
    try evaluate(from: 1) { phi, x in try Self.normalisedMaps(phi).cSlope(1) * x }.network
  }

  private static func normalisedMaps(_ phi: any Activation) throws -> LocalMaps {
    let maps = try LocalMaps(phi)
    guard abs(maps.qValue - 1) <= 1e-8 else {
      throw NeuralLimitsError.invalidArgument(
        "\(phi.specification) has Q(1) = \(maps.qValue), not 1: the global C map of DKS/TAT needs q = 1 at every layer (use a shaped activation)")
    }
    return maps
  }

  /// The number of nonlinear layers.
  public var nonlinearLayers: Int { activations.count }

  private static func isNonlinear(_ p: any PrimitiveLayer) -> Bool { p is any Activation && !(p is Identity) }

  private func value(_ node: Node, _ x: Double, _ r: (any Activation, Double) throws -> Double) rethrows -> Double {
    switch node {
    case .nonlinear(let index): return try r(activations[index], x)
    case .passThrough: return x
    case .serial(let items):
      var y = x
      for item in items { y = try value(item, y, r) }
      return y
    case .sum(let branches):
      var y = 0.0
      for b in branches { y += b.weightSquared * (try value(b.node, x, r)) }
      return y
    }
  }

  private func best(_ node: Node, _ x0: Double, _ r: (any Activation, Double) throws -> Double) rethrows -> Double {
    switch node {
    case .nonlinear, .passThrough: return try value(node, x0, r)
    case .serial(let items):
      var y = x0, m = -Double.infinity
      for item in items {
        y = try value(item, y, r)
        m = max(m, y, try best(item, x0, r))
      }
      return items.isEmpty ? x0 : m
    case .sum(let branches):
      var m = try value(node, x0, r)
      for b in branches { m = max(m, try best(b.node, x0, r)) }
      return m
    }
  }

  private static func validate(_ g: LayerGraph) throws {
    switch g {
    case .primitive(let p):
      if isNonlinear(p) || p is Identity || p is LayerNorm { return }
      if let d = p as? Dense {
        guard d.wStd == 1, d.bStd == 0 else {
          throw NeuralLimitsError.architecture(
            "\(d.specification): DKS/TAT maps need dense(w_std=1, b_std=0), which keeps q = 1 (w_std ≠ 1 or a bias moves q, and a bias maps c to (w²c + b²)/(w² + b²))")
        }
        return
      }
      throw NeuralLimitsError.architecture("\(p.specification) has no DKS/TAT local map (allowed: activations, dense(w_std=1, b_std=0), identity, layernorm, normalised sums)")
    case .serial(let items):
      for item in items { try validate(item) }
    case .sum(let branches):
      var total = 0.0
      for b in branches {
        let w = b.scale.value(block: 1, depth: 1)  // schedules are resolved by repetitions; outside one l = L = 1
        total += w * w
        try validate(b.graph)
      }
      guard abs(total - 1) <= 1e-12 else {
        throw NeuralLimitsError.architecture(
          "a sum with squared weights adding to \(total), not 1: DKS/TAT maps need normalised sums (e.g. residual(…, scale=λ, skip=μ) with λ² + μ² = 1)")
      }
    case .infiniteDepth:
      throw NeuralLimitsError.architecture("(…) * inf has no DKS/TAT map (no finite network)")
    }
  }
}
