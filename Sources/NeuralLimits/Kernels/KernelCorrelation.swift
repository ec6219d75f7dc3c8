extension Matrix {
  /// The correlation `k(i, j)/(√k(i, i)·√k(j, j))` of a kernel matrix's entry (the square roots
  /// taken apart, so that diagonals near the largest double do not overflow), `0` where a
  /// diagonal entry vanishes.
  public func kernelCorrelation(_ i: Int, _ j: Int) -> Double {
    let scale = self[i, i].squareRoot() * self[j, j].squareRoot()
    return scale > 0 ? self[i, j] / scale : 0
  }
}
