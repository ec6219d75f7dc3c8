import CLAPACKE

/// Reusable buffers for `PrimitiveLayer.sampleForward`, one per worker.
public final class SamplingScratch {
  var gram: [Double] = []
  var root: [Double] = []
  var gaussians: [Double] = []
  var parameters: [Double] = []
  var eigenvalues: [Double] = []
  var cache: [Double] = []
  /// Queries, keys and values of attention layers.
  var queries = Matrix(rows: 0, columns: 0), keys = Matrix(rows: 0, columns: 0), values = Matrix(rows: 0, columns: 0)

  public init() {}
}

extension PrimitiveLayer {
  /// The generic draw: initialise the parameters into the scratch buffer and run `forward`.
  public func sampleForward(_ input: Matrix, outputWidth: Int, tokens: Int, random: RandomStream, into output: inout Matrix,
                            scratch: SamplingScratch) {
    let count = parameterCount(inputWidth: input.columns, outputWidth: outputWidth)
    if scratch.parameters.count < count { scratch.parameters = [Double](repeating: 0, count: count) }
    output = scratch.parameters.withUnsafeMutableBufferPointer { p in
      let parameters = UnsafeMutableBufferPointer(rebasing: p[0..<count])
      initialize(parameters, inputWidth: input.columns, outputWidth: outputWidth, random: random)
      return forward(input, parameters: UnsafeBufferPointer(parameters), outputWidth: outputWidth, tokens: tokens, random: random,
                     cache: &scratch.cache)
    }
  }
}

extension Activation {
  /// `φ` entry by entry into `output` (no parameters).
  public func sampleForward(_ input: Matrix, outputWidth: Int, tokens: Int, random: RandomStream, into output: inout Matrix,
                            scratch: SamplingScratch) {
    output.reshape(rows: input.rows, columns: input.columns)
    output.elements.withUnsafeMutableBufferPointer { out in
      input.elements.withUnsafeBufferPointer { x in for k in x.indices { out[k] = value(x[k]) } }
    }
  }
}

extension Matrix {
  /// Gives the matrix the shape `rows × columns`, keeping its storage when the size matches
  /// (entries then unspecified until written).
  mutating func reshape(rows: Int, columns: Int) {
    guard self.rows != rows || self.columns != columns else { return }
    if elements.count == rows * columns {
      self = try! Matrix(rows: rows, columns: columns, elements: elements)
    } else {
      self = Matrix(rows: rows, columns: columns, uninitialized: ())
    }
  }
}

/// Draws `scale·h·W` for a fresh `W` with independent `N(0, 1)` entries (`h`: `r × n_in`,
/// `W`: `n_in × n_out`) without forming `W`: each column of `h·W` is `N(0, h·hᵀ)`, independently,
/// so `h·W` has the law of `C·Z` with `C·Cᵀ = h·hᵀ` and `Z` an `r × n_out` standard Gaussian matrix
/// — `r·n_out` draws and `O(r²·n_in + r²·n_out)` work instead of `n_in·n_out` draws. `C` is the
/// Cholesky factor, or `Q·√Λ₊` when `h·hᵀ` is singular (equal or zero rows).
enum GaussianProduct {
  static func sample(_ h: Matrix, outputWidth: Int, scale: Double, random: RandomStream, into output: inout Matrix,
                     scratch: SamplingScratch) {
    let r = h.rows, n = outputWidth
    output.reshape(rows: r, columns: n)
    if scratch.gram.count < r * r {
      scratch.gram = [Double](repeating: 0, count: r * r)
      scratch.root = scratch.gram
      scratch.eigenvalues = [Double](repeating: 0, count: r)
    }
    if scratch.gaussians.count < r * n { scratch.gaussians = [Double](repeating: 0, count: r * n) }
    scratch.gram.withUnsafeMutableBufferPointer { gram in
      scratch.root.withUnsafeMutableBufferPointer { root in
        scratch.eigenvalues.withUnsafeMutableBufferPointer { w in
          scratch.gaussians.withUnsafeMutableBufferPointer { z in
            h.elements.withUnsafeBufferPointer { ph in
              output.elements.withUnsafeMutableBufferPointer { out in
                cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(r), Int32(h.columns), 1, ph.baseAddress,
                            Int32(h.columns), 0, gram.baseAddress, Int32(r))
                for i in 0..<r { for j in 0..<i { gram[i * r + j] = gram[j * r + i] } }
                root.baseAddress!.update(from: gram.baseAddress!, count: r * r)
                var triangular = SmallMatrixKernels.cholesky(root.baseAddress!, r)
                if !triangular {
                  _ = SmallMatrixKernels.positivePart(gram.baseAddress!, root: root.baseAddress!, r,
                                                      eigenvalues: w.baseAddress!)
                  triangular = false
                }
                random.fillGaussian(UnsafeMutableBufferPointer(rebasing: z[0..<(r * n)]))
                out.baseAddress!.update(from: z.baseAddress!, count: r * n)
                if triangular {
                  cblas_dtrmm(CblasRowMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, Int32(r), Int32(n), scale,
                              root.baseAddress, Int32(r), out.baseAddress, Int32(n))
                } else {
                  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(r), Int32(n), Int32(r), scale,
                              root.baseAddress, Int32(r), z.baseAddress, Int32(n), 0, out.baseAddress, Int32(n))
                }
              }
            }
          }
        }
      }
    }
  }
}
