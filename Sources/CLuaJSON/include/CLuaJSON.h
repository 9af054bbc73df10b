// JSON text decoded straight into Lua values, with the mapping of the Value bridge (DESIGN §4).
//
// Invariants:
// - `temblor_lua_json_run` is the only entry point. It is an ordinary C function: everything
//   that can raise a Lua error (allocations while building tables, the called function) runs
//   inside the lua_pcall it makes, so no Lua error ever unwinds the caller's (Swift) frames.
// - Per state, a C closure kept in the registry holds the simdjson parser (a userdata whose
//   `__gc` frees it, so it lives and dies with the state) and the bridge's metatables and null
//   sentinel as upvalues: building a table never looks anything up by name.
// - The parser is created on first use. It is used by one thread at a time, as its state is.
//   Its tape is fully walked before the called function runs, so a nested use from inside that
//   function cannot disturb the outer one. Its buffers are C++ heap memory, outside the state's
//   memory limit (as the input text is).
// - On a parse failure nothing is pushed, nothing in Lua is touched, and the state stays usable.
#ifndef TEMBLOR_CLUAJSON_H
#define TEMBLOR_CLUAJSON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lua_State lua_State;

/// One decoding job and its outcome.
typedef struct {
    /// The JSON text; may be NULL when `length` is 0.
    const uint8_t *bytes;
    size_t length;
    /// Non-zero when 64 readable bytes follow the text (simdjson's padding), saving a copy.
    int padded;
    /// NULL: push the decoded value. Otherwise the name of a global function to call with the
    /// value as its only argument, discarding its results.
    const char *function;
    /// When not NULL (and `function` is NULL): called inside the protected call with the
    /// decoded value on top of the stack; it consumes the value and returns how many results it
    /// left (the request's caller discards them). A Lua sink's on_event call goes here.
    int (*then)(lua_State *L, void *context);
    void *context;
    /// Out: 0 when the text parsed, else simdjson's error code (see temblor_lua_json_message).
    int json_error;
} temblor_lua_json_request;

/// Parses `request->bytes` and pushes the value (or calls the function with it), under
/// lua_pcall. Returns the Lua status: LUA_OK with `json_error` 0 after success (one value
/// pushed when `function` is NULL); LUA_OK with `json_error` set when the text is not JSON
/// (stack unchanged); otherwise a Lua error status with the error object pushed.
int temblor_lua_json_run(lua_State *L, temblor_lua_json_request *request);

/// lua_CFunction behind `temblor.json.decode(text)`: the value, or nil and "invalid JSON: ..."
/// when the text is not JSON (memory errors raise).
int temblor_lua_json_decode(lua_State *L);

/// simdjson's message for a `json_error` code.
const char *temblor_lua_json_message(int json_error);

/// Documents larger than this do not keep their parser's buffers (about 10 bytes per input
/// byte) alive after the push: the next document gets a fresh parser.
#define TEMBLOR_LUA_JSON_KEEP_PARSER_BYTES ((size_t)16 << 20)

#ifdef __cplusplus
}
#endif

#endif
