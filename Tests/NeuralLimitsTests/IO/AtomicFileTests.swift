import CInterrupt
import Foundation
import Testing
@testable import NeuralLimits

/// The only tests that write through `AtomicFile` in this process, serialized: one of them
/// fills the table of pending temporary files that every write shares.
@Suite("Atomic writes", .serialized)
struct AtomicFileTests {
  let folder = temporaryFolder()

  func contents(_ name: String) throws -> String {
    try String(contentsOfFile: folder + "/" + name, encoding: .utf8)
  }

  func listing() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
  }

  @Test("Large files written in parallel parts (boundaries inside each core's share) read back exactly, replacing the old")
  func parallelParts() throws {
    // 3 parts of odd sizes, 12 MB in all: each core's byte range starts and ends inside a part.
    let parts = [Data((0..<129).map { UInt8($0 % 251) }), Data((0..<7_000_003).map { UInt8($0 % 253) }),
                 Data((0..<5_000_001).map { UInt8($0 % 241) })]
    for _ in 0..<2 {
      try withParts(parts) { try AtomicFile.write([(path: folder + "/big.bin", parts: $0)]) }
      #expect(FileManager.default.contents(atPath: folder + "/big.bin") == parts.reduce(Data(), +))
    }
    #expect(try listing() == ["big.bin"])
  }

  @Test("A write replaces the file whole and leaves no temporary file")
  func replace() throws {
    try AtomicFile.write(Data("first".utf8), to: folder + "/out.txt")
    try AtomicFile.write(Data("second".utf8), to: folder + "/out.txt")
    #expect(try contents("out.txt") == "second")
    #expect(try listing() == ["out.txt"])
    #expect(throws: NeuralLimitsError.io("cannot write /nonexistent/folder/out.txt: folder /nonexistent/folder does not exist")) {
      try AtomicFile.write(Data("x".utf8), to: "/nonexistent/folder/out.txt")
    }
  }

  @Test("Files written together: a failed second file leaves the old pair in place")
  func pair() throws {
    try AtomicFile.write([(path: folder + "/a.txt", data: Data("old a".utf8)), (path: folder + "/b.txt", data: Data("old b".utf8))])
    // 250 bytes is a valid name, but its temporary name exceeds NAME_MAX (255), so creating it fails.
    let long = folder + "/" + String(repeating: "b", count: 250)
    #expect(throws: NeuralLimitsError.self) {
      try AtomicFile.write([(path: folder + "/a.txt", data: Data("new a".utf8)), (path: long, data: Data("new b".utf8))])
    }
    #expect(try contents("a.txt") == "old a")
    #expect(try listing() == ["a.txt", "b.txt"])
    try AtomicFile.write([(path: folder + "/a.txt", data: Data("new a".utf8)), (path: folder + "/b.txt", data: Data("new b".utf8))])
    #expect(try [contents("a.txt"), contents("b.txt")] == ["new a", "new b"])
  }

  @Test("A symbolic link, folder or named pipe at the destination is refused, not replaced")
  func nonRegularDestinations() throws {
    try AtomicFile.write(Data("target".utf8), to: folder + "/target.txt")
    try FileManager.default.createSymbolicLink(atPath: folder + "/link.txt", withDestinationPath: folder + "/target.txt")
    try FileManager.default.createDirectory(atPath: folder + "/sub", withIntermediateDirectories: false)
    #expect(mkfifo(folder + "/pipe", 0o644) == 0)
    for (name, kind) in [("link.txt", "a symbolic link"), ("sub", "a folder"), ("pipe", "a named pipe")] {
      #expect(throws: NeuralLimitsError.io("cannot write \(folder)/\(name): it is \(kind), not a regular file; remove it or choose another path")) {
        try AtomicFile.write(Data("new".utf8), to: folder + "/" + name)
      }
    }
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: folder + "/link.txt") == folder + "/target.txt")
    #expect(try contents("target.txt") == "target")
    #expect(throws: NeuralLimitsError.self) { try AtomicFile.write(Data("x".utf8), to: "/dev/null") }
    #expect(try listing() == ["link.txt", "pipe", "sub", "target.txt"])
  }

  @Test("More files at once than the pending table holds is an error, not an unprotected write")
  func tableFull() throws {
    let files = (0...Int(NL_PENDING_SLOTS)).map { (path: folder + "/f\($0)", data: Data("x".utf8)) }
    #expect(throws: NeuralLimitsError.io("cannot write \(folder)/f\(NL_PENDING_SLOTS): more than \(NL_PENDING_SLOTS) files are being written at once")) {
      try AtomicFile.write(files)
    }
    #expect(try listing() == [])
    try AtomicFile.write(Array(files.dropLast()))  // every slot was given back
    #expect(try listing().count == Int(NL_PENDING_SLOTS))
  }
}
