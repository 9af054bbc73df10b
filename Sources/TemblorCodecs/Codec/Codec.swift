import TemblorValue

/// Turns one frame of bytes into a `Value` and back.
///
/// A codec instance belongs to one stream and is used from one task at a time, so it may keep
/// parser buffers and other state between calls; factories in `CodecRegistry` make new ones.
public protocol Codec {
    /// Decodes one complete frame.
    mutating func decode(_ bytes: UnsafeRawBufferPointer) throws(CodecError) -> Value
    /// Appends the encoding of `value` to `buffer`; on error `buffer` may hold a partial encoding.
    mutating func encode(_ value: Value, into buffer: inout [UInt8]) throws(CodecError)
}

extension Codec {
    /// Decodes one complete frame held in an array.
    @inlinable
    public mutating func decode(_ bytes: [UInt8]) throws(CodecError) -> Value {
        let result = bytes.withUnsafeBytes { raw -> Result<Value, CodecError> in
            do throws(CodecError) { return .success(try self.decode(raw)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Decodes one complete frame held in an array slice (a frame cut by a preprocessor).
    @inlinable
    public mutating func decode(_ bytes: ArraySlice<UInt8>) throws(CodecError) -> Value {
        let result = bytes.withUnsafeBytes { raw -> Result<Value, CodecError> in
            do throws(CodecError) { return .success(try self.decode(raw)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Encodes `value` into a new byte array.
    @inlinable
    public mutating func encode(_ value: Value) throws(CodecError) -> [UInt8] {
        var buffer: [UInt8] = []
        try encode(value, into: &buffer)
        return buffer
    }
}
