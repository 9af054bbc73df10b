/// One datagram a plugin's UDP socket received: `sock:receivefrom()` gives all three.
struct LuaDatagram: Sendable {
    var bytes: [UInt8]
    var senderIP: String
    var senderPort: Int
}
