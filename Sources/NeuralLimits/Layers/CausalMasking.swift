extension LayerGraph {
  /// The graph with every primitive layer `p` replaced by `transform(p)`, its structure (series,
  /// sums with their scales, infinite-depth blocks) unchanged.
  public func mappingPrimitives(_ transform: (any PrimitiveLayer) -> any PrimitiveLayer) -> LayerGraph {
    switch self {
    case .primitive(let p): return transform(p).graph
    case .serial(let items): return .serial(items.map { $0.mappingPrimitives(transform) })
    case .sum(let branches): return .sum(branches.map { .init(scale: $0.scale, $0.graph.mappingPrimitives(transform)) })
    case .infiniteDepth(let block): return .infiniteDepth(block.mappingPrimitives(transform))
    }
  }

  /// The graph with every attention layer causally masked, as if each were written with
  /// `causal=true` (`signalprop --causal`): softmax rows over tokens `1…i`, `C` uniform-causal, and
  /// E-SPA/U-SPA from Cholesky factors rather than symmetric square roots.
  public var causallyMasked: LayerGraph {
    mappingPrimitives { p in
      guard let a = p as? Attention else { return p }
      return Attention(name: a.name, alpha: a.alpha, beta: a.beta, gamma: a.gamma, shapedTemperature: a.shapedTemperature,
                       tau0: a.tau0, causal: true, keys: a.keys, queryStd: a.queryStd, valueStd: a.valueStd, pattern: a.pattern)
    }
  }
}
