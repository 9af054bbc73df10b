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
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <errno.h>
#include <unistd.h>

/* ---- The allocator of every Temblor state ------------------------------------------------
 * Counts the state's bytes and refuses an allocation that would pass its limit: Lua turns the
 * refusal into a memory error inside its own protected call, and the state stays usable. It
 * never raises by itself. `ud` points to the state's counters, which outlive the state. */
typedef struct {
    long long limit;
    long long in_use;
} temblor_lua_allocator;

static inline void *temblor_lua_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    temblor_lua_allocator *allocator = (temblor_lua_allocator *)ud;
    /* When `ptr` is NULL, `osize` encodes the kind of object, not a size. */
    long long old = ptr == NULL ? 0 : (long long)osize;
    if (nsize == 0) {
        free(ptr);
        allocator->in_use -= old;
        return NULL;
    }
    long long growth = (long long)nsize - old;
    if (growth > 0 && allocator->in_use + growth > allocator->limit) return NULL;
    void *block = realloc(ptr, nsize);
    if (block == NULL) return NULL;
    allocator->in_use += growth;
    return block;
}

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

/* ---- require, limited to the plugin's directory and Temblor's lua/ ------------------------
 * Module names are dotted identifiers ([A-Za-z0-9_] segments), so `..` cannot be written; a
 * file found is resolved with realpath and must still lie inside its root, so a symlink cannot
 * lead out either. Chunks load as text only, named after their file for error messages. */
static const char *const temblor_lua_roots_key = "temblor.roots";
static const char *const temblor_lua_module_key = "temblor.module";
static const char *const temblor_lua_loaded_key = "temblor.loaded";

static inline int temblor_lua_inside(const char *root, const char *path) {
    size_t n = strlen(root);
    return strncmp(root, path, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* Loads the file at `path` as a text chunk named after it, pushing the function. Returns
 * LUA_OK, LUA_ERRFILE (nothing pushed, errno says why), or the load's status with its message
 * pushed. Raises nothing itself: callers decide how to report. */
static inline int temblor_lua_load_file(lua_State *L, const char *path) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) return LUA_ERRFILE;
    size_t capacity = 1 << 16, size = 0, n;
    char *text = (char *)malloc(capacity);
    while (text != NULL && (n = fread(text + size, 1, capacity - size, file)) > 0) {
        size += n;
        if (size == capacity) {
            char *grown = (char *)realloc(text, capacity * 2);
            if (grown == NULL) { free(text); text = NULL; break; }
            text = grown;
            capacity *= 2;
        }
    }
    fclose(file);
    if (text == NULL) {
        lua_pushfstring(L, "%s: out of memory reading the file", path);
        return LUA_ERRMEM;
    }
    char chunkName[PATH_MAX + 1];
    snprintf(chunkName, sizeof chunkName, "@%s", path);
    int status = luaL_loadbufferx(L, text, size, chunkName, "t");
    free(text);
    return status;
}

static inline int temblor_lua_require(lua_State *L) {
    const char *name = luaL_checkstring(L, 1);
    for (const char *c = name; *c; c++) {
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_' || *c == '.')
            || (*c == '.' && (c == name || c[1] == '.' || c[1] == '\0'))) {
            return luaL_error(L, "require '%s': module names are dotted identifiers such as 'util' or 'lib.json'", name);
        }
    }
    lua_settop(L, 1);
    if (strcmp(name, "temblor") == 0) {                           /* the host's own module */
        lua_getfield(L, LUA_REGISTRYINDEX, temblor_lua_module_key);
        if (!lua_isnil(L, -1)) return 1;
        lua_pop(L, 1);
    }
    lua_getfield(L, LUA_REGISTRYINDEX, temblor_lua_loaded_key);   /* 2: the module cache */
    lua_getfield(L, 2, name);
    if (!lua_isnil(L, -1)) return 1;
    lua_pop(L, 1);
    char relative[1024];
    size_t length = strlen(name);
    if (length + 16 > sizeof relative) return luaL_error(L, "require '%s': name too long", name);
    for (size_t i = 0; i <= length; i++) relative[i] = name[i] == '.' ? '/' : name[i];
    char tried[4096] = "";
    size_t triedLength = 0;
    lua_getfield(L, LUA_REGISTRYINDEX, temblor_lua_roots_key);    /* 3: the roots */
    lua_Integer count = lua_istable(L, 3) ? (lua_Integer)lua_rawlen(L, 3) : 0;
    for (lua_Integer r = 1; r <= count; r++) {
        lua_rawgeti(L, 3, r);
        const char *root = lua_tostring(L, -1);
        char rootReal[PATH_MAX];
        int usable = root != NULL && realpath(root, rootReal) != NULL;
        lua_pop(L, 1);
        if (!usable) continue;
        const char *forms[2] = { "%s/%s.lua", "%s/%s/init.lua" };
        for (int f = 0; f < 2; f++) {
            char candidate[PATH_MAX], real[PATH_MAX];
            snprintf(candidate, sizeof candidate, forms[f], rootReal, relative);
            if (triedLength + strlen(candidate) + 3 < sizeof tried) {
                triedLength += (size_t)snprintf(tried + triedLength, sizeof tried - triedLength, "\n\t%s", candidate);
            }
            if (realpath(candidate, real) == NULL) continue;
            if (!temblor_lua_inside(rootReal, real)) {
                return luaL_error(L, "require '%s': %s leads outside %s", name, candidate, rootReal);
            }
            int status = temblor_lua_load_file(L, real);
            if (status == LUA_ERRFILE) continue;
            if (status != LUA_OK) return lua_error(L);
            lua_pushstring(L, name);
            lua_call(L, 1, 1);
            if (lua_isnil(L, -1)) { lua_pop(L, 1); lua_pushboolean(L, 1); }
            lua_pushvalue(L, -1);
            lua_setfield(L, 2, name);
            return 1;
        }
    }
    /* A C module where a Lua one was looked for: say why it is not loaded rather than "not found". */
    for (lua_Integer r = 1; r <= count; r++) {
        lua_rawgeti(L, 3, r);
        const char *root = lua_tostring(L, -1);
        lua_pop(L, 1);
        if (root == NULL) continue;
        const char *native[2] = { "%s/%s.so", "%s/%s/init.so" };
        for (int f = 0; f < 2; f++) {
            char candidate[PATH_MAX];
            snprintf(candidate, sizeof candidate, native[f], root, relative);
            if (access(candidate, F_OK) == 0) {
                return luaL_error(L, "require '%s': %s is a C module, and plugins cannot load C modules (native code would run "
                                     "outside the sandbox and its limits); use a pure-Lua library instead", name, candidate);
            }
        }
    }
    return luaL_error(L, "module '%s' not found in the plugin's directory or Temblor's lua/; looked at:%s", name, tried);
}

/* lua_CFunction: arg 1 a light userdata to an array of `arg 2` C strings, the roots in order.
 * Installs them, a fresh module cache and the `require` above. */
static inline int temblor_lua_install_require(lua_State *L) {
    const char *const *roots = (const char *const *)lua_touserdata(L, 1);
    lua_Integer count = lua_tointeger(L, 2);
    lua_createtable(L, (int)count, 0);
    for (lua_Integer i = 0; i < count; i++) {
        lua_pushstring(L, roots[i]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, LUA_REGISTRYINDEX, temblor_lua_roots_key);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, temblor_lua_loaded_key);
    lua_pushcfunction(L, temblor_lua_require);
    lua_setglobal(L, "require");
    return 0;
}

/* Pushes t[key] of the table at `index` without metamethods: a plugin may give its table a
 * metatable, and the host never runs plugin code outside a callback's limits. */
static inline int temblor_lua_rawfield(lua_State *L, int index, const char *key) {
    index = lua_absindex(L, index);
    lua_pushstring(L, key);
    return lua_rawget(L, index);
}

/* ---- Plugin loading ---------------------------------------------------------------------
 * Reads a plugin file (text only), runs it, and checks what it returns: a table declaring the
 * host API major version it was written for, with only known keys, hooks being functions. The
 * table is kept in the registry under `temblor.plugin`. Every error names the file. */
static const char *const temblor_lua_plugin_key = "temblor.plugin";

static inline const char *temblor_lua_plugin_key_kind(const char *key) {
    static const char *const hooks[] = { "connect", "on_start", "on_pause", "on_resume", "on_drain", "on_stop",
                                         "source", "on_event", "on_reload", NULL };
    for (int i = 0; hooks[i]; i++) if (strcmp(key, hooks[i]) == 0) return "function";
    if (strcmp(key, "api") == 0) return "number";
    if (strcmp(key, "name") == 0) return "string";
    if (strcmp(key, "defaults") == 0) return "table";
    if (strcmp(key, "ports") == 0) return "table";
    return NULL;
}

/* lua_CFunction: arg 1 a light userdata to bytes, arg 2 their count; returns them as a string. */
static inline int temblor_lua_push_text(lua_State *L) {
    const char *bytes = (const char *)lua_touserdata(L, 1);
    lua_Integer count = lua_tointeger(L, 2);
    lua_pushlstring(L, bytes, count > 0 && bytes != NULL ? (size_t)count : 0);
    return 1;
}

/* lua_CFunction: arg 1 the plugin file's path, arg 2 the host API major version, arg 3 (a
 * string, optional) the file's text as it was read before, which is then used instead of what
 * the file holds now (a state restarted after faults runs the version that was running). */
static inline int temblor_lua_load_plugin(lua_State *L) {
    const char *path = luaL_checkstring(L, 1);
    lua_Integer hostApi = luaL_checkinteger(L, 2);
    int status;
    if (lua_type(L, 3) == LUA_TSTRING) {
        size_t size;
        const char *text = lua_tolstring(L, 3, &size);
        char chunkName[PATH_MAX + 1];
        snprintf(chunkName, sizeof chunkName, "@%s", path);
        status = luaL_loadbufferx(L, text, size, chunkName, "t");
    } else {
        status = temblor_lua_load_file(L, path);
    }
    if (status == LUA_ERRFILE) return luaL_error(L, "%s: cannot read the plugin: %s", path, strerror(errno));
    if (status != LUA_OK) return lua_error(L);
    lua_call(L, 0, 1);
    if (!lua_istable(L, -1)) {
        return luaL_error(L, "%s: a plugin must return a table of hooks, not %s", path, luaL_typename(L, -1));
    }
    int plugin = lua_gettop(L);
    temblor_lua_rawfield(L, plugin, "api");
    if (lua_isnil(L, -1)) return luaL_error(L, "%s: the plugin does not say which host API it was written for; add api = %d", path, (int)hostApi);
    if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) != hostApi) {
        return luaL_error(L, "%s: written for host API %s, but this Temblor provides host API %d", path, luaL_tolstring(L, -1, NULL), (int)hostApi);
    }
    lua_pop(L, 1);
    lua_pushnil(L);
    while (lua_next(L, plugin) != 0) {
        if (lua_type(L, -2) != LUA_TSTRING) return luaL_error(L, "%s: the plugin table may only have named keys", path);
        const char *key = lua_tostring(L, -2);
        const char *kind = temblor_lua_plugin_key_kind(key);
        if (kind == NULL) {
            return luaL_error(L, "%s: unknown key '%s' in the plugin table; hooks are connect, on_start, on_pause, on_resume, "
                              "on_drain, on_stop, source, on_event, on_reload; other keys are api, name, defaults, ports", path, key);
        }
        if (strcmp(lua_typename(L, lua_type(L, -1)), kind) != 0) {
            return luaL_error(L, "%s: '%s' must be a %s, not %s", path, key, kind, luaL_typename(L, -1));
        }
        lua_pop(L, 1);
    }
    lua_pushvalue(L, plugin);
    lua_setfield(L, LUA_REGISTRYINDEX, temblor_lua_plugin_key);
    return 0;
}

/* lua_CFunction: arg 1 a light userdata pointing to a key (a C string); returns the loaded
 * plugin's field `key`, nil when absent. Call it under lua_pcall: making the key's string may
 * allocate, and the plugin may have left no memory free. */
static inline int temblor_lua_plugin_field(lua_State *L) {
    const char *key = (const char *)lua_touserdata(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, temblor_lua_plugin_key);
    if (!lua_istable(L, -1)) return 0;
    temblor_lua_rawfield(L, -1, key);
    return 1;
}

#endif
