import Foundation

/// A certificate for `localhost` and 127.0.0.1, valid one day, made with openssl (installed by
/// scripts/bootstrap.sh) in a fresh directory: `cert.pem` and `key.pem`.
struct SelfSignedCertificate {
    let directory: String
    var cert: String { directory + "/cert.pem" }
    var key: String { directory + "/key.pem" }

    struct Failed: Error, CustomStringConvertible {
        var description: String
    }

    static func make() throws -> SelfSignedCertificate {
        let directory = try FlowFixtures.temporaryDirectory()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", directory + "/key.pem", "-out", directory + "/cert.pem",
            "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ]
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failed(description: "openssl failed (run scripts/bootstrap.sh to install it): \(String(decoding: message, as: UTF8.self))")
        }
        return SelfSignedCertificate(directory: directory)
    }
}
