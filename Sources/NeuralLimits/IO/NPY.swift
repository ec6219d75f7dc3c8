import Foundation

/// Matrices in NumPy's `.npy` format (versions 1.0, 2.0 and 3.0; see `NPYHeader`).
///
/// Reading accepts little-endian `<f8`, `<f4`, `<i8` and `<i4`, C or Fortran order, and shapes
/// `(n,)` (one column) and `(n, d)`; a malformed or inconsistent header is a one-line error and
/// nothing is allocated before the data length matches the shape. Writing produces version 1.0,
/// `<f8`, C order, the header padded so that the data starts at a multiple of 64 bytes.
public enum NPY {
  public static func read(_ path: String) throws -> Matrix {
    let data = try readFile(path)
    return try decode(data, name: path)
  }

  public static func decode(_ data: Data, name: String = "npy") throws -> Matrix {
    try decodeSequences(data, name: name, allowSequences: false).matrix
  }

  /// A matrix from `(n,)` or `(n, d)`, or sequences from `(N, m, d)` as the `N·m × d` matrix of
  /// their tokens, input-major (row `i·m + a` is token `a` of sequence `i`), and `m`
  /// (`nil` for a 1-D or 2-D array).
  public static func decodeSequences(_ data: Data, name: String = "npy", allowSequences: Bool = true) throws
    -> (matrix: Matrix, tokens: Int?)
  {
    try data.withUnsafeBytes { bytes in
      let header = try NPYHeader(bytes, name: name)
      let dimensions = allowSequences ? 1...3 : 1...2
      guard dimensions.contains(header.shape.count) else {
        throw header.failure("shape \(header.shapeText) has \(header.shape.count) dimensions; a matrix is read from (n,) or (n, d)"
          + (allowSequences ? ", sequences from (N, m, d)" : ""))
      }
      let shape = header.shape
      if shape.count == 3 {
        guard shape[1] > 0 else { throw header.failure("shape \(header.shapeText) has sequences of no tokens") }
        let (rows, overflow) = shape[0].multipliedReportingOverflow(by: shape[1])
        guard !overflow else { throw header.failure("shape \(header.shapeText) has more tokens than memory can address") }
        return (try Matrix(rows: rows, columns: shape[2], elements: elements(bytes, header)), shape[1])
      }
      return (try Matrix(rows: shape[0], columns: shape.count == 2 ? shape[1] : 1, elements: elements(bytes, header)), nil)
    }
  }

  /// The elements of an array of any shape in C (row-major) order.
  static func elements(_ bytes: UnsafeRawBufferPointer, _ header: NPYHeader) -> [Double] {
    let data = UnsafeRawBufferPointer(rebasing: bytes[header.dataOffset...])
    let elements = [Double](unsafeUninitializedCapacity: header.count) { buffer, initialized in
      switch header.elementType {
      case .float64:
        #if _endian(little)
        UnsafeMutableRawBufferPointer(buffer).copyMemory(from: data)
        #else
        for k in 0..<header.count { buffer[k] = Double(bitPattern: UInt64(littleEndian: data.loadUnaligned(fromByteOffset: 8 * k, as: UInt64.self))) }
        #endif
      case .float32:
        for k in 0..<header.count { buffer[k] = Double(Float(bitPattern: UInt32(littleEndian: data.loadUnaligned(fromByteOffset: 4 * k, as: UInt32.self)))) }
      case .int64:
        for k in 0..<header.count { buffer[k] = Double(Int64(littleEndian: data.loadUnaligned(fromByteOffset: 8 * k, as: Int64.self))) }
      case .int32:
        for k in 0..<header.count { buffer[k] = Double(Int32(littleEndian: data.loadUnaligned(fromByteOffset: 4 * k, as: Int32.self))) }
      }
      initialized = header.count
    }
    return header.fortranOrder && header.shape.count > 1 ? cOrder(fortranOrder: elements, shape: header.shape) : elements
  }

  /// Fortran-order elements rearranged into C order: the first index varies fastest in the
  /// input, the last in the output.
  private static func cOrder(fortranOrder source: [Double], shape: [Int]) -> [Double] {
    var strides = [Int](repeating: 1, count: shape.count)  // of the source
    for axis in 1..<shape.count { strides[axis] = strides[axis - 1] * shape[axis - 1] }
    var result = [Double](repeating: 0, count: source.count)
    var index = [Int](repeating: 0, count: shape.count)
    var offset = 0
    for k in result.indices {
      result[k] = source[offset]
      var axis = shape.count - 1
      index[axis] += 1
      offset += strides[axis]
      while axis > 0 && index[axis] == shape[axis] {
        offset -= shape[axis] * strides[axis]
        index[axis] = 0
        axis -= 1
        index[axis] += 1
        offset += strides[axis]
      }
    }
    return result
  }

  /// Version 1.0, `<f8`, C order: the header, then the elements' bytes in one copy.
  public static func encode(_ m: Matrix) -> Data { encode(m.elements, shape: [m.rows, m.columns]) }

  /// A stack of equally shaped matrices as one array of shape `count × rows × columns` (e.g. the
  /// final covariances of every SDE path, `P × m × m`).
  public static func encode(stack matrices: [Matrix], rows: Int, columns: Int) -> Data {
    encode(matrices.flatMap(\.elements), shape: [matrices.count, rows, columns])
  }

  /// Row-major `elements` with `shape` (their product is `elements.count`).
  static func encode(_ elements: [Double], shape: [Int]) -> Data {
    var data = header(shape: shape)
    #if _endian(little)
    elements.withUnsafeBytes { data.append(contentsOf: $0) }
    #else
    for x in elements { withUnsafeBytes(of: x.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
    #endif
    return data
  }

  static func header(_ m: Matrix) -> Data { header(shape: [m.rows, m.columns]) }

  /// The magic, version 1.0 and the header dict of a `<f8`, C-order array, padded to 64 bytes.
  static func header(shape: [Int]) -> Data {
    let dims = shape.count == 1 ? "\(shape[0])," : shape.map(String.init).joined(separator: ", ")
    var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (\(dims)), }"
    header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
    let length = UInt16(header.utf8.count)
    return Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(header.utf8))
  }

  public static func write(_ m: Matrix, to path: String) throws {
    try write([(path: path, matrix: m)])
  }

  /// Writes every matrix to its path, atomically as one (`AtomicFile`); on a little-endian
  /// machine the elements go from the matrices' storage to the files with no intermediate copy.
  public static func write(_ files: [(path: String, matrix: Matrix)]) throws {
    #if _endian(little)
    func write(_ index: Int, _ done: [(path: String, parts: [UnsafeRawBufferPointer])]) throws {
      guard index < files.count else { return try AtomicFile.write(done) }
      let (path, m) = files[index]
      try header(m).withUnsafeBytes { head in
        try m.elements.withUnsafeBytes { body in try write(index + 1, done + [(path: path, parts: [head, body])]) }
      }
    }
    try write(0, [])
    #else
    try AtomicFile.write(files.map { (path: $0.path, data: encode($0.matrix)) })
    #endif
  }
}

/// Reads a matrix from a `.npy` or CSV file, chosen by the extension (`.npy`, else CSV).
public func readMatrix(_ path: String) throws -> Matrix {
  path.lowercased().hasSuffix(".npy") ? try NPY.read(path) : try CSV.read(path)
}

/// Reads sequence inputs: a 3-D `.npy` array `(N, m, d)`, or a matrix (CSV or 2-D `.npy`) of
/// `N·m` rows, one per token, the `m` tokens of each sequence consecutive (row `i·m + a` is token
/// `a` of sequence `i`). Returns the `N·m × d` matrix of tokens and `m`: the array's, or `tokens`
/// (which must then agree with the array's and divide a matrix's rows); 1 when neither says.
public func readSequences(_ path: String, tokens: Int?) throws -> (matrix: Matrix, tokens: Int) {
  if let tokens, tokens < 1 { throw NeuralLimitsError.invalidArgument("--tokens must be at least 1, got \(tokens)") }
  let (matrix, own) = path.lowercased().hasSuffix(".npy")
    ? try NPY.decodeSequences(try readFile(path), name: path) : (try CSV.read(path), nil)
  if let own, let tokens, own != tokens {
    throw NeuralLimitsError.dimensionMismatch("\(path) holds sequences of \(own) tokens, --tokens says \(tokens)")
  }
  let m = own ?? tokens ?? 1
  guard matrix.rows % m == 0 else {
    throw NeuralLimitsError.dimensionMismatch("\(path) has \(matrix.rows) rows, not whole sequences of \(m) tokens")
  }
  return (matrix, m)
}
