/// The noise map of the linear-network diffusion
/// `Σ_lin(V)^{αβ,δω} = V^{αδ}V^{βω} + V^{αω}V^{βδ}` (Li, Nica & Roy 2022): the increment of
/// `V = XXᵀ/n` through one Gaussian layer `X ↦ XW/√n`.
///
/// With `R·Rᵀ = V` and `Z` symmetric with independent `N(0, 1)` entries above the diagonal and
/// `N(0, 2)` on it — `Cov(Z_ij, Z_kl) = δ_ik δ_jl + δ_il δ_jk` — the matrix `R·Z·Rᵀ` has
/// `Cov((RZRᵀ)^{αβ}, (RZRᵀ)^{δω}) = Σ_{ijkl} R_αi R_βj R_δk R_ωl (δ_ik δ_jl + δ_il δ_jk)
/// = V^{αδ}V^{βω} + V^{αω}V^{βδ}` exactly. It consumes `m(m+1)/2` Gaussians, row by row of the
/// upper triangle, and costs two triangular products.
enum LinearNoise {
  static func gaussianCount(tokens m: Int) -> Int { m * (m + 1) / 2 }

  /// `scale·R·Z·Rᵀ` into `out`, `Z` built from `g` in `workspace.a`, scratch in `workspace.b`.
  static func apply(root: UnsafePointer<Double>, triangular: Bool, tokens m: Int, gaussians g: UnsafePointer<Double>,
                    scale: Double, into out: UnsafeMutablePointer<Double>, workspace: SDEWorkspace) {
    let z = workspace.a
    var k = 0
    let diagonal = 2.0.squareRoot() * scale
    for i in 0..<m {
      z[i * m + i] = diagonal * g[k]
      k += 1
      for j in (i + 1)..<max(m, i + 1) {
        z[i * m + j] = scale * g[k]
        z[j * m + i] = z[i * m + j]
        k += 1
      }
    }
    SmallMatrixKernels.sandwich(root, z, m, triangular: triangular, scratch: workspace.b, into: out)
  }

  /// `scale²·Σ_lin(V)` as an `m² × m²` matrix.
  static func covariance(_ v: Matrix, scale: Double) -> Matrix {
    let m = v.rows
    var s = Matrix(rows: m * m, columns: m * m)
    for a in 0..<m { for b in 0..<m { for d in 0..<m { for w in 0..<m {
      s[a * m + b, d * m + w] = scale * scale * (v[a, d] * v[b, w] + v[a, w] * v[b, d])
    } } } }
    return s
  }
}
