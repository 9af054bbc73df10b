import TemblorValue

/// The spec's timestamp extension (type -1), for reading and building the ext values that carry
/// instants; the codec itself keeps timestamps in the lossless generic ext form.
public struct MessagePackTimestamp: Sendable, Hashable {
    /// Seconds since 1970-01-01T00:00:00Z; negative before it.
    public let seconds: Int64
    /// Nanoseconds added to `seconds`, always in 0...999_999_999.
    public let nanoseconds: UInt32

    /// The extension type code the spec assigns to timestamps.
    public static let extensionType: Int8 = -1

    /// A timestamp, or `nil` when `nanoseconds` is not below one second.
    public init?(seconds: Int64, nanoseconds: UInt32 = 0) {
        guard nanoseconds <= 999_999_999 else { return nil }
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    /// Reads the 32-, 64- or 96-bit form; `nil` for another type, length or an out-of-range field.
    public init?(_ ext: MessagePackExtension) {
        guard ext.type == Self.extensionType else { return nil }
        let d = ext.data
        switch d.count {
        case 4:
            self.init(seconds: Int64(Self.bigEndian(d, 0, 4)))
        case 8:
            let packed = Self.bigEndian(d, 0, 8)
            self.init(seconds: Int64(packed & 0x3_FFFF_FFFF), nanoseconds: UInt32(packed >> 34))
        case 12:
            let nanos = UInt32(Self.bigEndian(d, 0, 4))
            self.init(seconds: Int64(bitPattern: Self.bigEndian(d, 4, 8)), nanoseconds: nanos)
        default:
            return nil
        }
    }

    /// Reads a timestamp from its decoded `{"$ext": ...}` value.
    public init?(_ value: Value) {
        guard let ext = MessagePackExtension(value) else { return nil }
        self.init(ext)
    }

    /// The smallest of the three forms that holds this instant, as the spec recommends.
    public var `extension`: MessagePackExtension {
        var data: [UInt8] = []
        if seconds >= 0 && seconds >> 34 == 0 {
            if nanoseconds == 0 && seconds <= Int64(UInt32.max) {
                Self.append(UInt64(seconds), width: 4, to: &data)
            } else {
                Self.append(UInt64(nanoseconds) << 34 | UInt64(seconds), width: 8, to: &data)
            }
        } else {
            Self.append(UInt64(nanoseconds), width: 4, to: &data)
            Self.append(UInt64(bitPattern: seconds), width: 8, to: &data)
        }
        return MessagePackExtension(type: Self.extensionType, data: data)
    }

    /// The `{"$ext": ...}` value the codec encodes as this timestamp.
    public var value: Value { `extension`.value }

    private static func bigEndian(_ bytes: [UInt8], _ start: Int, _ width: Int) -> UInt64 {
        var result: UInt64 = 0
        for byte in bytes[start..<start + width] {
            result = result << 8 | UInt64(byte)
        }
        return result
    }

    private static func append(_ value: UInt64, width: Int, to bytes: inout [UInt8]) {
        for shift in stride(from: (width - 1) * 8, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }
}
