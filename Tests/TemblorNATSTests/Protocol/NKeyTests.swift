import Crypto
import Foundation
import Testing

@testable import TemblorNATS

@Suite struct NKeyTests {
    /// A user seed, its public key and its signatures of two nonces, from the nkeys test
    /// vectors other NATS clients check against.
    static let seed = "SUAMLK2ZNL35WSMW37E7UD4VZ7ELPKW7DHC3BWBSD2GCZ7IUQQXZIORRBU"
    static let publicKey = "UCK5N7N66OBOINFXAYC2ACJQYFSOD4VYNU6APEJTAVFZB2SVHLKGEW7L"
    static let signatureOfFirstNonce = "ZaAiVDgB5CeYoXoQ7cBCmq-ZllzUnGUoDVb8C7PilWvCs8XKfUchAUhz2P4BYAF--Dg3w05CqyQFRDiGL6LrDw"
    static let signatureOfSecondNonce = "kagPGrixaWS5yuHqw9nTQrda1Q376fK3fRCGtYdF4_w2aSk-4O7Ca0JM0qvzm69HH6MoMps2yF6Q0Qs830JZCA"

    @Test func crc16IsXmodem() {
        #expect(CRC16.checksum(Array("123456789".utf8)) == 0x31C3)
        #expect(CRC16.checksum(Array("abc".utf8)) == 0x9DD6)
        #expect(CRC16.checksum([]) == 0)
    }

    @Test func base32RoundTrips() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(($0 * 37 + 11) & 0xFF) }
            #expect(NKeyBase32.decode(NKeyBase32.encode(bytes)) == bytes)
        }
        #expect(NKeyBase32.encode(Array("foobar".utf8)) == "MZXW6YTBOI")
        #expect(NKeyBase32.decode("MZXW6YTBOI======") == Array("foobar".utf8))
        #expect(NKeyBase32.decode("not base32!") == nil)
    }

    @Test func decodesTheSeedAndDerivesThePublicKey() throws {
        let seed = try NKeySeed(Self.seed)
        #expect(seed.kind == NKeySeed.userPrefix)
        #expect(seed.raw.count == 32)
        #expect(try seed.publicKey == Self.publicKey)
        #expect(seed.encoded == Self.seed)
    }

    @Test func signsNoncesAsTheVectorsSay() throws {
        let seed = try NKeySeed(Self.seed)
        #expect(try seed.signNonce("PXoWU7zWAMt75FY") == Self.signatureOfFirstNonce)
        #expect(try seed.signNonce("iBFByN3zQjAT7dQ") == Self.signatureOfSecondNonce)
        // Whatever the signing implementation, the signature verifies with the public key.
        let decoded = try #require(NKeyBase32.decode(Self.publicKey))
        let key = try Curve25519.Signing.PublicKey(rawRepresentation: decoded[1..<33])
        #expect(key.isValidSignature(try seed.sign(Array("a nonce".utf8)), for: Array("a nonce".utf8)))
    }

    @Test func refusesBadSeedsSayingWhy() {
        func failure(_ seed: String) -> String {
            do {
                _ = try NKeySeed(seed)
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        var mistyped = Array(Self.seed)
        mistyped[20] = mistyped[20] == "A" ? "B" : "A"
        #expect(failure(String(mistyped)).contains("checksum does not match"))
        #expect(failure(Self.publicKey).contains("not 36"))
        #expect(failure("SU!!").contains("not base32"))
        #expect(failure(String(Self.seed.dropLast(4))).contains("not 36"))
        // A well-formed key of 36 bytes that is not a seed.
        var notSeed: [UInt8] = [20 << 3, 0] + [UInt8](repeating: 7, count: 32)
        let crc = CRC16.checksum(notSeed)
        notSeed += [UInt8(crc & 0xFF), UInt8(crc >> 8)]
        #expect(failure(NKeyBase32.encode(notSeed)).contains("not a seed"))
    }

    @Test func readsCredentialsFiles() throws {
        let text = """
            -----BEGIN NATS USER JWT-----
            eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJzdWIiOiJVQUJDIn0.c2ln
            ------END NATS USER JWT------

            ************************* IMPORTANT *************************
            NKEY Seed printed below can be used to sign and prove identity.
            NKEYs are sensitive and should be treated as secrets.

            -----BEGIN USER NKEY SEED-----
            \(Self.seed)
            ------END USER NKEY SEED------

            *************************************************************
            """
        let directory = NSTemporaryDirectory() + "temblor-creds-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/user.creds"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        guard case .credentials(let jwt, let seed) = try NATSAuth.credentialsFile(path) else {
            Issue.record("not credentials")
            return
        }
        #expect(jwt == "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJzdWIiOiJVQUJDIn0.c2ln")
        #expect(seed == Self.seed)

        #expect(throws: NATSError.self) { try NATSAuth.credentialsFile(directory + "/missing.creds") }
        let noSeed = directory + "/noseed.creds"
        try "-----BEGIN NATS USER JWT-----\nabc\n------END NATS USER JWT------\n".write(toFile: noSeed, atomically: true, encoding: .utf8)
        do {
            _ = try NATSAuth.credentialsFile(noSeed)
            Issue.record("a file without a seed was accepted")
        } catch {
            #expect("\(error)".contains("no '-----BEGIN USER NKEY SEED-----' block"))
        }
        let badSeed = directory + "/badseed.creds"
        try text.replacingOccurrences(of: Self.seed, with: "SUNOTASEED").write(toFile: badSeed, atomically: true, encoding: .utf8)
        #expect(throws: NATSError.self) { try NATSAuth.credentialsFile(badSeed) }
    }
}
