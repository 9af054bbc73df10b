import ArgumentParser
import TemblorCodecs
import TemblorValue

/// `temblor codec`: converts a byte stream from one codec to another through `Value`, so that
/// users can inspect and reshape data with exactly the codecs their flows use.
struct CodecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codec",
        abstract: "Convert stdin to stdout through Temblor's codecs and processors.",
        discussion: """
            Frames are cut from stdin by the preprocessors (default: separate, one frame per \
            line), decoded with --from, encoded with --to, and passed through the postprocessors \
            (default: separate) to stdout. `--pre none` makes the whole input one frame; `--post none` \
            writes frames back to back. A processor takes \
            settings as NAME:KEY=VALUE,KEY=VALUE, for example separate:separator=|,max_length=4096.
            A frame that fails to decode is reported on stderr with its number and skipped; \
            the exit status is 1 if any frame failed.
            """
    )

    @Option(name: .long, help: "Codec that decodes each input frame.")
    var from: String?

    @Option(name: .long, help: "Codec that encodes each output frame.")
    var to: String?

    @Option(name: .customLong("pre"), help: "Preprocessor, in order (repeatable).")
    var preprocessors: [String] = []

    @Option(name: .customLong("post"), help: "Postprocessor, in order (repeatable).")
    var postprocessors: [String] = []

    @Flag(name: .long, help: "Stop at the first frame that fails instead of skipping it.")
    var failFast = false

    @Flag(name: .long, help: "List the codecs and processors, then exit.")
    var list = false

    mutating func run() throws {
        let registry = CodecRegistry.standard
        if list {
            print("codecs: \(registry.codecNames.joined(separator: ", "))")
            print("preprocessors: \(registry.preprocessorNames.joined(separator: ", "))")
            print("postprocessors: \(registry.postprocessorNames.joined(separator: ", "))")
            return
        }
        guard let from, let to else {
            throw ValidationError("give both --from CODEC and --to CODEC (see --list)")
        }
        var converter: CodecConverter
        do {
            converter = try CodecConverter(
                registry: registry,
                from: from, to: to,
                preprocessors: try ProcessorSpec.parseAll(preprocessors, default: "separate"),
                postprocessors: try ProcessorSpec.parseAll(postprocessors, default: "separate"))
        } catch {
            throw ValidationError(String(describing: error))
        }
        let input = FileDescriptorReader(fd: 0)
        var output = FileDescriptorWriter(fd: 1)
        var failures = 0
        let report: (CodecConverter.FrameFailure) throws -> Void = { failure in
            failures += 1
            StandardError.write("temblor codec: frame \(failure.frame): \(failure.error)\n")
            if failFast { throw ExitCode.failure }
        }
        do {
            while let chunk = try input.read() {
                try converter.feed(chunk[...], output: &output, onFailure: report)
            }
            try converter.finish(output: &output, onFailure: report)
        } catch {
            // What converted before the failure still reaches stdout.
            try? output.flush()
            throw error
        }
        try output.flush()
        if failures > 0 {
            throw ExitCode.failure
        }
    }
}
