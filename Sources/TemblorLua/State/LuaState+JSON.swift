// Invariants of this file (JSON text straight into Lua, DESIGN §4):
// - Swift makes one plain C call, `temblor_lua_json_run`; the parse, every allocation of the
//   tables and the called function run inside the lua_pcall it makes (CLuaJSON), so no Lua
//   error unwinds a Swift frame.
// - The bytes are only read during that call; nothing keeps a pointer to them afterwards.
// - On any failure the stack is put back to the height it had before the call; on success
//   `pushJSON` adds exactly one value and `call(_:withJSON:)` adds nothing.
import CLua
import CLuaJSON

extension LuaState {
    /// Readable bytes a `padded` input must have after its end: simdjson then reads the text in
    /// place instead of copying it.
    public static let jsonPadding = 64

    /// Pushes the value of one JSON document with the Value bridge's mapping (null is
    /// `temblor.null`, arrays and objects keep their kind, integers above `Int64.max` are
    /// `temblor.uint`, `1.0` stays a float), without building a `Value` in between.
    /// With `padded`, the caller guarantees `jsonPadding` readable bytes after `bytes`.
    public func pushJSON(_ bytes: UnsafeRawBufferPointer, padded: Bool = false) throws(LuaError) {
        var request = Self.jsonRequest(bytes, padded: padded, function: nil)
        if let error = runJSON(&request, instructionLimit: 0, during: "decoding JSON into Lua") { throw error }
    }

    /// Calls the global function `name` with the value of one JSON document, discarding its
    /// results: the path of a Lua sink receiving JSON, one protected call per event.
    public func call(
        _ name: String, withJSON bytes: UnsafeRawBufferPointer, padded: Bool = false, instructionLimit: Int = 0
    ) throws(LuaError) {
        let failure: LuaError? = name.withCString { function in
            var request = Self.jsonRequest(bytes, padded: padded, function: function)
            return runJSON(&request, instructionLimit: instructionLimit, during: "calling \(name)")
        }
        if let failure { throw failure }
    }

    private static func jsonRequest(
        _ bytes: UnsafeRawBufferPointer, padded: Bool, function: UnsafePointer<CChar>?
    ) -> temblor_lua_json_request {
        temblor_lua_json_request(
            bytes: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), length: bytes.count,
            padded: padded ? 1 : 0, function: function, then: nil, context: nil, json_error: 0)
    }

    /// Runs one request; `nil` when it succeeded, else the error, with the stack restored.
    func runJSON(
        _ request: inout temblor_lua_json_request, instructionLimit: Int, during action: @autoclosure () -> String
    ) -> LuaError? {
        let top = lua_gettop(state)
        if instructionLimit > 0 { temblor_lua_set_instruction_limit(state, Int32(clamping: instructionLimit)) }
        let status = temblor_lua_json_run(state, &request)
        if instructionLimit > 0 { temblor_lua_set_instruction_limit(state, 0) }
        if status == LUA_OK {
            guard request.json_error != 0 else { return nil }
            return .invalidJSON(String(cString: temblor_lua_json_message(request.json_error)))
        }
        defer { lua_settop(state, top) }
        guard lua_gettop(state) > top else { return .outOfMemory(during: action()) }
        return error(status: status, during: action())
    }
}
