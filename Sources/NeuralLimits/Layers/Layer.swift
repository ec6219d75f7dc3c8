/// A network or a piece of one.
///
/// Every layer is defined once and gives both sides of the theory (DEVELOPERS.md's rule):
/// its kernel map (how NNGP `Σ` and NTK `Θ` transform) and its finite-width behaviour
/// (initialisation, forward pass, backward pass). Both the analytic evaluator and the Monte Carlo
/// sampler walk the same `LayerGraph`; combinators only describe structure.
public protocol Layer: Sendable {
  /// The structure: a primitive, a chain, or a scaled sum of branches.
  var graph: LayerGraph { get }
}

/// The structure of a network, shared by the kernel evaluator and the finite-width sampler.
public indirect enum LayerGraph: Sendable {
  /// One primitive layer.
  case primitive(any PrimitiveLayer)
  /// Layers applied one after another; `.serial([])` is the identity.
  case serial([LayerGraph])
  /// `Σₖ scaleₖ · branchₖ(x)` with independently initialised branches. Its kernel is
  /// `Σₖ scaleₖ² Kₖ` (NNGP and NTK alike), exact when the branches are independent given the
  /// input, e.g. each starts with a dense layer (as in neural-tangents' `FanInSum`).
  case sum([Branch])
  /// The limit `L → ∞` of `L` copies of a block of residuals `x ↦ x + fₖ(x)/√L` in series
  /// (Stable ResNet's uniform scaling, Hayou et al. 2021), built by `InfiniteDepth`: a kernel
  /// with no finite-width network. The block's own `1/sqrt(L)` scales stay unresolved here;
  /// `LayerGraph.infiniteDepthBranches()` says which blocks have such a limit.
  case infiniteDepth(LayerGraph)

  /// One term of a `.sum`.
  public struct Branch: Sendable {
    /// `λ`, or a schedule that `Repeat` resolves per block (outside any repetition: `l = L = 1`).
    public let scale: ResidualScale
    public let graph: LayerGraph
    public init(scale: ResidualScale, _ graph: LayerGraph) {
      self.scale = scale
      self.graph = graph
    }
  }

  /// The primitives in the order both evaluators visit them.
  public var primitives: [any PrimitiveLayer] {
    switch self {
    case .primitive(let p): return [p]
    case .serial(let items): return items.flatMap(\.primitives)
    case .sum(let branches): return branches.flatMap(\.graph.primitives)
    case .infiniteDepth(let block): return block.primitives
    }
  }
}

/// A layer that is not made of other layers.
///
/// Kernel side: a primitive is either `PointwiseKernel` (its map acts on each kernel entry given
/// the two variances, so a chain of them can be fused per entry) or `StateKernel` (it needs the
/// whole state). Finite side: the requirements below, with defaults for parameterless layers.
public protocol PrimitiveLayer: Layer {
  /// How the layer is written in the architecture language, e.g. `dense(w_std=1.5, b_std=0.05)`.
  var specification: String { get }

  /// The channel count after the layer (`nil`: infinite, kernel side only). Throws when the
  /// layer cannot be placed there (e.g. standard parameterisation with no known input width).
  func outputWidth(_ context: LayerContext) throws -> Int?

  /// Whether `backward`, `accumulateNTK`, `parameterGradient` and `parameterTangent` are
  /// implemented (the empirical NTK, training and Jacobian–vector products need them).
  var hasBackward: Bool { get }

  /// Whether the layer mixes the tokens of a sequence (attention): it acts within each group of
  /// `tokens` consecutive rows (`LayerContext.tokens`, the `tokens` of `forward` and
  /// `sampleForward`); every other layer acts on each row alone.
  var mixesTokens: Bool { get }

  /// Whether the kernel map assumes jointly Gaussian inputs (the dual kernels of activations
  /// do: they hold for pre-activations, i.e. after a dense layer, not for raw inputs or the
  /// output of another activation).
  var needsGaussianInput: Bool { get }

  /// Whether the output is Gaussian in the infinite-width limit, given whether the input is.
  func outputIsGaussian(inputIsGaussian: Bool) -> Bool

  // MARK: finite width

  /// Number of trainable parameters at these widths.
  func parameterCount(inputWidth: Int, outputWidth: Int) -> Int

  /// Draws the initial parameters.
  func initialize(_ parameters: UnsafeMutableBufferPointer<Double>, inputWidth: Int, outputWidth: Int,
                  random: RandomStream)

  /// The forward pass on a batch (`batch × inputWidth` → `batch × outputWidth`), `tokens`
  /// consecutive rows forming one sequence. `cache` receives whatever `backward` needs beyond
  /// input and output (dropout masks, attention matrices, …).
  func forward(_ input: Matrix, parameters: UnsafeBufferPointer<Double>, outputWidth: Int, tokens: Int,
               random: RandomStream, cache: inout [Double]) -> Matrix

  /// The vector–Jacobian product with respect to the input. `cotangent` has `batch·copies` rows,
  /// row `x·copies + a` holding output `a`'s cotangent for input `x`.
  func backward(_ cotangent: Matrix, input: Matrix, output: Matrix, parameters: UnsafeBufferPointer<Double>,
                cache: [Double], copies: Int) -> Matrix

  /// The vector–Jacobian product with respect to the layer's own parameters θ: adds
  /// `Σ_rows (∂y(x)/∂θ)ᵀ·g_row` to `gradient` (this layer's slice of a flat gradient buffer, laid
  /// out as `parameters`), row `x·copies + a` of `cotangent` pairing with output row `x`. With
  /// `copies = 1` and `g = ∂L/∂y` it adds the layer's part of `∂L/∂θ`.
  func parameterGradient(_ cotangent: Matrix, input: Matrix, output: Matrix, parameters: UnsafeBufferPointer<Double>,
                         cache: [Double], copies: Int, into gradient: UnsafeMutableBufferPointer<Double>)

  /// The Jacobian–vector product with respect to θ at a fixed input, `Σₖ ∂y/∂θₖ·tangentₖ`
  /// (`batch × outputWidth`; `tangent` laid out as `parameters`): how the output moves when the
  /// parameters move along `tangent`, to first order.
  func parameterTangent(_ tangent: UnsafeBufferPointer<Double>, input: Matrix, output: Matrix,
                        parameters: UnsafeBufferPointer<Double>, cache: [Double]) -> Matrix

  /// Adds `Σₐ ∂fₐ(x)/∂θ · ∂fₐ(x')/∂θ` over this layer's parameters θ to `ntk` (`batch × batch`),
  /// from the cotangents of its output laid out as `layout` says (per row, or per sequence when
  /// the network mixes tokens: `CotangentLayout`), and what the forward pass saw.
  func accumulateNTK(_ cotangent: Matrix, input: Matrix, output: Matrix, parameters: UnsafeBufferPointer<Double>,
                     cache: [Double], layout: CotangentLayout, into ntk: inout Matrix)

  /// One forward pass of a freshly initialised layer whose parameters are drawn, used once and
  /// never stored: `output` gets the same law as `forward` with parameters from `initialize`
  /// (see `Sampling.swift`: a layer linear in Gaussian weights draws `h·W` directly as `C·Z`,
  /// `C·Cᵀ = h·hᵀ`). `tokens` consecutive rows form one sequence (layers that mix tokens act
  /// within each group). `output` is reused when it has the right shape, so a deep network
  /// sampled layer after layer allocates nothing per layer.
  func sampleForward(_ input: Matrix, outputWidth: Int, tokens: Int, random: RandomStream, into output: inout Matrix,
                     scratch: SamplingScratch)
}

extension PrimitiveLayer {
  public var graph: LayerGraph { .primitive(self) }

  public func outputWidth(_ context: LayerContext) throws -> Int? { context.inputWidth }
  public var needsGaussianInput: Bool { false }
  public var hasBackward: Bool { true }
  public var mixesTokens: Bool { false }
  public func outputIsGaussian(inputIsGaussian: Bool) -> Bool { inputIsGaussian }
  public func parameterCount(inputWidth: Int, outputWidth: Int) -> Int { 0 }
  public func initialize(_ parameters: UnsafeMutableBufferPointer<Double>, inputWidth: Int, outputWidth: Int,
                         random: RandomStream) {}
  public func accumulateNTK(_ cotangent: Matrix, input: Matrix, output: Matrix, parameters: UnsafeBufferPointer<Double>,
                            cache: [Double], layout: CotangentLayout, into ntk: inout Matrix) {}
  public func parameterGradient(_ cotangent: Matrix, input: Matrix, output: Matrix, parameters: UnsafeBufferPointer<Double>,
                                cache: [Double], copies: Int, into gradient: UnsafeMutableBufferPointer<Double>) {}
  /// No parameters: the output does not move.
  public func parameterTangent(_ tangent: UnsafeBufferPointer<Double>, input: Matrix, output: Matrix,
                               parameters: UnsafeBufferPointer<Double>, cache: [Double]) -> Matrix {
    Matrix(rows: output.rows, columns: output.columns)
  }
}

/// A kernel map that acts entry by entry: `(Σ, Θ) ↦ (Σ', Θ')` given the variances `q1, q2`.
public protocol PointwiseKernel: PrimitiveLayer {
  /// Transforms the tile in place.
  func transform(_ tile: KernelTile, context: LayerContext)
  /// A quantity of one input, from its variance `q` at the layer's input, that the map reads for
  /// every entry the input is in (`InputVariances.feature`): the evaluator computes it once per
  /// input and layer instead of once per entry (erf: `1/√(1 + βq)`, a root and a division).
  func inputFeature(_ q: Double) -> Double
  /// Whether `transform` reads the tile's sides at all: the evaluator prepares them only for the
  /// layers that do (a dense layer's map reads none).
  var readsInputVariances: Bool { get }
}

extension PointwiseKernel {
  /// None.
  public func inputFeature(_ q: Double) -> Double { 0 }
  public var readsInputVariances: Bool { true }
}

/// A kernel map that needs the whole state (e.g. dropout, which treats the diagonal apart).
public protocol StateKernel: PrimitiveLayer {
  func transform(_ state: inout KernelState, context: LayerContext) throws
}

/// A layer whose definition depends on its place in a repetition `(…) * L` (E-SPA and U-SPA, whose
/// attention matrix is that of layer `l` of `L`): `Repeat` places it block by block, as it
/// resolves residual scale schedules.
public protocol DepthPlacedLayer: PrimitiveLayer {
  /// The layer at block `l` (1-based) of `L`; a layer already placed returns itself.
  func placed(block l: Int, depth L: Int) -> any PrimitiveLayer
}
