/// The mean and variance of an ensemble's outputs at each test input and output (`M × k` each),
/// with their standard errors, from `S` members:
///
/// - mean `f̄ = (1/S) Σ fₛ`, standard error `√(s²/S)`;
/// - variance `s² = Σ (fₛ − f̄)²/(S − 1)`, standard error `√((m₄ − s⁴(S − 3)/(S − 1))/S)` with `m₄` the
///   fourth central moment (`Var(s²)` for any distribution with a fourth moment; `2σ⁴/(S − 1)`
///   for a Gaussian).
public struct EnsembleEstimate: Sendable {
  public let members: Int
  public let mean: Matrix
  public let meanStandardError: Matrix
  public let variance: Matrix
  public let varianceStandardError: Matrix

  init(_ outputs: [Matrix]) {
    let s = Double(outputs.count)
    let rows = outputs[0].rows, columns = outputs[0].columns
    var mean = Matrix(rows: rows, columns: columns), meanError = mean, variance = mean, varianceError = mean
    for e in 0..<rows * columns {
      let m = outputs.reduce(0) { $0 + $1.elements[e] } / s
      var m2 = 0.0, m4 = 0.0
      for output in outputs {
        let d = output.elements[e] - m, d2 = d * d
        m2 += d2
        m4 += d2 * d2
      }
      let v = m2 / (s - 1)
      mean.elements[e] = m
      meanError.elements[e] = (v / s).squareRoot()
      variance.elements[e] = v
      varianceError.elements[e] = (max(m4 / s - v * v * (s - 3) / (s - 1), 0) / s).squareRoot()
    }
    members = outputs.count
    self.mean = mean
    meanStandardError = meanError
    self.variance = variance
    varianceStandardError = varianceError
  }
}
