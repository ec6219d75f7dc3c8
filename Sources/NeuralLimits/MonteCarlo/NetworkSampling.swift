/// Buffers that a network sampled layer after layer reuses (`FiniteNetwork.sample`), one per
/// worker: after the first pass through a network, later passes allocate nothing.
public final class SamplingWorkspace {
  let scratch = SamplingScratch()
  private var pool: [Int: Matrix] = [:]

  public init() {}

  /// Moves the buffer `slot` out of the pool (an empty matrix the first time).
  func take(_ slot: Int) -> Matrix { pool.removeValue(forKey: slot) ?? Matrix(rows: 0, columns: 0) }

  /// Puts a buffer back.
  func give(_ slot: Int, _ m: Matrix) { pool[slot] = m }
}

extension FiniteNetwork {
  /// One forward pass of a freshly drawn network on `x` (`tokens` rows per sequence), every
  /// layer through `sampleForward` — parameters drawn, used once, never stored — so a network of
  /// a thousand layers costs its products, not its weights. `observe(k, X)` sees the output of
  /// the `k`-th top-level block (the items of the outermost chain, nested chains flattened).
  public func sample(_ x: Matrix, tokens: Int, random: RandomStream, workspace: SamplingWorkspace,
                     observe: ((Int, Matrix) -> Void)? = nil) -> Matrix {
    var blocks: [Node] = []
    func flatten(_ node: Node) {
      if case .serial(let items) = node { items.forEach(flatten) } else { blocks.append(node) }
    }
    flatten(root)
    var current = x, next = workspace.take(-1)
    for (k, block) in blocks.enumerated() {
      run(block, current, level: 0, into: &next, tokens: tokens, random: random, workspace: workspace)
      swap(&current, &next)
      observe?(k, current)
    }
    workspace.give(-1, next)
    return current
  }

  /// `node` on `input` into `output`; nested sums and chains borrow buffers `2·level`, `2·level + 1`.
  private func run(_ node: Node, _ input: Matrix, level: Int, into output: inout Matrix, tokens: Int, random: RandomStream,
                   workspace: SamplingWorkspace) {
    switch node {
    case .primitive(let layer, _, let outputWidth, _, _):
      layer.sampleForward(input, outputWidth: outputWidth, tokens: tokens, random: random, into: &output,
                          scratch: workspace.scratch)
    case .serial(let items):
      guard !items.isEmpty else {
        output.reshape(rows: input.rows, columns: input.columns)
        output.elements.withUnsafeMutableBufferPointer { o in input.elements.withUnsafeBufferPointer { o.baseAddress!.update(from: $0.baseAddress!, count: $0.count) } }
        return
      }
      // Alternate between `output` and a borrowed buffer so that the last item writes `output`.
      var other = workspace.take(2 * level)
      var source = input
      for (k, item) in items.enumerated() {
        if (items.count - 1 - k) % 2 == 0 {
          run(item, source, level: level + 1, into: &output, tokens: tokens, random: random, workspace: workspace)
          source = output
        } else {
          run(item, source, level: level + 1, into: &other, tokens: tokens, random: random, workspace: workspace)
          source = other
        }
      }
      source = input
      workspace.give(2 * level, other)
    case .sum(let branches):
      var part = workspace.take(2 * level + 1)
      var first = true
      for (scale, branch) in branches {
        // A skip connection (an empty chain) adds the input itself, without a copy.
        let term: Matrix
        if case .serial(let items) = branch, items.isEmpty {
          term = input
        } else {
          run(branch, input, level: level + 1, into: &part, tokens: tokens, random: random, workspace: workspace)
          term = part
        }
        if first { output.reshape(rows: term.rows, columns: term.columns) }
        output.elements.withUnsafeMutableBufferPointer { o in
          term.elements.withUnsafeBufferPointer { t in
            if first { for k in t.indices { o[k] = scale * t[k] } } else { for k in t.indices { o[k] += scale * t[k] } }
          }
        }
        first = false
      }
      workspace.give(2 * level + 1, part)
    }
  }
}
