// See include/CLuaJSON.h for the invariants of this C API. In this file:
// - Every Lua call that can raise runs inside `temblor_lua_json_push`, which only ever runs
//   under the lua_pcall made by `temblor_lua_json_run`; the frames it unwinds are C frames
//   holding no resources (the parser belongs to a userdata, the tape to the parser).
// - The tape is simdjson's DOM tape (simdjson doc/tape.md): one 64-bit word per node, type in
//   the top byte; 64-bit numbers take a second word; a container's first word holds the index
//   after its closing word in the low 32 bits and its element count (saturating at 2^24 - 1)
//   in bits 32-55. The parser refuses nesting deeper than 1024 levels, which bounds both the
//   C recursion below and the Lua stack it needs (a table and a key per level).
// - The mapping is the Value bridge's (shim.h, `temblor_lua_push_item`): null is the registry's
//   `temblor.null`; arrays and objects are tables with `temblor.array` / `temblor.object`
//   metatables; integers above INT64_MAX are `temblor.uint` userdata; doubles stay floats.
#include "CLuaJSON.h"
#include "CSimdjson.h"
#include "shim.h"

/* Upvalues of the push closure. */
enum { UP_PARSER = 1, UP_ARRAY, UP_OBJECT, UP_NULL, UP_UINT };

/* The registry key of the push closure: the address of this variable. A light userdata key,
 * unlike a string, is looked up without allocating, so the lookup outside lua_pcall cannot raise. */
static const char temblor_lua_json_key = 0;

/* Stands in for a NULL input of length 0: padded, so simdjson reads it in place. */
static const uint8_t temblor_lua_json_empty[TEMBLOR_SIMDJSON_PADDING + 1];

typedef struct {
    temblor_json_parser *parser;
    /* Set while the parser holds the buffers of a document past TEMBLOR_LUA_JSON_KEEP_PARSER_BYTES. */
    int oversized;
} temblor_lua_json_parser_box;

static void temblor_lua_json_drop_parser(temblor_lua_json_parser_box *box) {
    if (box->parser != NULL) temblor_json_parser_free(box->parser);
    box->parser = NULL;
    box->oversized = 0;
}

static int temblor_lua_json_parser_gc(lua_State *L) {
    temblor_lua_json_parser_box *box = (temblor_lua_json_parser_box *)lua_touserdata(L, 1);
    if (box != NULL) temblor_lua_json_drop_parser(box);
    return 0;
}

#define TAPE_TYPE(word) ((unsigned char)((word) >> 56))
#define TAPE_PAYLOAD(word) ((word) & 0x00FFFFFFFFFFFFFFull)

/* A string on the tape: its payload is an offset into the string buffer, where a 32-bit
 * little-endian length precedes the bytes. */
static inline void temblor_lua_json_push_string(lua_State *L, const uint8_t *strings, uint64_t word) {
    const uint8_t *at = strings + TAPE_PAYLOAD(word);
    uint32_t length;
    memcpy(&length, at, sizeof length);
    lua_pushlstring(L, (const char *)at + 4, length);
}

static const uint64_t *temblor_lua_json_push_container(lua_State *L, const uint64_t *tape, const uint64_t *at,
                                                       const uint8_t *strings);

/* Pushes the value whose first word is at `at`; returns the word after it. Scalars are pushed
 * inline in the caller's loop; only containers recurse. */
static inline const uint64_t *temblor_lua_json_push_value(lua_State *L, const uint64_t *tape, const uint64_t *at,
                                                          const uint8_t *strings) {
    uint64_t word = *at;
    switch (TAPE_TYPE(word)) {
    case '"':
        temblor_lua_json_push_string(L, strings, word);
        return at + 1;
    case 'l':
        lua_pushinteger(L, (lua_Integer)at[1]);
        return at + 2;
    case 'u':
        if (at[1] <= (uint64_t)LUA_MAXINTEGER) {
            lua_pushinteger(L, (lua_Integer)at[1]);
        } else {
            uint64_t *box = (uint64_t *)lua_newuserdatauv(L, sizeof *box, 0);
            *box = at[1];
            lua_pushvalue(L, lua_upvalueindex(UP_UINT));
            lua_setmetatable(L, -2);
        }
        return at + 2;
    case 'd': {
        double number;
        memcpy(&number, at + 1, sizeof number);
        lua_pushnumber(L, number);
        return at + 2;
    }
    case 'n':
        lua_pushvalue(L, lua_upvalueindex(UP_NULL));
        return at + 1;
    case 't':
        lua_pushboolean(L, 1);
        return at + 1;
    case 'f':
        lua_pushboolean(L, 0);
        return at + 1;
    default:
        return temblor_lua_json_push_container(L, tape, at, strings);
    }
}

static const uint64_t *temblor_lua_json_push_container(lua_State *L, const uint64_t *tape, const uint64_t *at,
                                                       const uint8_t *strings) {
    uint64_t word = *at;
    const uint64_t *end = tape + (uint32_t)word;  /* the word after the closing one */
    const uint64_t *close = end - 1;
    int count = (int)((word >> 32) & 0xFFFFFF);
    luaL_checkstack(L, 4, "JSON nested too deeply");
    at++;
    if (TAPE_TYPE(word) == '[') {
        lua_createtable(L, count, 0);
        lua_Integer i = 0;
        while (at < close) {
            at = temblor_lua_json_push_value(L, tape, at, strings);
            lua_rawseti(L, -2, ++i);
        }
        lua_pushvalue(L, lua_upvalueindex(UP_ARRAY));
    } else if (TAPE_TYPE(word) == '{') {
        lua_createtable(L, 0, count);
        while (at < close) {
            temblor_lua_json_push_string(L, strings, *at);
            at = temblor_lua_json_push_value(L, tape, at + 1, strings);
            lua_rawset(L, -3);
        }
        lua_pushvalue(L, lua_upvalueindex(UP_OBJECT));
    } else {
        luaL_error(L, "JSON tape: unexpected word %p", (void *)(uintptr_t)word);  /* does not return */
        return end;
    }
    lua_setmetatable(L, -2);
    return end;
}

/* The push closure, a lua_CFunction: arg 1 the request (light userdata). */
static int temblor_lua_json_push(lua_State *L) {
    temblor_lua_json_request *request = (temblor_lua_json_request *)lua_touserdata(L, 1);
    temblor_lua_json_parser_box *box = (temblor_lua_json_parser_box *)lua_touserdata(L, lua_upvalueindex(UP_PARSER));
    /* A previous push that failed while building a big document could not drop its buffers. */
    if (box->oversized) temblor_lua_json_drop_parser(box);
    if (box->parser == NULL) {
        box->parser = temblor_json_parser_new(0xFFFFFFFFu);
        if (box->parser == NULL) {
            request->json_error = 2;  /* simdjson's MEMALLOC */
            return 0;
        }
    }
    const uint8_t *bytes = request->bytes;
    int padded = request->padded;
    if (bytes == NULL) {
        bytes = temblor_lua_json_empty;
        padded = 1;
    }
    size_t length = request->bytes == NULL ? 0 : request->length;
    temblor_json_document document;
    int code = temblor_json_parse(box->parser, bytes, length, padded, &document);
    box->oversized = length > TEMBLOR_LUA_JSON_KEEP_PARSER_BYTES;
    if (code != 0) {
        request->json_error = code;
        if (box->oversized) temblor_lua_json_drop_parser(box);
        return 0;
    }
    if (request->function != NULL && lua_getglobal(L, request->function) != LUA_TFUNCTION) {
        return luaL_error(L, "no function '%s'", request->function);
    }
    /* Word 0 is the root marker; the document's value starts at word 1. */
    temblor_lua_json_push_value(L, document.tape, document.tape + 1, document.strings);
    if (box->oversized) temblor_lua_json_drop_parser(box);
    if (request->then != NULL) {
        lua_settop(L, lua_gettop(L) - request->then(L, request->context));
        return 0;
    }
    if (request->function == NULL) return 1;
    lua_call(L, 1, 0);
    return 0;
}

/* A lua_CFunction: builds the push closure, stores it in the registry and returns it. */
static int temblor_lua_json_install(lua_State *L) {
    temblor_lua_json_parser_box *box = (temblor_lua_json_parser_box *)lua_newuserdatauv(L, sizeof *box, 0);
    box->parser = NULL;
    box->oversized = 0;
    lua_createtable(L, 0, 2);
    lua_pushcfunction(L, temblor_lua_json_parser_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushliteral(L, "temblor.jsonparser");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    luaL_getmetatable(L, temblor_lua_array_meta);
    luaL_getmetatable(L, temblor_lua_object_meta);
    lua_getfield(L, LUA_REGISTRYINDEX, temblor_lua_null_key);
    luaL_getmetatable(L, temblor_lua_uint_meta);
    for (int i = -4; i < 0; i++) {
        if (lua_isnil(L, i)) return luaL_error(L, "the Value bridge is not installed in this state");
    }
    lua_pushcclosure(L, temblor_lua_json_push, 5);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &temblor_lua_json_key);
    return 1;
}

int temblor_lua_json_run(lua_State *L, temblor_lua_json_request *request) {
    request->json_error = 0;
    if (!lua_checkstack(L, 3)) return LUA_ERRMEM;  /* nothing pushed: the caller restores its top */
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &temblor_lua_json_key) != LUA_TFUNCTION) {
        lua_pop(L, 1);
        lua_pushcfunction(L, temblor_lua_json_install);
        int status = lua_pcall(L, 0, 1, 0);
        if (status != LUA_OK) return status;
    }
    lua_pushlightuserdata(L, request);
    int pushes = request->function == NULL && request->then == NULL;
    int status = lua_pcall(L, 1, pushes ? 1 : 0, 0);
    if (status == LUA_OK && request->json_error != 0 && pushes) {
        lua_pop(L, 1);  /* the nil that stands for the missing result */
    }
    return status;
}

const char *temblor_lua_json_message(int json_error) { return temblor_json_error_message(json_error); }

int temblor_lua_json_decode(lua_State *L) {
    size_t length;
    const char *text = luaL_checklstring(L, 1, &length);
    temblor_lua_json_request request = { (const uint8_t *)text, length, 0, NULL, NULL, NULL, 0 };
    int status = temblor_lua_json_run(L, &request);
    if (status == LUA_ERRMEM && lua_gettop(L) == 1) return luaL_error(L, "not enough memory to decode JSON");
    if (status != LUA_OK) return lua_error(L);
    if (request.json_error != 0) {
        lua_pushnil(L);
        lua_pushfstring(L, "invalid JSON: %s", temblor_lua_json_message(request.json_error));
        return 2;
    }
    return 1;
}
