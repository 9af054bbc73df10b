import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `examples/tcp-echo`, run as a user runs it: a client sends lines and gets each one back.
@Suite struct TcpEchoExampleTests {
    /// A port that was free a moment ago on 127.0.0.1.
    static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(bound, "cannot bind a probe socket")
        return UInt16(bigEndian: address.sin_port)
    }

    /// Connects to 127.0.0.1:`port`, retrying while the daemon starts (at most `seconds`).
    static func connect(port: UInt16, seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = port.bigEndian
            let ok = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            if ok {
                var timeout = timeval(tv_sec: 10, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                return fd
            }
            close(fd)
            Thread.sleep(forTimeInterval: 0.05)
        }
        return nil
    }

    @Test func everyLineComesBackToItsSender() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("temblor-echo-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: ExampleFixtures.examples.appendingPathComponent("tcp-echo"), to: dir)
        let port = try Self.freePort()
        let flow = dir.appendingPathComponent("flow.yaml")
        let text = try String(contentsOf: flow, encoding: .utf8).replacingOccurrences(of: "127.0.0.1:4242", with: "127.0.0.1:\(port)")
        try text.write(to: flow, atomically: true, encoding: .utf8)
        let lines = (0..<100).map { #"{"n":\#($0),"msg":"hello \#($0)"}"# }

        let (status, replies, stderr) = try await TemblorProcess.offPool { () throws -> (Int32, String, String) in
            let process = Process()
            process.executableURL = TemblorProcess.executable
            process.arguments = ["run", "--stats", flow.path]
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            var received = ""
            if let fd = Self.connect(port: port, seconds: 10) {
                let request = Array((lines.joined(separator: "\n") + "\n").utf8)
                _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
                var buffer = [UInt8](repeating: 0, count: 65536)
                var bytes: [UInt8] = []
                while bytes.filter({ $0 == 0x0A }).count < lines.count {
                    let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                    if n <= 0 { break }
                    bytes.append(contentsOf: buffer[0..<n])
                }
                received = String(decoding: bytes, as: UTF8.self)
                close(fd)
            }
            process.terminate()
            process.waitUntilExit()
            return (process.terminationStatus, received, String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        }
        #expect(replies == lines.joined(separator: "\n") + "\n", "\(stderr)")
        #expect(status == 0, "\(stderr)")
        #expect(stderr.contains("produced 100, delivered 100, failed 0"), "\(stderr)")
    }
}
