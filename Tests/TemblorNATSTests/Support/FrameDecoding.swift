import NIOCore
import TemblorNATS

@testable import TemblorNATS

/// Runs the decoder the way the channel does: chunk after chunk into one cumulation buffer.
func decodeFrames(_ chunks: [ByteBuffer], decoder: NATSFrameDecoder = NATSFrameDecoder()) throws -> [NATSServerFrame] {
    let processor = NIOSingleStepByteToMessageProcessor(decoder)
    var frames: [NATSServerFrame] = []
    for chunk in chunks {
        try processor.process(buffer: chunk) { frames.append($0) }
    }
    return frames
}

func decodeFrames(_ text: String) throws -> [NATSServerFrame] {
    try decodeFrames([ByteBuffer(string: text)])
}

/// The decoder's error for `text`, as its description, or nil if it decoded.
func decodingError(_ text: String, decoder: NATSFrameDecoder = NATSFrameDecoder()) -> String? {
    do {
        _ = try decodeFrames([ByteBuffer(string: text)], decoder: decoder)
        return nil
    } catch {
        return "\(error)"
    }
}

/// A frame in a form tests can compare.
func render(_ frame: NATSServerFrame) -> String {
    switch frame {
    case .info(let info): return "INFO \(info.serverID) \(info.version) \(info.maxPayload)"
    case .ping: return "PING"
    case .pong: return "PONG"
    case .ok: return "+OK"
    case .error(let text): return "-ERR \(text)"
    case .message(let message):
        var text = "MSG \(message.subject) \(message.sid) \(message.reply ?? "-")"
        if let headers = message.headers {
            text += " [\(headers.status.map(String.init) ?? "")|\(headers.statusDescription ?? "")|"
            text += headers.map { "\($0.name)=\($0.value)" }.joined(separator: ",") + "]"
        }
        return text + " <\(Array(message.payload.readableBytesView).map { String($0) }.joined(separator: " "))>"
    }
}
