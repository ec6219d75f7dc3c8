import Foundation

/// The built-in input set of `neural-limits compare` when no `--x` is given.
///
/// `count` points in `dimension` dimensions on a spiral through the first two coordinates:
/// `xᵢ = rᵢ·√d·(cos θᵢ, sin θᵢ, 0, …, 0)` with `θᵢ = i·π/(count − 1)` and
/// `rᵢ = 0.5 + i/(count − 1)`, so the set spans correlations from 1 to −1 and norms from 0.5 to
/// 1.5 (input kernel diagonal `rᵢ²`).
public enum DefaultInputs {
  public static func spiral(count: Int = 8, dimension: Int = 10) -> Matrix {
    var x = Matrix(rows: count, columns: dimension)
    let scale = Double(dimension).squareRoot()
    for i in 0..<count {
      let t = count > 1 ? Double(i) / Double(count - 1) : 0
      let r = 0.5 + t, theta = t * Double.pi
      x[i, 0] = r * scale * cos(theta)
      if dimension > 1 { x[i, 1] = r * scale * sin(theta) }
    }
    return x
  }

  public static let description = "built-in spiral (8 inputs in 10 dimensions, angles 0…π, norms 0.5…1.5)"
}
