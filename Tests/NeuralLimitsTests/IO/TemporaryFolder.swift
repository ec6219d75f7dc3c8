import Foundation

/// A fresh temporary folder for one test.
func temporaryFolder() -> String {
  let path = NSTemporaryDirectory() + "neural-limits-tests-" + UUID().uuidString
  try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  return path
}
