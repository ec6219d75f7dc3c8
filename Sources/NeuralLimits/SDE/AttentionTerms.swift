/// The terms shaped attention adds to a covariance SDE (*The Shaped Transformer*, Theorem 4.2),
/// for `A = I + softmax(τ⁻¹Y) − C`, `Y = XW^Q(XW^K)ᵀ/n`, `τ = τ₀√(n·n_k)`, in the block
/// `X ↦ λX + γ·A·X·n^{−1/2}W^V`.
///
/// Notation: token `α` attends to `S_α` (all `m` tokens, or `1…α` when causal), `m_α = |S_α|`,
/// `P_α = D_α − 1_{S_α}1_{S_α}ᵀ/m_α` (`D_α` the indicator of `S_α`; `P = I − 11ᵀ/m` when not
/// causal). Given `X` the logits are centred with `E[G^{αβ}G^{δω}] = V^{αδ}V^{βω}` for
/// `G = τ₀√n·Y/τ`, and the softmax expands as `A = I + Δ₁ + Δ₂ + O(n^{−3/2})` with
/// `Δ₁^{α·} = Z^{α·}P_α/m_α` (`Z = Y/τ`) and `Δ₂` its second-order term. Per unit `t = ℓ/n`:
///
/// - drift `(γ²/τ₀²)·[V^{αβ}·tr(P_αVP_βV)/(m_α m_β) + V^{αα}(V d^{(α)})^β/(2m_α) + V^{ββ}(V d^{(β)})^α/(2m_β)]`
///   with `d^{(α)}_ν = [(P_αVP_α)^{νν} − tr(P_αVP_α)/m_α]·1[ν ∈ S_α]` — the first term from
///   `E[Δ₁VΔ₁ᵀ]`, the others from `E[Δ₂V + VΔ₂ᵀ]` (non-causal: `‖PVP‖²_F/m²·V + (v(Vd)ᵀ + (Vd)vᵀ)/(2m)`,
///   `v` the diagonal);
/// - diffusion `γ⁴τ₀⁻²·𝒜` besides the `Σ_lin` part, `𝒜` the covariance of `Ĝ_cV + VĜ_cᵀ` with
///   `Ĝ_c^{α·} = G^{α·}P_α/m_α`; closed form (non-causal) `𝒜^{αβ,δω} = m⁻²[V^{αδ}K^{βω} + V^{αω}K^{βδ}
///   + V^{βδ}K^{αω} + V^{βω}K^{αδ}]`, `K = VPVPV`; causal `Σ` over the four index orders of
///   `V^{xz}(VP_xVP_zV)^{yu}/(m_x m_z)`.
///
/// Derived for this library from the block's definition (the paper's text was not at hand) and
/// checked by one-step Monte Carlo of the finite block with the real softmax; `CovarianceSDE`
/// tests compare the noise map's covariance with the closed form exactly.
struct AttentionTerms: Sendable {
  let tau0: Double
  let causal: Bool

  /// `m_α`.
  func size(_ alpha: Int, _ m: Int) -> Int { causal ? alpha + 1 : m }

  /// Adds `scale·(drift of Theorem 4.2 without its γ²)` to `drift`, `O(m³)`; uses
  /// `workspace.a`…`workspace.e` and `workspace.vector` (`m × m`).
  func addDrift(_ v: UnsafePointer<Double>, tokens m: Int, scale: Double, to drift: UnsafeMutablePointer<Double>,
                workspace w: SDEWorkspace) {
    // rowSum[k, β] = Σ_{j∈S_β} V_kj  (w.a), box[α, β] = Σ_{i∈S_α, j∈S_β} V_ij  (w.b),
    // squares[α, β] = Σ_{i∈S_α, j∈S_β} V_ij²  (w.c), all by prefix sums (causal) or totals.
    let rowSum = w.a, box = w.b, squares = w.c
    for k in 0..<m {
      var running = 0.0
      for b in 0..<m {
        running += v[k * m + b]
        rowSum[k * m + b] = running
      }
    }
    for a in 0..<m {
      for b in 0..<m {
        let aboveBox = a > 0 ? box[(a - 1) * m + b] : 0, aboveSquares = a > 0 ? squares[(a - 1) * m + b] : 0
        let leftSquares = b > 0 ? squares[a * m + b - 1] - (a > 0 ? squares[(a - 1) * m + b - 1] : 0) : 0
        box[a * m + b] = aboveBox + rowSum[a * m + b]
        squares[a * m + b] = aboveSquares + leftSquares + v[a * m + b] * v[a * m + b]
      }
    }
    // For causal attention S_α = {0…α}: the prefix quantities at (α, β); else the totals.
    func last(_ alpha: Int) -> Int { causal ? alpha : m - 1 }
    // Row α of `rows` is d^{(α)}: (P_α V P_α)^{kk} − tr(P_α V P_α)/m_α for k ∈ S_α, else 0;
    // then vd = rows·V, (V d^{(α)})^β at (α, β) (V symmetric), one O(m³) product.
    let vd = w.d, rows = w.vector
    for alpha in 0..<m {
      let la = last(alpha), ma = Double(size(alpha, m))
      let total = box[la * m + la]
      var trace = 0.0
      for k in 0..<m {
        let value = k <= la ? v[k * m + k] - 2 * rowSum[k * m + la] / ma + total / (ma * ma) : 0
        rows[alpha * m + k] = value
        trace += value
      }
      for k in 0...la { rows[alpha * m + k] -= trace / ma }
    }
    SmallMatrixKernels.multiply(rows, v, m, into: vd)
    // tr(P_α V P_β V) = Σ_{S_α×S_β} V² − Σ_{k∈S_α}(V1_β)_k²/m_β − Σ_{k∈S_β}(V1_α)_k²/m_α + (1_αᵀV1_β)²/(m_α m_β).
    // weighted[α, β] = Σ_{k∈S_α} rowSum[k, last(β)]².
    let weighted = w.e
    for beta in 0..<m {
      let lb = last(beta)
      var running = 0.0
      for k in 0..<m {
        running += rowSum[k * m + lb] * rowSum[k * m + lb]
        weighted[k * m + beta] = running
      }
    }
    for alpha in 0..<m {
      for beta in alpha..<m {
        let la = last(alpha), lb = last(beta)
        let ma = Double(size(alpha, m)), mb = Double(size(beta, m))
        let cross = box[la * m + lb]
        let trace = squares[la * m + lb] - weighted[la * m + beta] / mb - weighted[lb * m + alpha] / ma + cross * cross / (ma * mb)
        let value = scale / (tau0 * tau0) * (v[alpha * m + beta] * trace / (ma * mb)
          + v[alpha * m + alpha] * vd[alpha * m + beta] / (2 * ma) + v[beta * m + beta] * vd[beta * m + alpha] / (2 * mb))
        drift[alpha * m + beta] += value
        if beta != alpha { drift[beta * m + alpha] += value }
      }
    }
  }

  /// Adds `scale·(Ĝ_cV + VĜ_cᵀ)` to `noise`, `G = R·Ξ'·Rᵀ` from the `m²` Gaussians `g`
  /// (`R·Rᵀ = V`); uses `workspace.a` and `workspace.b`.
  func addNoise(_ v: UnsafePointer<Double>, root: UnsafePointer<Double>, triangular: Bool, tokens m: Int,
                gaussians g: UnsafePointer<Double>, scale: Double, to noise: UnsafeMutablePointer<Double>,
                workspace w: SDEWorkspace) {
    let gc = w.a
    SmallMatrixKernels.sandwich(root, g, m, triangular: triangular, scratch: w.b, into: gc)
    for alpha in 0..<m {
      let ma = size(alpha, m), la = ma - 1
      var mean = 0.0
      for k in 0...la { mean += gc[alpha * m + k] }
      mean /= Double(ma)
      for k in 0..<m { gc[alpha * m + k] = k <= la ? (gc[alpha * m + k] - mean) / Double(ma) : 0 }
    }
    // w.b = Ĝ_c·V; noise += scale·(w.b + w.bᵀ).
    SmallMatrixKernels.multiply(gc, v, m, into: w.b)
    for i in 0..<m {
      for j in 0..<m { noise[i * m + j] += scale * (w.b[i * m + j] + w.b[j * m + i]) }
    }
  }

  /// The closed form of `𝒜` (`m² × m²`, entry `(αm + β, δm + ω)`), as reference for tests.
  func covariance(_ v: Matrix) -> Matrix {
    let m = v.rows
    func p(_ x: Int) -> Matrix {
      var q = Matrix(rows: m, columns: m)
      let mx = size(x, m)
      for i in 0..<mx { q[i, i] = 1; for j in 0..<mx { q[i, j] -= 1 / Double(mx) } }
      return q
    }
    // c(x, y; z, u) = V^{xz}·(V P_x V P_z V)^{yu}/(m_x m_z).
    let ps = (0..<m).map(p)
    var k = [[Matrix]](repeating: [], count: m)
    for x in 0..<m { k[x] = (0..<m).map { z in v * ps[x] * v * ps[z] * v } }
    func c(_ x: Int, _ y: Int, _ z: Int, _ u: Int) -> Double {
      v[x, z] * k[x][z][y, u] / Double(size(x, m) * size(z, m))
    }
    var a = Matrix(rows: m * m, columns: m * m)
    for al in 0..<m { for be in 0..<m { for de in 0..<m { for om in 0..<m {
      a[al * m + be, de * m + om] = c(al, be, de, om) + c(al, be, om, de) + c(be, al, de, om) + c(be, al, om, de)
    } } } }
    return a
  }
}
