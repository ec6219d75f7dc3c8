import Foundation

/// A predictive on one-dimensional inputs drawn with gnuplot (`GnuplotFigure`): the mean, a band
/// of ±2 standard deviations, the training data and, when known, the noiseless function.
public enum PredictiveFigure {
  /// Throws unless the inputs are one-dimensional with one output (what a figure can show).
  public static func check(_ data: RegressionData) throws {
    guard data.trainInputs.columns == 1, data.trainTargets.columns == 1 else {
      throw NeuralLimitsError.invalidArgument(
        "--plot draws one-dimensional inputs with one output, got \(data.trainInputs.columns) features and "
          + "\(data.trainTargets.columns) outputs")
    }
  }

  /// Draws `predictive` on `data`'s test inputs to `path` (`.svg`, `.png` or `.pdf`), with
  /// `truth` as a dashed line and a trained ensemble's mean ± 2 std as orange lines when given.
  public static func render(_ predictive: GaussianPredictive, data: RegressionData, title: String,
                            truth: (name: String, function: (Double) -> Double)? = nil, ensemble: EnsembleEstimate? = nil,
                            to path: String) throws {
    try check(data)
    let x = data.testInputs.elements
    let order = x.indices.sorted { x[$0] < x[$1] }
    var text = "# x\tmean\tmean - 2 std\tmean + 2 std\t" + (truth?.name ?? "-")
      + (ensemble == nil ? "" : "\tensemble mean\tensemble mean - 2 std\tensemble mean + 2 std") + "\n"
    for i in order {
      let mean = predictive.mean[i, 0], band = 2 * max(predictive.covariance[i, i], 0).squareRoot()
      text += "\(x[i])\t\(mean)\t\(mean - band)\t\(mean + band)\t" + (truth.map { "\($0.function(x[i]))" } ?? "0")
      if let ensemble {
        let m = ensemble.mean[i, 0], b = 2 * ensemble.variance[i, 0].squareRoot()
        text += "\t\(m)\t\(m - b)\t\(m + b)"
      }
      text += "\n"
    }
    text += "\n\n# training x\ty\n"
    for i in 0..<data.trainInputs.rows { text += "\(data.trainInputs[i, 0])\t\(data.trainTargets[i, 0])\n" }
    var plot = """
      plot 'DATA' index 0 using 1:3:4 with filledcurves fc rgb '#1f77b4' fs transparent solid 0.25 noborder title 'mean ± 2 std', \\
           '' index 0 using 1:2 with lines lw 2 lc rgb '#1f77b4' title 'mean'
      """
    if let truth { plot += ", \\\n     '' index 0 using 1:5 with lines lw 1.5 dt 2 lc rgb 'black' title '\(truth.name)'" }
    if let ensemble {
      plot += ", \\\n     '' index 0 using 1:6 with lines lw 2 lc rgb '#ff7f0e' title 'trained ensemble (\(ensemble.members)): mean'"
        + ", \\\n     '' index 0 using 1:7 with lines lw 1.2 dt 3 lc rgb '#ff7f0e' title 'mean ± 2 std'"
        + ", \\\n     '' index 0 using 1:8 with lines lw 1.2 dt 3 lc rgb '#ff7f0e' notitle"
    }
    plot += ", \\\n     '' index 1 using 1:2 with points pt 7 ps 0.7 lc rgb '#2ca02c' title 'training data'"
    let script = """
      set title "\(title.replacingOccurrences(of: "\"", with: "'"))" noenhanced
      set key below horizontal
      set xlabel 'x'
      set ylabel 'f(x)'
      set grid lc rgb '#dddddd'
      \(plot)
      """
    try GnuplotFigure.render(to: path, data: text, script: script, size: (900, 500))
  }
}
