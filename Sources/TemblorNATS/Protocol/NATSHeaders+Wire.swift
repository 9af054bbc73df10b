import NIOCore

extension NATSHeaders {
    /// `NATS/1.0`, the version line every header block starts with.
    static let versionLine: StaticString = "NATS/1.0"

    /// The bytes `write(to:)` writes, for the HPUB line written before them.
    var encodedLength: Int {
        var length = 8 + 2 + 2  // version, its CRLF, the closing CRLF
        if let status {
            length += 1 + decimalDigits(status)
            if let statusDescription, !statusDescription.isEmpty { length += 1 + statusDescription.utf8.count }
        }
        for field in fields { length += field.name.utf8.count + 2 + field.value.utf8.count + 2 }
        return length
    }

    /// Throws when a name or value could not survive the trip: line breaks anywhere, a colon or
    /// space in a name.
    func validate() throws(NATSError) {
        for field in fields {
            if field.name.isEmpty || field.name.utf8.contains(where: { $0 == 58 || $0 <= 32 || $0 == 127 }) {
                throw .protocolViolation("header name '\(field.name)' is empty or holds a colon, space or control character")
            }
            if field.value.utf8.contains(where: { $0 == 13 || $0 == 10 }) {
                throw .protocolViolation("the value of header '\(field.name)' holds a line break")
            }
        }
        if let statusDescription, statusDescription.utf8.contains(where: { $0 == 13 || $0 == 10 }) {
            throw .protocolViolation("the status description holds a line break")
        }
    }

    /// Writes the header block: version line (with the status, if any), the fields, an empty line.
    func write(to buffer: inout ByteBuffer) {
        buffer.writeStaticString(Self.versionLine)
        if let status {
            buffer.writeInteger(UInt8(ascii: " "))
            buffer.writeDecimal(status)
            if let statusDescription, !statusDescription.isEmpty {
                buffer.writeInteger(UInt8(ascii: " "))
                buffer.writeString(statusDescription)
            }
        }
        buffer.writeCRLF()
        for field in fields {
            buffer.writeString(field.name)
            buffer.writeInteger(UInt8(ascii: ":"))
            buffer.writeInteger(UInt8(ascii: " "))
            buffer.writeString(field.value)
            buffer.writeCRLF()
        }
        buffer.writeCRLF()
    }

    /// Reads a header block (all of `bytes`): `NATS/1.0[ status[ description]]`, then
    /// `Name: value` lines up to an empty line.
    init(parsing bytes: ByteBuffer) throws(NATSError) {
        self.init()
        let view = bytes.readableBytesView
        var lines: [ArraySlice<UInt8>] = []
        var start = view.startIndex
        var index = view.startIndex
        // Split on CRLF; a bare LF ends a line too, as other clients accept.
        while index < view.endIndex {
            if view[index] == 10 {
                var end = index
                if end > start, view[end - 1] == 13 { end -= 1 }
                lines.append(ArraySlice(view[start..<end]))
                start = index + 1
            }
            index += 1
        }
        if start < view.endIndex { lines.append(ArraySlice(view[start..<view.endIndex])) }
        guard let first = lines.first else { throw .protocolViolation("empty header block") }
        let version: [UInt8] = Array("NATS/1.0".utf8)
        guard first.count >= version.count, first.prefix(version.count).elementsEqual(version) else {
            throw .protocolViolation("header block does not start with NATS/1.0 but '\(String(decoding: first.prefix(32), as: UTF8.self))'")
        }
        let statusPart = first.dropFirst(version.count).trimmingSpaces()
        if !statusPart.isEmpty {
            let codeBytes = statusPart.prefix { $0 != 32 && $0 != 9 }
            guard codeBytes.count == 3, let code = Int(String(decoding: codeBytes, as: UTF8.self)) else {
                throw .protocolViolation("header status '\(String(decoding: statusPart, as: UTF8.self))' is not a three-digit code")
            }
            status = code
            let rest = statusPart.dropFirst(codeBytes.count).trimmingSpaces()
            if !rest.isEmpty { statusDescription = String(decoding: rest, as: UTF8.self) }
        }
        for line in lines.dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: 58) else {
                throw .protocolViolation("header line '\(String(decoding: line.prefix(64), as: UTF8.self))' has no colon")
            }
            let name = line[line.startIndex..<colon].trimmingSpaces()
            guard !name.isEmpty else { throw .protocolViolation("header line with an empty name") }
            let value = line[(colon + 1)...].trimmingSpaces()
            fields.append((name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self)))
        }
    }
}

extension ArraySlice<UInt8> {
    /// Without spaces and tabs at either end.
    func trimmingSpaces() -> ArraySlice<UInt8> {
        var slice = self
        while let first = slice.first, first == 32 || first == 9 { slice = slice.dropFirst() }
        while let last = slice.last, last == 32 || last == 9 { slice = slice.dropLast() }
        return slice
    }
}

/// How many decimal digits `value` takes (a minus sign counting as one).
func decimalDigits(_ value: Int) -> Int {
    if value < 0 { return 1 + decimalDigits(value == .min ? .max : -value) }
    var count = 1
    var rest = value
    while rest >= 10 {
        rest /= 10
        count += 1
    }
    return count
}
