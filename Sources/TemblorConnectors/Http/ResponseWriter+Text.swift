import HTTPTypes
import HummingbirdCore
import NIOCore

extension ResponseWriter {
    /// Writes a plain-text response (a refusal or an error the client can read); `close` ends
    /// the connection once it is written, without reading what the client still sends.
    consuming func writeText(_ status: HTTPResponse.Status, _ text: String, extra: HTTPFields = [:], close: Bool = false) async throws {
        let bytes = Array((text + "\n").utf8)
        var fields: HTTPFields = [.contentType: "text/plain; charset=utf-8", .contentLength: String(bytes.count)]
        fields.append(contentsOf: extra)
        if close { fields[.connection] = "close" }
        try await write(response: HTTPResponse(status: status, headerFields: fields), body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
