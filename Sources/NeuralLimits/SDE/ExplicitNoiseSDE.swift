/// A covariance SDE driven through its explicit diffusion covariance instead of its noise map:
/// the increment of the `P = m(m+1)/2` upper-triangle entries is `S·g` with `S = Σ_upper(V)^{1/2}`
/// (the symmetric root of the `P × P` covariance, `O(m⁶)` per step). The small-`m` reference that
/// the noise maps (`O(m³)`) are tested against.
public struct ExplicitNoiseSDE: CovarianceSDE {
  public let base: any CovarianceSDE

  public init(_ base: any CovarianceSDE) { self.base = base }

  public var description: String { base.description + " (explicit covariance)" }

  public func gaussianCount(tokens m: Int) -> Int { m * (m + 1) / 2 }

  public func drift(_ v: UnsafePointer<Double>, tokens m: Int, into drift: UnsafeMutablePointer<Double>,
                    workspace: SDEWorkspace) {
    base.drift(v, tokens: m, into: drift, workspace: workspace)
  }

  public func diffusion(_ v: Matrix) -> Matrix { base.diffusion(v) }

  public func noise(_ v: UnsafePointer<Double>, root: UnsafePointer<Double>, triangular: Bool, tokens m: Int,
                    gaussians g: UnsafePointer<Double>, into noise: UnsafeMutablePointer<Double>, workspace: SDEWorkspace) {
    let pairs = (0..<m).flatMap { i in (i..<m).map { (i, $0) } }
    let full = base.diffusion(try! Matrix(rows: m, columns: m, elements: Array(UnsafeBufferPointer(start: v, count: m * m))))
    var upper = Matrix(rows: pairs.count, columns: pairs.count)
    for (a, p) in pairs.enumerated() {
      for (b, q) in pairs.enumerated() { upper[a, b] = full[p.0 * m + p.1, q.0 * m + q.1] }
    }
    // A covariance built from a PSD V is PSD; rounding can leave eigenvalues of −ε, clipped.
    let root = (try? upper.symmetricSquareRoot(tolerance: 1e-8)) ?? Matrix(rows: pairs.count, columns: pairs.count)
    for (a, p) in pairs.enumerated() {
      var x = 0.0
      for b in pairs.indices { x += root[a, b] * g[b] }
      noise[p.0 * m + p.1] = x
      noise[p.1 * m + p.0] = x
    }
  }
}
