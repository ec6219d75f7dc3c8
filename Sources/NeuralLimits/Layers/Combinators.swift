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
  /// The graph with every scheduled branch scale fixed for block `l` of `L`.
  public func resolvingSchedules(block l: Int, depth L: Int) -> LayerGraph {
    switch self {
    case .primitive: return self
    case .serial(let items): return .serial(items.map { $0.resolvingSchedules(block: l, depth: L) })
    case .sum(let branches):
      return .sum(branches.map {
        .init(scale: .constant($0.scale.value(block: l, depth: L)), $0.graph.resolvingSchedules(block: l, depth: L))
      })
    }
  }
}
