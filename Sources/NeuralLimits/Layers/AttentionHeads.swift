/// Multi-head attention: `h` independent heads, each a single-head layer with value scale
/// `w/√h`, summed,
///
///     output = Σ_h A_h(X)·X·W^V_h·w/√(n·h),
///
/// i.e. the heads' outputs concatenated and read out by the fixed, normalised projection
/// `W^O = [I … I]/√h` (neural-tangents' `GlobalSelfAttention` with its output projection's
/// `1/√(h·n)` scaling, the projection itself not trained). Parameters: each head's `W^Q_h`, `W^K_h`,
/// `W^V_h` in turn.
///
/// **Kernel map: the same as one head.** Where the kernel is exact, every head's attention matrix
/// is `A₀` (at `σ_Q = 0` exactly; for shaped attention `A_h = A₀ + O(n^{−1/2})`), so the output is
/// `A₀·X·(h^{−1/2}·Σ_h W^V_h)·w/√n`, and `h^{−1/2}·Σ_h W^V_h` of independent standard Gaussian
/// matrices is again one: `Σ' = w²·A₀ΣA₀ᵀ`, unchanged. NTK: `W^V_h` contributes
/// `A₀·(w²/h·Σ)·A₀ᵀ`, the `h` heads together `A₀·w²Σ·A₀ᵀ`, and `Θ` passes through the sum as
/// through one head (the heads' cross terms vanish in expectation, their `W^V_h` being independent):
/// `Θ' = A₀·(w²Σ + w²Θ)·A₀ᵀ`, unchanged. With a trained, unnormalised `W^O` there would be one more
/// term; it is not part of this layer. Heads only differ where the logits are random (`σ_Q > 0`
/// softmax attention), whose kernel is refused.
extension Attention {
  /// One head: the layer with `h = 1` and value scale `w/√h`.
  var head: Attention {
    Attention(name: name, alpha: alpha, beta: beta, gamma: gamma, shapedTemperature: shapedTemperature, tau0: tau0,
              causal: causal, keys: keys, queryStd: queryStd, valueStd: valueStd / Double(heads).squareRoot(),
              pattern: pattern, heads: 1)
  }

  /// Head `i`'s slice of a parameter buffer of `count` entries.
  func headRanges(_ count: Int) -> [Range<Int>] {
    let each = count / heads
    return (0..<heads).map { ($0 * each)..<(($0 + 1) * each) }
  }

  /// Head `i`'s part of the cache (the heads' caches concatenated, all of one length).
  func headCaches(_ cache: [Double]) -> [[Double]] {
    let each = cache.count / heads
    return (0..<heads).map { Array(cache[($0 * each)..<(($0 + 1) * each)]) }
  }

  /// `Σ_h body(head, range_h, cache_h)`.
  func headsSum(_ count: Int, _ cache: [Double], _ body: (Attention, Range<Int>, [Double]) -> Matrix) -> Matrix {
    let one = head
    var total: Matrix?
    for (range, c) in zip(headRanges(count), headCaches(cache)) {
      let part = body(one, range, c)
      total = total.map { $0 + part } ?? part
    }
    return total!
  }

  func headsForward(_ input: Matrix, parameters: UnsafeBufferPointer<Double>, outputWidth: Int, tokens: Int,
                    random: RandomStream, cache: inout [Double]) -> Matrix {
    var caches: [Double] = []
    let output = headsSum(parameters.count, []) { head, range, _ in
      var c: [Double] = []
      let y = head.forward(input, parameters: UnsafeBufferPointer(rebasing: parameters[range]), outputWidth: outputWidth,
                           tokens: tokens, random: random, cache: &c)
      caches += c
      return y
    }
    cache = caches
    return output
  }

  func headsSampleForward(_ input: Matrix, outputWidth: Int, tokens: Int, random: RandomStream, into output: inout Matrix,
                          scratch: SamplingScratch) {
    let one = head
    one.sampleForward(input, outputWidth: outputWidth, tokens: tokens, random: random, into: &output, scratch: scratch)
    var part = Matrix(rows: 0, columns: 0)
    for _ in 1..<heads {
      one.sampleForward(input, outputWidth: outputWidth, tokens: tokens, random: random, into: &part, scratch: scratch)
      for e in output.elements.indices { output.elements[e] += part.elements[e] }
    }
  }
}
