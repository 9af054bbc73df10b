import Crypto
import Foundation

/// An nkey seed (`SU…` for a user): the 32 bytes of an Ed25519 private key, behind two prefix
/// bytes naming the kind of key and followed by a CRC-16, all in unpadded base32.
struct NKeySeed: Sendable {
    /// The prefix byte of the public key this seed belongs to (`U` for users).
    let kind: UInt8
    /// The raw Ed25519 seed.
    let raw: [UInt8]

    /// The first prefix byte of every seed, `S` in base32.
    static let seedPrefix: UInt8 = 18 << 3
    /// Public key prefixes: operator `O`, server `N`, cluster `C`, account `A`, user `U`.
    static let publicPrefixes: [UInt8] = [14 << 3, 13 << 3, 2 << 3, 0, 20 << 3]
    /// The public key prefix of a user.
    static let userPrefix: UInt8 = 20 << 3

    /// Decodes and checks a seed (base32, CRC-16, prefixes).
    init(_ text: String) throws(NATSError) {
        let trimmed = String(text.trimmingWhitespace())
        guard let decoded = NKeyBase32.decode(trimmed) else {
            throw .credentials("the seed is not base32 (it should look like SU… with 58 characters)")
        }
        guard decoded.count == 36 else {
            throw .credentials("the seed decodes to \(decoded.count) bytes, not 36; is it a whole seed?")
        }
        let body = Array(decoded[..<34])
        let stored = UInt16(decoded[34]) | UInt16(decoded[35]) << 8
        guard CRC16.checksum(body) == stored else {
            throw .credentials("the seed's checksum does not match; it was mistyped or cut")
        }
        guard body[0] & 248 == Self.seedPrefix else {
            throw .credentials("this is not a seed (seeds start with S); a public key cannot sign")
        }
        let kind = (body[0] & 7) << 5 | (body[1] & 248) >> 3
        guard Self.publicPrefixes.contains(kind) else {
            throw .credentials("the seed names an unknown kind of key")
        }
        self.kind = kind
        raw = Array(body[2...])
    }

    /// A seed from its parts, for building test keys.
    init(kind: UInt8, raw: [UInt8]) {
        self.kind = kind
        self.raw = raw
    }

    /// The seed as text (`SU…`).
    var encoded: String {
        var bytes = [Self.seedPrefix | kind >> 5, (kind & 31) << 3]
        bytes += raw
        let crc = CRC16.checksum(bytes)
        bytes += [UInt8(truncatingIfNeeded: crc), UInt8(truncatingIfNeeded: crc >> 8)]
        return NKeyBase32.encode(bytes)
    }

    private var privateKey: Curve25519.Signing.PrivateKey {
        get throws(NATSError) {
            do {
                return try Curve25519.Signing.PrivateKey(rawRepresentation: raw)
            } catch {
                throw .credentials("the seed is not an Ed25519 key: \(error)")
            }
        }
    }

    /// The public key (`U…` for a user seed), as the server names the user.
    var publicKey: String {
        get throws(NATSError) {
            var bytes = [kind]
            bytes += try privateKey.publicKey.rawRepresentation
            let crc = CRC16.checksum(bytes)
            bytes += [UInt8(truncatingIfNeeded: crc), UInt8(truncatingIfNeeded: crc >> 8)]
            return NKeyBase32.encode(bytes)
        }
    }

    /// The Ed25519 signature of `data`.
    func sign(_ data: [UInt8]) throws(NATSError) -> [UInt8] {
        do {
            return Array(try privateKey.signature(for: data))
        } catch let error as NATSError {
            throw error
        } catch {
            throw .credentials("signing with the seed failed: \(error)")
        }
    }

    /// What CONNECT's `sig` carries: the signature of the nonce, base64url without padding.
    func signNonce(_ nonce: String) throws(NATSError) -> String {
        Base64URL.encode(try sign(Array(nonce.utf8)))
    }
}

/// Base64url without padding, as `sig` and JWT segments are written.
enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }
}
