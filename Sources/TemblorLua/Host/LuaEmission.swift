import TemblorValue

/// What a plugin handed to `ctx:emit` or `ctx:emit_raw`, in the order it did.
public enum LuaEmission: Sendable {
    /// A structured event and the metadata the script gave (`null` for none).
    case value(Value, meta: Value)
    /// Bytes for the connector's preprocessors and codec to decode.
    case raw([UInt8], meta: Value)
}
