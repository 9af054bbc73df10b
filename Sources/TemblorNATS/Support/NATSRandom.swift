/// Unique tokens for inboxes: 22 characters of base62 from the system generator, about 131
/// bits, so that two clients never share an inbox.
enum NATSRandom {
    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    static func token(length: Int = 22) -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: length)
        for index in bytes.indices { bytes[index] = alphabet[Int(generator.next(upperBound: UInt8(62)))] }
        return String(decoding: bytes, as: UTF8.self)
    }
}
