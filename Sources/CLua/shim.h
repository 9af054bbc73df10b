// Invariants for everything that includes this header:
// - Swift cannot import Lua's function-like macros, LUA_REGISTRYINDEX or the variadic C calls;
//   the static inline wrappers below stand in for them, one-for-one, with no added behaviour.
// - Nothing here raises a Lua error by itself, except the count hook, which runs inside Lua's
//   own C frames: callers keep the "never longjmp over a Swift frame" rule of the design by
//   calling these only from protected contexts.
#ifndef TEMBLOR_CLUA_SHIM_H
#define TEMBLOR_CLUA_SHIM_H

#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>
#include <lua5.4/lualib.h>
#include <string.h>

static const int temblor_lua_registryindex = LUA_REGISTRYINDEX;
static const int temblor_lua_multret = LUA_MULTRET;

static inline int temblor_lua_pcall(lua_State *L, int nargs, int nresults, int msgh) {
    return lua_pcall(L, nargs, nresults, msgh);
}
static inline void temblor_lua_pop(lua_State *L, int n) { lua_pop(L, n); }
static inline void temblor_lua_newtable(lua_State *L) { lua_newtable(L); }
static inline const char *temblor_lua_tostring(lua_State *L, int idx) { return lua_tolstring(L, idx, NULL); }
static inline int temblor_lua_upvalueindex(int i) { return lua_upvalueindex(i); }
static inline int temblor_lua_gc_count_kb(lua_State *L) { return lua_gc(L, LUA_GCCOUNT, 0); }
static inline int temblor_lua_gc_collect(lua_State *L) { return lua_gc(L, LUA_GCCOLLECT, 0); }
static inline const char *temblor_lua_version_string(void) { return LUA_RELEASE; }

/* The instruction budget of a callback. The hook runs in C, so the error it raises unwinds
 * only Lua and C frames, up to the protected call Swift made. Once the budget is spent it
 * re-arms itself for every instruction: a script's own pcall cannot swallow the limit, each
 * instruction of its handler fails again until the callback has unwound. */
static const char *const temblor_lua_instruction_limit_message = "instruction limit exceeded";

static inline void temblor_lua_count_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    lua_sethook(L, temblor_lua_count_hook, LUA_MASKCOUNT, 1);
    luaL_error(L, "%s", temblor_lua_instruction_limit_message);
}

/* Arms the budget: the hook above fires `count` instructions from now; 0 disarms it. */
static inline void temblor_lua_set_instruction_limit(lua_State *L, int count) {
    if (count > 0) {
        lua_sethook(L, temblor_lua_count_hook, LUA_MASKCOUNT, count);
    } else {
        lua_sethook(L, NULL, 0, 0);
    }
}

/* ---- The Value bridge, Swift to Lua ------------------------------------------------------
 * Swift flattens a value into a tape of items (depth first; an array item is followed by its
 * `count` elements, an object item by `count` key/value pairs, keys being string items) and
 * the bytes of every string into one buffer. `temblor_lua_push_tape` builds the Lua value from
 * them; Swift calls it through lua_pcall, so a memory error while building tables unwinds only
 * C frames. Metatables live in the registry under the names below. */
enum {
    TEMBLOR_ITEM_NULL = 0, TEMBLOR_ITEM_FALSE, TEMBLOR_ITEM_TRUE, TEMBLOR_ITEM_INT, TEMBLOR_ITEM_UINT,
    TEMBLOR_ITEM_FLOAT, TEMBLOR_ITEM_STRING, TEMBLOR_ITEM_BYTES, TEMBLOR_ITEM_ARRAY, TEMBLOR_ITEM_OBJECT
};

typedef struct {
    int kind;
    long long integer;   /* INT, UINT (bit pattern); ARRAY/OBJECT: element or pair count */
    double number;       /* FLOAT */
    size_t offset;       /* STRING/BYTES: where the bytes start in the string buffer */
    size_t length;       /* STRING/BYTES: how many */
} temblor_lua_item;

static const char *const temblor_lua_array_meta = "temblor.array";
static const char *const temblor_lua_object_meta = "temblor.object";
static const char *const temblor_lua_bytes_meta = "temblor.bytes";
static const char *const temblor_lua_uint_meta = "temblor.uint";
static const char *const temblor_lua_null_key = "temblor.null";

static inline const temblor_lua_item *temblor_lua_push_item(lua_State *L, const temblor_lua_item *item, const char *strings) {
    luaL_checkstack(L, 4, "value nested too deeply");
    switch (item->kind) {
    case TEMBLOR_ITEM_NULL: lua_getfield(L, LUA_REGISTRYINDEX, temblor_lua_null_key); return item + 1;
    case TEMBLOR_ITEM_FALSE: lua_pushboolean(L, 0); return item + 1;
    case TEMBLOR_ITEM_TRUE: lua_pushboolean(L, 1); return item + 1;
    case TEMBLOR_ITEM_INT: lua_pushinteger(L, (lua_Integer)item->integer); return item + 1;
    case TEMBLOR_ITEM_FLOAT: lua_pushnumber(L, item->number); return item + 1;
    case TEMBLOR_ITEM_STRING: lua_pushlstring(L, strings + item->offset, item->length); return item + 1;
    case TEMBLOR_ITEM_UINT: {
        unsigned long long *box = (unsigned long long *)lua_newuserdatauv(L, sizeof(unsigned long long), 0);
        *box = (unsigned long long)item->integer;
        luaL_setmetatable(L, temblor_lua_uint_meta);
        return item + 1;
    }
    case TEMBLOR_ITEM_BYTES: {
        void *box = lua_newuserdatauv(L, item->length, 0);
        if (item->length > 0) memcpy(box, strings + item->offset, item->length);
        luaL_setmetatable(L, temblor_lua_bytes_meta);
        return item + 1;
    }
    case TEMBLOR_ITEM_ARRAY: {
        long long count = item->integer;
        const temblor_lua_item *next = item + 1;
        lua_createtable(L, (int)(count < 0x7fffffff ? count : 0), 0);
        for (long long i = 1; i <= count; i++) {
            next = temblor_lua_push_item(L, next, strings);
            lua_rawseti(L, -2, i);
        }
        luaL_setmetatable(L, temblor_lua_array_meta);
        return next;
    }
    default: { /* OBJECT */
        long long count = item->integer;
        const temblor_lua_item *next = item + 1;
        lua_createtable(L, 0, (int)(count < 0x7fffffff ? count : 0));
        for (long long i = 0; i < count; i++) {
            next = temblor_lua_push_item(L, next, strings);  /* key */
            next = temblor_lua_push_item(L, next, strings);  /* value */
            lua_rawset(L, -3);
        }
        luaL_setmetatable(L, temblor_lua_object_meta);
        return next;
    }
    }
}

/* lua_CFunction: arg 1 the tape, arg 2 the string buffer (light userdata); pushes the value. */
static inline int temblor_lua_push_tape(lua_State *L) {
    const temblor_lua_item *tape = (const temblor_lua_item *)lua_touserdata(L, 1);
    const char *strings = (const char *)lua_touserdata(L, 2);
    temblor_lua_push_item(L, tape, strings);
    return 1;
}

/* Creates the bridge's metatables and the null sentinel in the registry (protected: call via pcall). */
static inline int temblor_lua_install_bridge(lua_State *L) {
    /* `__metatable` makes getmetatable() answer the name: scripts see the kind, cannot change it. */
    const char *const names[] = { temblor_lua_array_meta, temblor_lua_object_meta, temblor_lua_bytes_meta, temblor_lua_uint_meta };
    for (int i = 0; i < 4; i++) {
        luaL_newmetatable(L, names[i]);
        lua_pushstring(L, names[i]);
        lua_setfield(L, -2, "__metatable");
        lua_pop(L, 1);
    }
    lua_newtable(L);
    luaL_newmetatable(L, "temblor.nullmeta");
    lua_pushstring(L, "temblor.null"); lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_setfield(L, LUA_REGISTRYINDEX, temblor_lua_null_key);
    return 0;
}

static inline void temblor_lua_push_cfunction(lua_State *L, lua_CFunction f) { lua_pushcfunction(L, f); }
static inline int temblor_lua_is_integer(lua_State *L, int idx) { return lua_isinteger(L, idx); }

#endif
