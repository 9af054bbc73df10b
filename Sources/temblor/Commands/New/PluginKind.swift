import ArgumentParser

/// What `temblor new` scaffolds: the sides of a connector, or a pipeline operator.
enum PluginKind: String, CaseIterable, ExpressibleByArgument {
    /// A connector with a source side only: it produces events.
    case source
    /// A connector with a sink side only: it consumes events.
    case sink
    /// A connector with both sides: it consumes events and forwards what it makes of them.
    case connector
    /// A pipeline operator: it changes, drops or routes each event.
    case `operator`
}
