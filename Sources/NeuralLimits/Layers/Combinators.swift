import Foundation

/// Builds networks from Swift code that reads like the maths:
/// ```swift
/// let network = Serial {
///   Repeat(10) { Dense(wStd: 1.5, bStd: 0.05); ReLU() }
///   Dense(wStd: 1.5, bStd: 0.05)
/// }
/// let k = try network.kernels(x, get: [.nngp, .ntk])
/// ```
@resultBuilder
public enum NetworkBuilder {
  public static func buildExpression(_ layer: any Layer) -> [LayerGraph] { [layer.graph] }
  public static func buildBlock(_ parts: [LayerGraph]...) -> [LayerGraph] { parts.flatMap { $0 } }
  public static func buildOptional(_ part: [LayerGraph]?) -> [LayerGraph] { part ?? [] }
  public static func buildEither(first: [LayerGraph]) -> [LayerGraph] { first }
  public static func buildEither(second: [LayerGraph]) -> [LayerGraph] { second }
  public static func buildArray(_ parts: [[LayerGraph]]) -> [LayerGraph] { parts.flatMap { $0 } }
}

/// Layers one after another.
public struct Serial: Layer {
  public let graph: LayerGraph
  public init(@NetworkBuilder _ body: () -> [LayerGraph]) { graph = .serial(body()) }
  public init(_ graphs: [LayerGraph]) { graph = .serial(graphs) }
}

/// `count` copies of a block in series, each with its own parameters. Residual scales given as
/// schedules (`ResidualScale.inverseSqrtDepth`, `.decreasing`) are resolved here, block by block.
public struct Repeat: Layer {
  public let graph: LayerGraph
  public init(_ count: Int, @NetworkBuilder _ body: () -> [LayerGraph]) {
    precondition(count >= 0, "Repeat needs a non-negative count")
    self.init(count, .serial(body()))
  }
  public init(_ count: Int, _ block: LayerGraph) {
    graph = .serial((0..<count).map { block.resolvingSchedules(block: $0 + 1, depth: count) })
  }
}

/// The infinite-depth limit `L → ∞` of `L` copies of a block of uniformly scaled residuals,
/// `Residual(scale: .inverseSqrtDepth)` one after another (Hayou et al. 2021, *Stable ResNet*):
/// ```swift
/// InfiniteDepth { Residual(scale: .inverseSqrtDepth) { ReLU(); Dense(wStd: 1.4) } }
/// ```
/// A block `x ↦ x + Σₖ fₖ(x)/√L` maps the kernel state `S = (Σ, Θ, variances)` to
/// `S + F(S)/L + O(1/L²)`, `F = Σₖ Fₖ` the branches' kernel maps, so `L` blocks are Euler's method
/// with step `1/L` for `dS/dt = F(S)` on `t ∈ [0, 1]`: the limit is the solution at `t = 1`, and
/// the kernel of `L` blocks differs from it by `O(1/L)`. Blocks without such a limit are refused
/// when the network is compiled (`LayerGraph.infiniteDepthBranches()`); there is no finite-width
/// network to sample.
public struct InfiniteDepth: Layer {
  public let graph: LayerGraph
  public init(@NetworkBuilder _ body: () -> [LayerGraph]) { self.init(.serial(body())) }
  public init(_ block: LayerGraph) { graph = .infiniteDepth(block) }
}

/// How a residual branch is scaled in block `l` of `L` (Hayou et al. 2021, *Stable ResNet*).
public enum ResidualScale: Sendable, Equatable, CustomStringConvertible {
  /// A fixed `λ`.
  case constant(Double)
  /// `λ = 1/√L` (uniform scaling: the kernel survives as `L → ∞`).
  case inverseSqrtDepth
  /// `λₗ = l^(−α)` (decreasing scaling; `Σλₗ² < ∞` for `α > 1/2`).
  case decreasing(alpha: Double)

  /// `λ` for block `l` (1-based) of `L`.
  public func value(block l: Int, depth L: Int) -> Double {
    switch self {
    case .constant(let v): return v
    case .inverseSqrtDepth: return 1 / Double(Swift.max(L, 1)).squareRoot()
    case .decreasing(let alpha): return pow(Double(l), -alpha)
    }
  }

  public var description: String {
    switch self {
    case .constant(let v): return "\(v)"
    case .inverseSqrtDepth: return "1/sqrt(L)"
    case .decreasing(let alpha): return alpha == 1 ? "decreasing" : "decreasing(alpha=\(alpha))"
    }
  }
}

/// `μ·x + λ·f(x)` (skip weight `μ`, 1 by default): its kernel is `μ²K + λ²K_f` (skip and branch
/// independent, e.g. the branch ends in a dense layer, as in *Stable ResNet*'s `y + λ·W·φ(y)`;
/// the shaped ResNet and attention blocks of *The Shaped Transformer* use `μ² + λ² = 1`).
public struct Residual: Layer {
  public let graph: LayerGraph
  public init(scale: ResidualScale = .constant(1), skip: Double = 1, @NetworkBuilder _ body: () -> [LayerGraph]) {
    self.init(scale: scale, skip: skip, .serial(body()))
  }
  public init(scale: ResidualScale = .constant(1), skip: Double = 1, _ branch: LayerGraph) {
    graph = .sum([.init(scale: .constant(skip), .serial([])), .init(scale: scale, branch)])
  }
}

/// `f₁(x) + f₂(x) + …` (fan-out, then fan-in sum), with independent branches.
public struct Parallel: Layer {
  public let graph: LayerGraph
  public init(@NetworkBuilder _ branches: () -> [LayerGraph]) { self.init(branches()) }
  public init(_ branches: [LayerGraph]) { graph = .sum(branches.map { .init(scale: .constant(1), $0) }) }
}

extension LayerGraph {
  /// The graph with every scheduled branch scale fixed, and every depth-placed layer placed
  /// (`DepthPlacedLayer`), for block `l` of `L`.
  public func resolvingSchedules(block l: Int, depth L: Int) -> LayerGraph {
    switch self {
    case .primitive(let layer): return (layer as? any DepthPlacedLayer)?.placed(block: l, depth: L).graph ?? self
    case .serial(let items): return .serial(items.map { $0.resolvingSchedules(block: l, depth: L) })
    case .sum(let branches):
      return .sum(branches.map {
        .init(scale: .constant($0.scale.value(block: l, depth: L)), $0.graph.resolvingSchedules(block: l, depth: L))
      })
    case .infiniteDepth: return self  // its schedules are its own depth's
    }
  }

  /// The branches `fₖ` of a block `x ↦ x + Σₖ fₖ(x)/√L` that has an infinite-depth limit (see
  /// `InfiniteDepth`): a chain of residuals of scale `1/sqrt(L)` whose branches hold fixed scales
  /// only. Throws, naming the problem, for anything else: a layer or a sum that is not such a
  /// residual (its kernel map applied `L` times has no limit in general), a residual of a fixed
  /// scale (`L` times the same map) or a decreasing one (the blocks beyond any depth vanish: an
  /// infinite product, not an ODE), or a schedule inside a branch (it would vanish with `1/L`).
  public func infiniteDepthBranches() throws -> [LayerGraph] {
    func notResidual(_ found: String) -> NeuralLimitsError {
      .architecture("under '* inf' every item of the block must be residual(…, scale=1/sqrt(L)), x + f(x)/√L, "
        + "whose L → ∞ limit is an ODE; found \(found)")
    }
    switch self {
    case .serial(let items):
      return try items.flatMap { try $0.infiniteDepthBranches() }
    case .sum(let terms) where terms.count == 2 && terms[0].isSkip:
      let branch = terms[1]
      switch branch.scale {
      case .inverseSqrtDepth: break
      case .constant:
        throw NeuralLimitsError.architecture(
          "under '* inf' a residual needs scale=1/sqrt(L), found scale=\(branch.scale) (L blocks of a fixed scale have no limit)")
      case .decreasing:
        throw NeuralLimitsError.architecture(
          "under '* inf' a residual needs scale=1/sqrt(L), found scale=\(branch.scale) "
            + "(its limit is an infinite product, not an ODE: give a depth)")
      }
      if let inner = branch.graph.firstSchedule {
        throw NeuralLimitsError.architecture(
          "under '* inf' scale=\(inner) inside a residual's branch would vanish as L → ∞; give it a number")
      }
      return [branch.graph]
    case .primitive(let layer): throw notResidual(layer.specification)
    case .sum(let terms):
      if terms.count == 2, case .serial(let items) = terms[0].graph, items.isEmpty {
        throw NeuralLimitsError.architecture("under '* inf' a residual needs skip=1, found skip=\(terms[0].scale)")
      }
      throw notResidual("a sum that is not a residual (parallel)")
    case .infiniteDepth: throw notResidual("another '* inf'")
    }
  }

  /// The first scheduled scale outside nested infinite-depth limits (which resolve their own).
  private var firstSchedule: ResidualScale? {
    switch self {
    case .primitive, .infiniteDepth: return nil
    case .serial(let items):
      // A plain loop: a lazy `compactMap(…).first` evaluates twice per level (exponential in depth).
      for item in items {
        if let inner = item.firstSchedule { return inner }
      }
      return nil
    case .sum(let terms):
      for term in terms {
        if case .constant = term.scale {} else { return term.scale }
        if let inner = term.graph.firstSchedule { return inner }
      }
      return nil
    }
  }
}

extension LayerGraph.Branch {
  /// The skip connection of a residual: the identity, unscaled.
  fileprivate var isSkip: Bool {
    guard case .serial(let items) = graph else { return false }
    return items.isEmpty && scale == .constant(1)
  }
}
