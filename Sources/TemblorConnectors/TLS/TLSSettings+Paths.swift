extension TLSSettings {
    /// Whether every file the settings name is an absolute path, so that `temblor check` can read
    /// them without knowing where the flow file is.
    var hasOnlyAbsolutePaths: Bool {
        [cert, key, ca].allSatisfy { $0?.hasPrefix("/") ?? true }
    }
}
