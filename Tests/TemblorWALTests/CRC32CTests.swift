import CCRC32C
import Testing
import TemblorWAL

@Suite struct CRC32CTests {
    @Test func matchesTheStandardCheckValue() {
        // The check value of CRC-32C (RFC 3720, and every CRC catalogue): "123456789".
        let check = Array("123456789".utf8)
        #expect(WalFormat.crc32c(check) == 0xE306_9283)
        #expect(check.withUnsafeBytes { temblor_crc32c_portable(0, $0.baseAddress, $0.count) } == 0xE306_9283)
        #expect(WalFormat.crc32c([UInt8]()) == 0)
        // 32 bytes of zeros, from RFC 3720's test vectors.
        #expect(WalFormat.crc32c([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(WalFormat.crc32c([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
    }

    @Test func theFastPathAgreesWithTheTables() {
        var generator = SystemRandomNumberGenerator()
        for length in [1, 7, 8, 9, 63, 64, 65, 1000, 4096 + 3] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let fast = bytes.withUnsafeBytes { temblor_crc32c(0, $0.baseAddress, $0.count) }
            let portable = bytes.withUnsafeBytes { temblor_crc32c_portable(0, $0.baseAddress, $0.count) }
            #expect(fast == portable, "length \(length)")
            // Continuing from a split gives the same result as one pass.
            let half = length / 2
            let first = bytes[..<half].withUnsafeBytes { temblor_crc32c(0, $0.baseAddress, $0.count) }
            let whole = bytes[half...].withUnsafeBytes { temblor_crc32c(first, $0.baseAddress, $0.count) }
            #expect(whole == fast, "length \(length) split")
        }
    }
}
