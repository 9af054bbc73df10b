extension Duration {
    /// Whole microseconds, for reports such as a reload's swap time.
    var wholeMicroseconds: Int {
        Int(components.seconds) * 1_000_000 + Int(components.attoseconds / 1_000_000_000_000)
    }
}
