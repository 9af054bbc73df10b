extension YAMLCodec {
    /// The layout of encoded collections.
    public enum Style: String, Sendable, CaseIterable {
        /// Indented block collections, one entry per line: readable, but a document spans lines.
        case block
        /// Flow collections (`{a: 1, b: [x, y]}`) on one line, for line-framed streams.
        case flow
    }
}
