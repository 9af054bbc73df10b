import TemblorLua

extension SourceStream {
    /// Sends what a Lua plugin emitted: values as events, raw bytes through the connector's
    /// preprocessors and codec.
    mutating func send(_ emissions: [LuaEmission]) async {
        for emission in emissions {
            switch emission {
            case .value(let value, let meta): await emit(value, meta: meta)
            case .raw(let bytes, let meta): await receive(bytes[...], meta: meta)
            }
        }
    }
}
