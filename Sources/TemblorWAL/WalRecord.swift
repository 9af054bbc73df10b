/// One record read back: its sequence and the payload exactly as appended.
public struct WalRecord: Sendable, Equatable {
    public var sequence: UInt64
    public var payload: [UInt8]

    public init(sequence: UInt64, payload: [UInt8]) {
        self.sequence = sequence
        self.payload = payload
    }
}
