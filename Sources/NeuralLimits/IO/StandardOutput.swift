import Foundation

/// Standard output, written with write(2) so that a failure (a full disk, a closed terminal) is
/// an error rather than lost output: `print` buffers and ignores write errors.
public enum StandardOutput {
  /// Writes `data` whole; throws `io("cannot write to standard output: <reason>")`.
  public static func write(_ data: Data) throws {
    try writeAll(data, to: STDOUT_FILENO, failure: "cannot write to standard output")
  }
}
