import Foundation
import Testing
import TemblorConnectors
import TemblorLua
import TemblorValue

/// `temblor.fs` in a fresh temporary directory: what is granted works, what escapes it is denied.
@Suite(.serialized, .timeLimit(.minutes(2))) struct LuaIOFileTests {
    typealias F = LuaIOFixtures

    func denied(_ capability: String, _ path: String) -> LuaIOResult {
        .failure("\(capability) access to \(path) is not granted to connector 'test'; add the file or a directory holding it to its allow.\(capability)")
    }

    @Test func writesAppendsReadsListsAndReadsLines() async throws {
        let dir = try F.directory()
        try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
        let io = try F.session(read: ["data"], write: ["data/out"], directory: dir)
        try FileManager.default.createDirectory(atPath: dir + "/data/out", withIntermediateDirectories: true)
        #expect(await io.perform(.fsWrite(path: "data/out/a.txt", bytes: Array("one\r\ntwo\n".utf8), append: false)) == .values([.int(9)]))
        #expect(await io.perform(.fsWrite(path: dir + "/data/out/a.txt", bytes: Array("three".utf8), append: true)) == .values([.int(5)]))
        #expect(await io.perform(.fsRead(path: "data/out/a.txt")) == F.bytes("one\r\ntwo\nthree"))
        let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/data/out/a.txt")
        #expect((attributes[.posixPermissions] as? Int) == 0o644)
        #expect(await io.perform(.fsWrite(path: "data/out/a.txt", bytes: Array("new".utf8), append: false)) == .values([.int(3)]))
        #expect(await io.perform(.fsRead(path: "data/out/a.txt")) == F.bytes("new"))
        try Data("b".utf8).write(to: URL(fileURLWithPath: dir + "/data/b.txt"))
        #expect(await io.perform(.fsList(path: "data")) == .values([.array(["b.txt", "out"])]))

        try Data("first\r\nsecond\n\nlast".utf8).write(to: URL(fileURLWithPath: dir + "/data/lines.txt"))
        let lines = try #require(F.handle(await io.perform(.fsOpenLines(path: "data/lines.txt"))))
        #expect(await io.perform(.fsNextLine(handle: lines)) == F.bytes("first"))
        #expect(await io.perform(.fsNextLine(handle: lines)) == F.bytes("second"))
        #expect(await io.perform(.fsNextLine(handle: lines)) == F.bytes(""))
        #expect(await io.perform(.fsNextLine(handle: lines)) == F.bytes("last"))
        #expect(await io.perform(.fsNextLine(handle: lines)) == .values([]))
        // At the end the reader closed itself.
        #expect(await io.perform(.fsNextLine(handle: lines)) == .failure("closed"))
        #expect(await io.perform(.fsRead(path: "data/missing.txt")) == .failure("no such file: \(dir)/data/missing.txt"))
        #expect(await io.perform(.fsOpenLines(path: "data/missing.txt")) == .failure("no such file: \(dir)/data/missing.txt"))
        #expect(await io.perform(.fsWrite(path: "data/out/none/x.txt", bytes: [], append: false)) == .failure("no such directory: \(dir)/data/out/none"))
        await io.close()
    }

    @Test func writingNeedsAWriteGrantAndReadingOutsideTheGrantsIsDenied() async throws {
        let dir = try F.directory()
        try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
        try Data("secret".utf8).write(to: URL(fileURLWithPath: dir + "/secret.txt"))
        let io = try F.session(read: ["data"], directory: dir)
        #expect(await io.perform(.fsWrite(path: "data/x.txt", bytes: [1], append: false)) == denied("write", dir + "/data/x.txt"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/data/x.txt"))
        #expect(await io.perform(.fsRead(path: "data/../secret.txt")) == denied("read", dir + "/secret.txt"))
        #expect(await io.perform(.fsRead(path: "../" + (dir as NSString).lastPathComponent + "/secret.txt")) == denied("read", dir + "/secret.txt"))
        #expect(await io.perform(.fsList(path: "data/..")) == denied("read", dir))
        #expect(await io.perform(.fsRead(path: "/etc/passwd")) == denied("read", "/etc/passwd"))
        #expect(await io.perform(.fsOpenLines(path: "/etc/passwd")) == denied("read", "/etc/passwd"))
        #expect(await io.perform(.fsRead(path: "data/../data/../../../../../../etc/passwd")) == denied("read", "/etc/passwd"))
        // A file that does not exist outside the grants is denied too, not reported missing.
        #expect(await io.perform(.fsRead(path: "/etc/no-such-file")) == denied("read", "/etc/no-such-file"))
        await io.close()
    }

    @Test func symbolicLinksOutOfAGrantedDirectoryAreDenied() async throws {
        let dir = try F.directory()
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: dir + "/outside", withIntermediateDirectories: true)
        try Data("secret".utf8).write(to: URL(fileURLWithPath: dir + "/outside/secret.txt"))
        try fm.createSymbolicLink(atPath: dir + "/data/link.txt", withDestinationPath: dir + "/outside/secret.txt")
        try fm.createSymbolicLink(atPath: dir + "/data/dangling.txt", withDestinationPath: "../outside/new.txt")
        try fm.createSymbolicLink(atPath: dir + "/data/sub", withDestinationPath: dir + "/outside")
        try fm.createSymbolicLink(atPath: dir + "/data/passwd", withDestinationPath: "/etc/passwd")
        let io = try F.session(write: ["data"], directory: dir)
        #expect(await io.perform(.fsRead(path: "data/link.txt")) == denied("read", dir + "/outside/secret.txt"))
        #expect(await io.perform(.fsRead(path: "data/passwd")) == denied("read", "/etc/passwd"))
        #expect(await io.perform(.fsRead(path: "data/sub/secret.txt")) == denied("read", dir + "/outside/secret.txt"))
        #expect(await io.perform(.fsList(path: "data/sub")) == denied("read", dir + "/outside"))
        #expect(await io.perform(.fsWrite(path: "data/link.txt", bytes: [1], append: false)) == denied("write", dir + "/outside/secret.txt"))
        #expect(await io.perform(.fsWrite(path: "data/dangling.txt", bytes: [1], append: false)) == denied("write", dir + "/outside/new.txt"))
        #expect(await io.perform(.fsWrite(path: "data/sub/new.txt", bytes: [1], append: true)) == denied("write", dir + "/outside/new.txt"))
        #expect(try String(contentsOfFile: dir + "/outside/secret.txt", encoding: .utf8) == "secret")
        #expect(!fm.fileExists(atPath: dir + "/outside/new.txt"))
        // A link that stays inside the grant is followed.
        try fm.createSymbolicLink(atPath: dir + "/data/inner", withDestinationPath: "plain.txt")
        #expect(await io.perform(.fsWrite(path: "data/inner", bytes: Array("in".utf8), append: false)) == .values([.int(2)]))
        #expect(await io.perform(.fsRead(path: "data/plain.txt")) == F.bytes("in"))
        await io.close()
    }

    @Test func aFileLargerThanTheIOBufferFailsAndLongLinesToo() async throws {
        let dir = try F.directory()
        try Data(repeating: UInt8(ascii: "x"), count: 5_000).write(to: URL(fileURLWithPath: dir + "/big.txt"))
        try Data(("short\n" + String(repeating: "y", count: 3_000) + "\n").utf8).write(to: URL(fileURLWithPath: dir + "/long.txt"))
        let io = try F.session(read: [dir], directory: dir, limits: LuaLimits(ioBuffer: 2_048))
        #expect(
            await io.perform(.fsRead(path: "big.txt"))
                == .failure("\(dir)/big.txt is 5000 bytes, more than the I/O buffer holds (limits.io_buffer_kb is 2); read it with temblor.fs.lines"))
        let lines = try #require(F.handle(await io.perform(.fsOpenLines(path: "long.txt"))))
        #expect(await io.perform(.fsNextLine(handle: lines)) == F.bytes("short"))
        #expect(
            await io.perform(.fsNextLine(handle: lines)) == .failure("a line of \(dir)/long.txt is longer than the I/O buffer holds (limits.io_buffer_kb is 2)"))
        await io.close()
    }

    @Test func theFilesLimitHoldsAndClosingOneLetsTheNextOpen() async throws {
        let dir = try F.directory()
        try Data("a\n".utf8).write(to: URL(fileURLWithPath: dir + "/a.txt"))
        let io = try F.session(read: ["."], directory: dir, limits: LuaLimits(files: 2))
        let first = try #require(F.handle(await io.perform(.fsOpenLines(path: "a.txt"))))
        let second = try #require(F.handle(await io.perform(.fsOpenLines(path: "a.txt"))))
        #expect(await io.perform(.fsOpenLines(path: "a.txt")) == .failure("too many open files (limits.files is 2); read the others to their end or close them"))
        #expect(await io.perform(.close(handle: first)) == .values([]))
        let third = try #require(F.handle(await io.perform(.fsOpenLines(path: "a.txt"))))
        #expect(third == 3)
        // Reading one to its end frees its slot too.
        #expect(await io.perform(.fsNextLine(handle: second)) == F.bytes("a"))
        #expect(await io.perform(.fsNextLine(handle: second)) == .values([]))
        #expect(F.handle(await io.perform(.fsOpenLines(path: "a.txt"))) == 4)
        await io.close()
        #expect(await io.perform(.fsNextLine(handle: third)) == .failure("closed"))
        #expect(await io.perform(.fsRead(path: "a.txt")) == .failure("closed"))
    }
}
