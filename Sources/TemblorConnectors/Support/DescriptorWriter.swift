import TemblorRuntime
import TemblorValue

/// Writes a sink's batches to a file descriptor, one write per batch, acking each batch once it
/// is written and failing it when the write fails: the shared body of the `file` and `stdio` sinks.
struct DescriptorWriter {
    let file: FileDescriptor
    /// The path or stream name, for error messages.
    let name: String

    func drain(_ input: SinkInput, _ context: SinkContext) async throws {
        var encoder = try context.makeEncoder()
        var bytes: [UInt8] = []
        while let batch = await input.next() {
            bytes.removeAll(keepingCapacity: true)
            let written = encoder.encode(batch, into: &bytes, failing: context)
            do {
                try file.writeAll(bytes, path: name)
                context.ack(written)
            } catch {
                context.fail(written, reason: error.description)
            }
        }
        bytes.removeAll(keepingCapacity: true)
        try encoder.finish(into: &bytes)
        try file.writeAll(bytes, path: name)
    }
}
