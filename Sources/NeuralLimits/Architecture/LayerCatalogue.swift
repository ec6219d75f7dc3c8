/// Every layer the architecture language knows: its name, parameters (with defaults and
/// domains) and how to build it. `neural-limits layers` prints this table; the parser
/// validates arguments against it, so the two never disagree.
public struct LayerEntry: Sendable {
  public let name: String
  public let summary: String
  public let parameters: [Parameter]
  let make: @Sendable (Arguments) throws -> any PrimitiveLayer

  /// One parameter of a layer.
  public struct Parameter: Sendable {
    public let name: String
    public let domain: Domain
    /// The default as written in the language; `nil`: optional with no default (e.g. `width`).
    public let defaultValue: String?
    public let summary: String
  }

  /// What values a parameter takes.
  public enum Domain: Sendable, CustomStringConvertible {
    /// A finite real in the range; `lowerOpen` excludes the lower bound.
    case real(ClosedRange<Double>, lowerOpen: Bool = false)
    case integer(ClosedRange<Int>)
    case choice([String])
    /// A file path, written in quotes (`file="A.csv"`).
    case path

    public var description: String {
      switch self {
      case .real(let r, let open):
        let lo = r.lowerBound == -.infinity ? "(-inf" : (open ? "(" : "[") + "\(r.lowerBound)"
        let hi = r.upperBound == .infinity ? "inf)" : "\(r.upperBound)]"
        return "real in \(lo), \(hi)"
      case .integer(let r): return "integer in [\(r.lowerBound), \(r.upperBound == .max ? "inf" : String(r.upperBound))]"
      case .choice(let options): return options.joined(separator: "|")
      case .path: return "quoted file path"
      }
    }

    /// Whether `raw`, as written, is in the domain.
    public func accepts(_ raw: String) -> Bool {
      switch self {
      case .real(let range, let lowerOpen):
        guard let v = Double(raw), v.isFinite, range.contains(v), !(lowerOpen && v == range.lowerBound) else { return false }
      case .integer(let range):
        guard let v = Int(raw), range.contains(v) else { return false }
      case .choice(let options):
        guard options.contains(raw) else { return false }
      case .path:
        guard !raw.isEmpty else { return false }
      }
      return true
    }
  }

  /// A usage line such as `dense(w_std=1, b_std=0, parameterization=ntk|standard, width=INT)`.
  public var usage: String {
    guard !parameters.isEmpty else { return name }
    return name + "(" + parameters.map { p in
      "\(p.name)=" + (p.defaultValue ?? {
        if case .integer = p.domain { return "INT" }
        if case .path = p.domain { return "\"PATH\"" }
        return "?"
      }())
    }.joined(separator: ", ") + ")"
  }
}

/// The validated arguments of one layer in a specification.
public struct Arguments: Sendable {
  let values: [String: String]

  func real(_ key: String) -> Double? { values[key].flatMap(Double.init) }
  func integer(_ key: String) -> Int? { values[key].flatMap { Int($0) } }
  func text(_ key: String) -> String? { values[key] }
}

private let finite = -Double.infinity...Double.infinity
private let nonNegative = 0.0...Double.infinity

public enum LayerCatalogue {
  public static let entries: [LayerEntry] = [
    LayerEntry(name: "dense", summary: "fully connected layer; NNGP w²Σ + b², NTK per parameterization", parameters: [
      .init(name: "w_std", domain: .real(nonNegative), defaultValue: "1", summary: "weight standard deviation"),
      .init(name: "b_std", domain: .real(nonNegative), defaultValue: "0", summary: "bias standard deviation (0: no bias)"),
      .init(name: "parameterization", domain: .choice(["ntk", "standard"]), defaultValue: "ntk", summary: "weight scaling"),
      .init(name: "width", domain: .integer(1...Int.max), defaultValue: nil, summary: "output width (default: the network's width)"),
    ]) { a in
      Dense(wStd: a.real("w_std") ?? 1, bStd: a.real("b_std") ?? 0,
            parameterization: Parameterization(rawValue: a.text("parameterization") ?? "ntk")!, width: a.integer("width"))
    },
    LayerEntry(name: "relu", summary: "max(x, 0)", parameters: []) { _ in ReLU() },
    LayerEntry(name: "leaky_relu", summary: "x for x > 0, alpha·x otherwise", parameters: [
      .init(name: "alpha", domain: .real(0...1), defaultValue: "0.01", summary: "negative slope"),
    ]) { a in LeakyReLU(alpha: a.real("alpha") ?? 0.01) },
    LayerEntry(name: "abrelu", summary: "b·x for x > 0, a·x otherwise", parameters: [
      .init(name: "a", domain: .real(finite), defaultValue: "0", summary: "negative slope"),
      .init(name: "b", domain: .real(finite), defaultValue: "1", summary: "positive slope"),
    ]) { a in PiecewiseLinear(a: a.real("a") ?? 0, b: a.real("b") ?? 1) },
    LayerEntry(name: "shaped_relu", summary: "ReLU with slopes 1 + c±/√n (Li, Nica & Roy 2022); c=x is c_plus=x, c_minus=-x", parameters: [
      .init(name: "c_plus", domain: .real(finite), defaultValue: "1", summary: "shape constant of the positive slope"),
      .init(name: "c_minus", domain: .real(finite), defaultValue: "-1", summary: "shape constant of the negative slope"),
      .init(name: "c", domain: .real(finite), defaultValue: nil, summary: "shorthand for c_plus=c, c_minus=-c"),
      .init(name: "width", domain: .integer(1...Int.max), defaultValue: nil, summary: "n (default: the network's width)"),
    ]) { a in
      if let c = a.real("c") {
        guard a.real("c_plus") == nil, a.real("c_minus") == nil else {
          throw NeuralLimitsError.architecture("shaped_relu takes c or c_plus/c_minus, not both")
        }
        return ShapedReLU(c: c, width: a.integer("width"))
      }
      return ShapedReLU(cPlus: a.real("c_plus") ?? 1, cMinus: a.real("c_minus") ?? -1, width: a.integer("width"))
    },
    LayerEntry(name: "abs", summary: "|x|", parameters: []) { _ in Abs() },
    LayerEntry(name: "erf", summary: "a·erf(b·x) + c", parameters: [
      .init(name: "a", domain: .real(finite), defaultValue: "1", summary: "amplitude"),
      .init(name: "b", domain: .real(finite), defaultValue: "1", summary: "input scale"),
      .init(name: "c", domain: .real(finite), defaultValue: "0", summary: "offset"),
    ]) { a in Erf(a: a.real("a") ?? 1, b: a.real("b") ?? 1, c: a.real("c") ?? 0) },
    LayerEntry(name: "sigmoid_like", summary: "½·erf(x/2.4020563531719796) + ½", parameters: []) { _ in Erf.sigmoidLike },
    LayerEntry(name: "gelu", summary: "x·Φ(x) (exact)", parameters: []) { _ in Gelu() },
    LayerEntry(name: "sin", summary: "a·sin(b·x + c)", parameters: [
      .init(name: "a", domain: .real(finite), defaultValue: "1", summary: "amplitude"),
      .init(name: "b", domain: .real(finite), defaultValue: "1", summary: "frequency"),
      .init(name: "c", domain: .real(finite), defaultValue: "0", summary: "phase"),
    ]) { a in Sine(a: a.real("a") ?? 1, b: a.real("b") ?? 1, c: a.real("c") ?? 0) },
    LayerEntry(name: "cos", summary: "a·cos(b·x + c)", parameters: [
      .init(name: "a", domain: .real(finite), defaultValue: "1", summary: "amplitude"),
      .init(name: "b", domain: .real(finite), defaultValue: "1", summary: "frequency"),
      .init(name: "c", domain: .real(finite), defaultValue: "0", summary: "phase"),
    ]) { a in Sine.cosine(a: a.real("a") ?? 1, b: a.real("b") ?? 1, c: a.real("c") ?? 0) },
    LayerEntry(name: "rbf", summary: "√2·sin(√(2γ)·x + π/4); NNGP exp(−γ‖x − x'‖²)", parameters: [
      .init(name: "gamma", domain: .real(nonNegative, lowerOpen: true), defaultValue: "1", summary: "inverse length scale"),
    ]) { a in RBF(gamma: a.real("gamma") ?? 1) },
    LayerEntry(name: "exp", summary: "a·exp(b·x)", parameters: [
      .init(name: "a", domain: .real(finite), defaultValue: "1", summary: "amplitude"),
      .init(name: "b", domain: .real(finite), defaultValue: "1", summary: "rate"),
    ]) { a in Exponential(a: a.real("a") ?? 1, b: a.real("b") ?? 1) },
    LayerEntry(name: "identity", summary: "x", parameters: []) { _ in Identity() },
    LayerEntry(name: "sign", summary: "sign(x); zero derivative, so no NTK passes", parameters: []) { _ in Sign() },
    LayerEntry(name: "monomial", summary: "x^degree", parameters: [
      .init(name: "degree", domain: .integer(0...10), defaultValue: "2", summary: "power"),
    ]) { a in Monomial(degree: a.integer("degree") ?? 2) },
    LayerEntry(name: "rectified_monomial", summary: "max(x, 0)^degree (arc-cosine kernel of that order)", parameters: [
      .init(name: "degree", domain: .integer(0...10), defaultValue: "1", summary: "power"),
    ]) { a in RectifiedMonomial(degree: a.integer("degree") ?? 1) },
    LayerEntry(name: "tanh", summary: "tanh(x), by Hermite expansion", parameters: [
      .init(name: "tol", domain: .real(0...1e-2, lowerOpen: true), defaultValue: "1e-10", summary: "target relative error"),
    ]) { a in try NumericalActivation.tanh(tolerance: a.real("tol") ?? 1e-10) },
    LayerEntry(name: "softplus", summary: "log(1 + eˣ), by Hermite expansion", parameters: [
      .init(name: "tol", domain: .real(0...1e-2, lowerOpen: true), defaultValue: "1e-10", summary: "target relative error"),
    ]) { a in try NumericalActivation.softplus(tolerance: a.real("tol") ?? 1e-10) },
    LayerEntry(name: "swish", summary: "x·sigmoid(x), by Hermite expansion", parameters: [
      .init(name: "tol", domain: .real(0...1e-2, lowerOpen: true), defaultValue: "1e-10", summary: "target relative error"),
    ]) { a in try NumericalActivation.swish(tolerance: a.real("tol") ?? 1e-10) },
    LayerEntry(name: "tat_leaky_relu", summary: "TAT leaky ReLU (Zhang et al. 2022): √(2/(1+α²))·leaky_relu(x; α), α solved so that C_f(0) = eta for depth nonlinear layers", parameters: [
      .init(name: "eta", domain: .real(0...1, lowerOpen: true), defaultValue: "0.9", summary: "target C_f(0) of the whole network, in (0, 1)"),
      .init(name: "depth", domain: .integer(1...1_000_000), defaultValue: "20", summary: "nonlinear layers of the plain network it is shaped for"),
    ]) { a in try Shaping.tatLeakyReLU(eta: a.real("eta") ?? 0.9, depth: a.integer("depth") ?? 20) },
    LayerEntry(name: "dks", summary: "DKS-transformed activation (Martens et al. 2021): γ·(φ(α·x + β) + δ) with C'_f(1) = zeta for depth nonlinear layers, by Hermite expansion", parameters: [
      .init(name: "activation", domain: .choice(Shaping.dksActivations), defaultValue: "tanh", summary: "the activation φ to transform"),
      .init(name: "zeta", domain: .real(1...1e6, lowerOpen: true), defaultValue: "1.5", summary: "target C'_f(1) of the whole network, above 1"),
      .init(name: "depth", domain: .integer(1...1_000_000), defaultValue: "20", summary: "nonlinear layers of the plain network it is shaped for"),
    ]) { a in
      try Shaping.dks(activation: a.text("activation") ?? "tanh", zeta: a.real("zeta") ?? 1.5, depth: a.integer("depth") ?? 20)
    },
    LayerEntry(name: "layernorm", summary: "normalise over features (after a dense layer)", parameters: [
      .init(name: "eps", domain: .real(nonNegative), defaultValue: "1e-12", summary: "added to the variance"),
    ]) { a in LayerNorm(epsilon: a.real("eps") ?? 1e-12) },
    LayerEntry(name: "shaped_attention", summary: "I + softmax(QKᵀ/τ) − C times values, τ = τ0·√(n·n_k); kernel A₀ΣA₀ᵀ, A₀ = I (SDE limit at depth ~ width)", parameters: [
      .init(name: "tau0", domain: .real(nonNegative, lowerOpen: true), defaultValue: "1", summary: "temperature constant τ₀"),
      .init(name: "causal", domain: .choice(["false", "true"]), defaultValue: "false", summary: "token i attends to 1…i"),
      .init(name: "keys", domain: .integer(1...Int.max), defaultValue: nil, summary: "n_k (default: the width)"),
      .init(name: "alpha", domain: .real(finite), defaultValue: "1", summary: "weight α of the identity"),
      .init(name: "beta", domain: .real(finite), defaultValue: "1", summary: "weight β of the softmax"),
      .init(name: "gamma", domain: .real(finite), defaultValue: "1", summary: "weight γ of the centring C"),
    ] + LayerCatalogue.attentionWeights(queryDefault: "1")) { a in
      Attention(name: "shaped_attention", alpha: a.real("alpha") ?? 1, beta: a.real("beta") ?? 1, gamma: a.real("gamma") ?? 1,
                shapedTemperature: true, tau0: a.real("tau0") ?? 1, causal: a.text("causal") == "true", keys: a.integer("keys"),
                queryStd: a.real("q_std") ?? 1, valueStd: a.real("v_std") ?? 1, heads: a.integer("heads") ?? 1)
    },
    LayerEntry(name: "attention", summary: "softmax(QKᵀ/(τ0·√n_k)) times values; kernel only at q_std=0 (uniform A)", parameters: [
      .init(name: "causal", domain: .choice(["false", "true"]), defaultValue: "false", summary: "token i attends to 1…i"),
      .init(name: "keys", domain: .integer(1...Int.max), defaultValue: nil, summary: "n_k (default: the width)"),
      .init(name: "tau0", domain: .real(nonNegative, lowerOpen: true), defaultValue: "1", summary: "temperature constant τ₀"),
    ] + LayerCatalogue.attentionWeights(queryDefault: "1")) { a in
      Attention(name: "attention", alpha: 0, beta: 1, gamma: 0, shapedTemperature: false, tau0: a.real("tau0") ?? 1,
                causal: a.text("causal") == "true", keys: a.integer("keys"), queryStd: a.real("q_std") ?? 1,
                valueStd: a.real("v_std") ?? 1, heads: a.integer("heads") ?? 1)
    },
    LayerEntry(name: "value_skipinit", summary: "α·I + β·softmax(QKᵀ/(τ0·√n_k)) times values (He et al. 2023)", parameters: [
      .init(name: "alpha", domain: .real(finite), defaultValue: "1", summary: "weight α of the identity"),
      .init(name: "beta", domain: .real(finite), defaultValue: "0", summary: "weight β of the softmax"),
      .init(name: "causal", domain: .choice(["false", "true"]), defaultValue: "false", summary: "token i attends to 1…i"),
      .init(name: "keys", domain: .integer(1...Int.max), defaultValue: nil, summary: "n_k (default: the width)"),
      .init(name: "tau0", domain: .real(nonNegative, lowerOpen: true), defaultValue: "1", summary: "temperature constant τ₀"),
    ] + LayerCatalogue.attentionWeights(queryDefault: "0")) { a in
      Attention(name: "value_skipinit", alpha: a.real("alpha") ?? 1, beta: a.real("beta") ?? 0, gamma: 0, shapedTemperature: false,
                tau0: a.real("tau0") ?? 1, causal: a.text("causal") == "true", keys: a.integer("keys"),
                queryStd: a.real("q_std") ?? 0, valueStd: a.real("v_std") ?? 1, heads: a.integer("heads") ?? 1)
    },
    LayerEntry(name: "espa", summary: "E-SPA: D·softmax(M + B), W_Q = 0, token kernel exp(−γ_l|i−j|) at layer l of a repetition", parameters: [
      .init(name: "gamma_final", domain: .real(nonNegative, lowerOpen: true), defaultValue: "0.005", summary: "γ_L of the last layer"),
    ] + LayerCatalogue.signalPropagationPlace) { a in
      try LayerCatalogue.signalPropagation(.exponential(gammaFinal: a.real("gamma_final") ?? 0.005), a)
    },
    LayerEntry(name: "uspa", summary: "U-SPA: D·softmax(M + B), W_Q = 0, token kernel (1−ρ_l)I + ρ_l11ᵀ at layer l of a repetition", parameters: [
      .init(name: "rho_final", domain: .real(0...1, lowerOpen: false), defaultValue: "0.8", summary: "ρ_L of the last layer (below 1)"),
    ] + LayerCatalogue.signalPropagationPlace) { a in
      try LayerCatalogue.signalPropagation(.uniform(rhoFinal: a.real("rho_final") ?? 0.8), a)
    },
    LayerEntry(name: "fixed_attention", summary: "a given m×m attention matrix A (CSV or .npy) times values; kernel AΣAᵀ", parameters: [
      .init(name: "file", domain: .path, defaultValue: nil, summary: "the matrix: m × m, finite, entries ≥ 0 where visible"),
      .init(name: "causal", domain: .choice(["false", "true"]), defaultValue: "false", summary: "only entries j ≤ i are used"),
      .init(name: "v_std", domain: .real(nonNegative), defaultValue: "1", summary: "scale w of the value weights"),
    ]) { a in try LayerCatalogue.fixedAttention(a) },
    LayerEntry(name: "dropout", summary: "training-mode dropout with drop probability rate", parameters: [
      .init(name: "rate", domain: .real(0...0.999999), defaultValue: "0.1", summary: "probability of dropping a unit"),
    ]) { a in Dropout(rate: a.real("rate") ?? 0.1) },
  ]

  /// `q_std` and `v_std` of the attention layers.
  static func attentionWeights(queryDefault: String) -> [LayerEntry.Parameter] {
    [
      .init(name: "q_std", domain: .real(nonNegative), defaultValue: queryDefault, summary: "σ_Q of W^Q (0: W_Q = 0, the kernel-exact setting)"),
      .init(name: "v_std", domain: .real(nonNegative), defaultValue: "1", summary: "scale w of the value weights"),
      .init(name: "heads", domain: .integer(1...Int.max), defaultValue: "1", summary: "h heads summed with value scale w/√h (same kernel)"),
    ]
  }

  /// `causal`, `layer`, `depth`, `v_std` of `espa` and `uspa`.
  static let signalPropagationPlace: [LayerEntry.Parameter] = [
    .init(name: "causal", domain: .choice(["false", "true"]), defaultValue: "false", summary: "Cholesky factors (true) or symmetric roots"),
    .init(name: "layer", domain: .integer(1...Int.max), defaultValue: nil, summary: "l (default: its block in the repetition)"),
    .init(name: "depth", domain: .integer(1...Int.max), defaultValue: nil, summary: "L (default: the repetition count)"),
    .init(name: "v_std", domain: .real(nonNegative), defaultValue: "1", summary: "scale w of the value weights"),
  ]

  /// `fixed_attention(file=…)`: the matrix read by the strict readers, refused unless square and
  /// finite (its size against the sequences is checked where the layer is placed).
  static func fixedAttention(_ a: Arguments) throws -> Attention {
    guard let path = a.text("file") else { throw NeuralLimitsError.architecture("fixed_attention needs file=\"PATH\" (an m × m matrix)") }
    let matrix = try readMatrix(path)
    guard matrix.rows == matrix.columns else {
      throw NeuralLimitsError.architecture("fixed_attention: \(path) is \(matrix.rows) × \(matrix.columns), not a square attention matrix")
    }
    try matrix.validateFinite("fixed_attention's \(path)")
    return Attention(name: "fixed_attention", alpha: 0, beta: 1, gamma: 0, shapedTemperature: false,
                     causal: a.text("causal") == "true", queryStd: 0, valueStd: a.real("v_std") ?? 1,
                     pattern: .fixed(matrix, file: path))
  }

  /// An E-SPA or U-SPA layer; `layer` and `depth` go together.
  static func signalPropagation(_ spa: SignalPropagationAttention, _ a: Arguments) throws -> Attention {
    let l = a.integer("layer"), L = a.integer("depth")
    guard (l == nil) == (L == nil) else {
      throw NeuralLimitsError.architecture("\(spa.name): give layer= and depth= together (or neither, inside a repetition)")
    }
    if let l, let L, l > L { throw NeuralLimitsError.architecture("\(spa.name): layer=\(l) is beyond depth=\(L)") }
    if case .uniform(let rho) = spa, rho >= 1 {
      throw NeuralLimitsError.architecture("uspa: rho_final must be below 1, got \(rho)")
    }
    return Attention(name: spa.name, alpha: 0, beta: 1, gamma: 0, shapedTemperature: false, causal: a.text("causal") == "true",
                     queryStd: 0, valueStd: a.real("v_std") ?? 1, pattern: .signalPropagation(spa, layer: l, depth: L))
  }

  /// The entry named `name`.
  public static func entry(_ name: String) -> LayerEntry? { entries.first { $0.name == name } }

  /// Checks every argument against the entry's domain and builds the layer.
  static func build(_ entry: LayerEntry, _ values: [String: String]) throws -> any PrimitiveLayer {
    for (key, raw) in values.sorted(by: { $0.key < $1.key }) {
      guard let parameter = entry.parameters.first(where: { $0.name == key }) else {
        let known = entry.parameters.map(\.name)
        throw NeuralLimitsError.architecture(
          "\(entry.name) has no parameter '\(key)'" + (known.isEmpty ? " (it takes none)" : " (it takes \(known.joined(separator: ", ")))"))
      }
      guard parameter.domain.accepts(raw) else {
        throw NeuralLimitsError.architecture("\(entry.name)(\(key)=\(raw)): \(key) must be a \(parameter.domain)")
      }
    }
    return try entry.make(Arguments(values: values))
  }
}
