// The host API of DESIGN §8 on the C side: `ctx`, the `temblor` module, hook calls, the source
// coroutine and timers.
//
// Invariants for everything in this header:
// - Swift code is reached only through `temblor_lua_host.dispatch`, called from the ctx method
//   trampoline below. Swift never raises: it returns a status, and the trampoline raises the
//   error (or yields) after Swift has returned, so no Lua error unwinds a Swift frame.
// - Swift only reads the Lua stack while dispatching (arguments at indexes 2 and up) and leaves
//   results in the host structure; pushing them, which may allocate, happens here in C.
// - Every other function here is a lua_CFunction that Swift calls through lua_pcall (or a
//   coroutine Swift resumes with lua_resume, which is protected too).
// - The host structure lives as long as the state; a pointer to it sits in the state's extra
//   space, set before any coroutine exists, so every coroutine inherits it.
#ifndef TEMBLOR_CLUA_HOST_H
#define TEMBLOR_CLUA_HOST_H

#include "shim.h"

enum {
    TEMBLOR_OP_EMIT = 1, TEMBLOR_OP_EMIT_RAW, TEMBLOR_OP_LOG, TEMBLOR_OP_SLEEP, TEMBLOR_OP_EVERY,
    TEMBLOR_OP_RUNNING, TEMBLOR_OP_NOW, TEMBLOR_OP_METRIC, TEMBLOR_OP_IO
};
enum { TEMBLOR_HOST_RETURN = 0, TEMBLOR_HOST_RAISE = 1, TEMBLOR_HOST_YIELD = 2 };
enum { TEMBLOR_RESULT_NONE = 0, TEMBLOR_RESULT_BOOLEAN, TEMBLOR_RESULT_INTEGER, TEMBLOR_RESULT_NUMBER };

typedef struct temblor_lua_host {
    void *owner;
    /* Handles one ctx method; `L` is the calling thread (the source coroutine or the main one). */
    int (*dispatch)(void *owner, lua_State *L, int op);
    int result_kind;
    long long result_integer;
    double result_number;
    /* EVERY: the id under which the trampoline stored the timer's function. */
    long long argument;
    /* Registry references of ctx and of plugin.on_event (LUA_NOREF when absent), so that the
     * per-event path finds them without looking up names. */
    int ctx_ref;
    int on_event_ref;
    /* Whether on_event declares a third parameter (or `...`): if not, it never sees the
     * metadata, which is then not built for it. */
    int on_event_takes_meta;
    char message[1024];
    /* IO: the results Swift left for the script, a bridge tape whose root is an array of them
     * (NULL for none); valid until the next host call of the state. */
    const temblor_lua_item *io_items;
    const char *io_strings;
    /* The Lua source of temblor.tcp/udp/http/fs/now, loaded the first time a script reaches
     * for one of them (a state that never does stays small); lives as long as the process. */
    const char *io_source;
    size_t io_source_length;
    /* temblor.json.decode, which lives with the JSON decoder (CLuaJSON). */
    lua_CFunction json_decode;
    /* Set by the watchdog when the callback went over its time, for the C functions that the
     * hook below cannot stop (the pattern functions of pattern.h look at it as they go). */
    volatile int interrupted;
} temblor_lua_host;

static const char *const temblor_lua_ctx_key = "temblor.ctx";
static const char *const temblor_lua_timers_key = "temblor.timers";
static const char *const temblor_lua_source_key = "temblor.source";

static inline temblor_lua_host *temblor_lua_get_host(lua_State *L) {
    return *(temblor_lua_host **)lua_getextraspace(L);
}
static inline void temblor_lua_set_host(lua_State *L, temblor_lua_host *host) {
    *(temblor_lua_host **)lua_getextraspace(L) = host;
}

/* The wall-clock watchdog's hook: like the instruction budget's, it re-arms itself so that a
 * script's pcall cannot swallow it. Set from another thread with lua_sethook, which Lua allows
 * asynchronously (lua.c does the same from a signal handler). */
static const char *const temblor_lua_time_limit_message = "time limit exceeded";

static inline void temblor_lua_time_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    lua_sethook(L, temblor_lua_time_hook, LUA_MASKCOUNT, 1);
    luaL_error(L, "%s", temblor_lua_time_limit_message);
}

static inline void temblor_lua_interrupt(lua_State *L) {
    temblor_lua_host *host = temblor_lua_get_host(L);
    if (host != NULL) host->interrupted = 1;
    lua_sethook(L, temblor_lua_time_hook, LUA_MASKCOUNT, 1);
}

/* A new callback starts on time. */
static inline void temblor_lua_clear_interrupt(lua_State *L) {
    temblor_lua_host *host = temblor_lua_get_host(L);
    if (host != NULL) host->interrupted = 0;
}

/* ---- ctx methods ------------------------------------------------------------------------- */

static inline int temblor_lua_ctx_method(lua_State *L) {
    int op = (int)lua_tointeger(L, lua_upvalueindex(1));
    const char *name = lua_tostring(L, lua_upvalueindex(2));
    temblor_lua_host *host = temblor_lua_get_host(L);
    lua_getfield(L, LUA_REGISTRYINDEX, temblor_lua_ctx_key);
    int isContext = lua_rawequal(L, 1, -1);
    lua_pop(L, 1);
    if (!isContext) return luaL_error(L, "ctx:%s must be called on ctx with a colon: ctx:%s(...)", name, name);
    if (op == TEMBLOR_OP_EVERY) {
        luaL_checkinteger(L, 2);
        luaL_checktype(L, 3, LUA_TFUNCTION);
        lua_getfield(L, LUA_REGISTRYINDEX, temblor_lua_timers_key);
        lua_Integer id = (lua_Integer)lua_rawlen(L, -1) + 1;
        lua_pushvalue(L, 3);
        lua_rawseti(L, -2, id);
        lua_pop(L, 1);
        host->argument = id;
    }
    host->result_kind = TEMBLOR_RESULT_NONE;
    host->message[0] = '\0';
    int status = host->dispatch(host->owner, L, op);
    if (status == TEMBLOR_HOST_RAISE) return luaL_error(L, "ctx:%s: %s", name, host->message);
    if (status == TEMBLOR_HOST_YIELD) return lua_yield(L, 0);
    switch (host->result_kind) {
    case TEMBLOR_RESULT_BOOLEAN: lua_pushboolean(L, host->result_integer != 0); return 1;
    case TEMBLOR_RESULT_INTEGER: lua_pushinteger(L, (lua_Integer)host->result_integer); return 1;
    case TEMBLOR_RESULT_NUMBER: lua_pushnumber(L, host->result_number); return 1;
    default: return 0;
    }
}

/* lua_CFunction: arg 1 the config, arg 2 the state carried over (a table, or anything else for
 * a fresh one). Builds `ctx` and the timer table, both kept in the registry. */
static inline int temblor_lua_make_ctx(lua_State *L) {
    static const struct { const char *name; int op; } methods[] = {
        { "emit", TEMBLOR_OP_EMIT }, { "emit_raw", TEMBLOR_OP_EMIT_RAW }, { "log", TEMBLOR_OP_LOG },
        { "sleep", TEMBLOR_OP_SLEEP }, { "every", TEMBLOR_OP_EVERY }, { "running", TEMBLOR_OP_RUNNING },
        { "now", TEMBLOR_OP_NOW }, { "metric", TEMBLOR_OP_METRIC }, { NULL, 0 }
    };
    lua_settop(L, 2);
    lua_newtable(L);                                    /* 3: ctx */
    lua_pushvalue(L, 1);
    lua_setfield(L, 3, "config");
    /* A fresh state is a new table: `null` arrives as the shared temblor.null sentinel, which
     * must not become ctx.state. A carried state read back as an (empty) array loses its
     * array mark, which would hide the named fields the plugin adds to it. */
    lua_getfield(L, LUA_REGISTRYINDEX, temblor_lua_null_key);
    int isNull = lua_rawequal(L, 2, -1);
    lua_pop(L, 1);
    if (!lua_istable(L, 2) || isNull) {
        lua_newtable(L);
        lua_replace(L, 2);
    } else if (lua_getmetatable(L, 2)) {
        luaL_getmetatable(L, temblor_lua_array_meta);
        int isArray = lua_rawequal(L, -1, -2);
        lua_pop(L, 2);
        if (isArray) { lua_pushnil(L); lua_setmetatable(L, 2); }
    }
    lua_pushvalue(L, 2);
    lua_setfield(L, 3, "state");
    lua_newtable(L);                                    /* 4: its metatable */
    lua_newtable(L);                                    /* 5: the methods */
    for (int i = 0; methods[i].name; i++) {
        lua_pushinteger(L, methods[i].op);
        lua_pushstring(L, methods[i].name);
        lua_pushcclosure(L, temblor_lua_ctx_method, 2);
        lua_setfield(L, 5, methods[i].name);
    }
    lua_setfield(L, 4, "__index");
    lua_pushstring(L, "temblor.ctx");
    lua_setfield(L, 4, "__metatable");
    lua_setmetatable(L, 3);
    temblor_lua_host *host = temblor_lua_get_host(L);
    lua_pushvalue(L, 3);
    host->ctx_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_getfield(L, LUA_REGISTRYINDEX, temblor_lua_plugin_key);
    temblor_lua_rawfield(L, -1, "on_event");
    lua_remove(L, -2);
    host->on_event_takes_meta = 1;
    if (lua_isfunction(L, -1)) {
        lua_Debug info;
        lua_pushvalue(L, -1);
        if (lua_getinfo(L, ">u", &info)) host->on_event_takes_meta = info.isvararg || info.nparams >= 3;
        host->on_event_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    } else {
        lua_pop(L, 1);
        host->on_event_ref = LUA_NOREF;
    }
    lua_setfield(L, LUA_REGISTRYINDEX, temblor_lua_ctx_key);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, temblor_lua_timers_key);
    return 0;
}

/* lua_CFunction: arg 1 a table: it becomes ctx.state (what on_reload returned). */
static inline int temblor_lua_set_ctx_state(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    /* As in make_ctx: an (empty) array's mark would hide the named fields added later. */
    if (lua_getmetatable(L, 1)) {
        luaL_getmetatable(L, temblor_lua_array_meta);
        int isArray = lua_rawequal(L, -1, -2);
        lua_pop(L, 2);
        if (isArray) { lua_pushnil(L); lua_setmetatable(L, 1); }
    }
    lua_getfield(L, LUA_REGISTRYINDEX, temblor_lua_ctx_key);
    lua_pushvalue(L, 1);
    lua_setfield(L, -2, "state");
    return 0;
}

/* lua_CFunction: returns ctx.state, what a restarted state starts from. */
static inline int temblor_lua_get_ctx_state(lua_State *L) {
    lua_getfield(L, LUA_REGISTRYINDEX, temblor_lua_ctx_key);
    lua_getfield(L, -1, "state");
    return 1;
}

/* ---- Hooks ------------------------------------------------------------------------------- */

static const char *const temblor_lua_hook_names[] = {
    "connect", "on_start", "on_pause", "on_resume", "on_drain", "on_stop", "on_event", "on_reload", NULL
};

/* The continuations of the calls below: when a hook, on_event or a timer function waited on
 * host I/O (it runs in a coroutine then), the call's results are on top once it is resumed. */
static inline int temblor_lua_two_results(lua_State *L, int status, lua_KContext k) { (void)status; (void)k; return 2; }
static inline int temblor_lua_no_results(lua_State *L, int status, lua_KContext k) { (void)L; (void)status; (void)k; return 0; }
static inline int temblor_lua_three_results(lua_State *L, int status, lua_KContext k) { (void)L; (void)status; (void)k; return 3; }

/* lua_CFunction: arg 1 the hook's index in temblor_lua_hook_names, args 2... its arguments after
 * ctx. Returns the hook's first two results (nothing when the plugin lacks the hook). */
static inline int temblor_lua_call_hook(lua_State *L) {
    int hook = (int)lua_tointeger(L, 1);
    int nargs = lua_gettop(L) - 1;
    lua_getfield(L, LUA_REGISTRYINDEX, temblor_lua_plugin_key);
    temblor_lua_rawfield(L, -1, temblor_lua_hook_names[hook]);
    if (!lua_isfunction(L, -1)) return 0;
    lua_getfield(L, LUA_REGISTRYINDEX, temblor_lua_ctx_key);
    luaL_checkstack(L, nargs, "too many hook arguments");
    for (int i = 2; i <= nargs + 1; i++) lua_pushvalue(L, i);
    lua_callk(L, nargs + 1, 2, 0, temblor_lua_two_results);
    return 2;
}

/* lua_CFunction: args 1-2 the event's tape and strings, 3-4 its metadata's; calls
 * on_event(ctx, event, meta) and returns its first two results. One protected call per event. */
static inline int temblor_lua_deliver(lua_State *L) {
    const temblor_lua_item *payload = (const temblor_lua_item *)lua_touserdata(L, 1);
    const char *payloadStrings = (const char *)lua_touserdata(L, 2);
    const temblor_lua_item *meta = (const temblor_lua_item *)lua_touserdata(L, 3);
    const char *metaStrings = (const char *)lua_touserdata(L, 4);
    temblor_lua_host *host = temblor_lua_get_host(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, host->on_event_ref);
    lua_rawgeti(L, LUA_REGISTRYINDEX, host->ctx_ref);
    temblor_lua_push_item(L, payload, payloadStrings);
    if (host->on_event_takes_meta) temblor_lua_push_item(L, meta, metaStrings); else lua_pushnil(L);
    lua_callk(L, 3, 2, 0, temblor_lua_two_results);
    return 2;
}

/* lua_CFunction: as temblor_lua_deliver, for a pipeline operator whose on_event takes `meta`:
 * returns the metadata table as the script left it, then on_event's first two results, so
 * that the changes the script made to `meta` are kept. */
static inline int temblor_lua_deliver_keeping_meta(lua_State *L) {
    const temblor_lua_item *payload = (const temblor_lua_item *)lua_touserdata(L, 1);
    const char *payloadStrings = (const char *)lua_touserdata(L, 2);
    const temblor_lua_item *meta = (const temblor_lua_item *)lua_touserdata(L, 3);
    const char *metaStrings = (const char *)lua_touserdata(L, 4);
    temblor_lua_host *host = temblor_lua_get_host(L);
    temblor_lua_push_item(L, meta, metaStrings);          /* 5: the table kept after the call */
    lua_rawgeti(L, LUA_REGISTRYINDEX, host->on_event_ref);
    lua_rawgeti(L, LUA_REGISTRYINDEX, host->ctx_ref);
    temblor_lua_push_item(L, payload, payloadStrings);
    lua_pushvalue(L, 5);
    lua_callk(L, 3, 2, 0, temblor_lua_three_results);
    return 3;
}

/* What temblor_lua_deliver_decoded needs: the event's metadata as a bridge tape. */
typedef struct {
    const temblor_lua_item *items;
    const char *strings;
} temblor_lua_tape_ref;

/* Called inside a protected call (CLuaJSON's) with an event already decoded on top of the
 * stack: calls on_event(ctx, event, meta), `context` pointing to the metadata's tape. */
static inline int temblor_lua_deliver_decoded(lua_State *L, void *context) {
    const temblor_lua_tape_ref *meta = (const temblor_lua_tape_ref *)context;
    temblor_lua_host *host = temblor_lua_get_host(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, host->on_event_ref);
    lua_rawgeti(L, LUA_REGISTRYINDEX, host->ctx_ref);
    lua_rotate(L, -3, 2);                               /* event, on_event, ctx -> on_event, ctx, event */
    if (meta->items != NULL) temblor_lua_push_item(L, meta->items, meta->strings); else lua_pushnil(L);
    lua_call(L, 3, 0);
    return 0;
}

/* ---- The source coroutine and timers ------------------------------------------------------ */

/* lua_CFunction: makes the coroutine that runs plugin.source(ctx), anchors it in the registry
 * and returns it; Swift resumes it with lua_resume and one argument already in place. */
static inline int temblor_lua_start_source(lua_State *L) {
    lua_State *co = lua_newthread(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, temblor_lua_source_key);
    lua_getfield(L, LUA_REGISTRYINDEX, temblor_lua_plugin_key);
    temblor_lua_rawfield(L, -1, "source");
    lua_getfield(L, LUA_REGISTRYINDEX, temblor_lua_ctx_key);
    lua_xmove(L, co, 2);
    lua_pop(L, 1);
    return 1;
}

/* lua_CFunction: drops the source coroutine, so that it can be collected. */
static inline int temblor_lua_end_source(lua_State *L) {
    lua_pushnil(L);
    lua_setfield(L, LUA_REGISTRYINDEX, temblor_lua_source_key);
    return 0;
}

/* lua_CFunction: arg 1 a timer id; calls the function ctx:every stored under it with ctx. */
static inline int temblor_lua_fire_timer(lua_State *L) {
    lua_Integer id = lua_tointeger(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, temblor_lua_timers_key);
    lua_rawgeti(L, -1, id);
    lua_getfield(L, LUA_REGISTRYINDEX, temblor_lua_ctx_key);
    lua_callk(L, 1, 0, 0, temblor_lua_no_results);
    return 0;
}

/* ---- Host I/O ----------------------------------------------------------------------------- */

/* Pushes the results Swift left in the host structure: each element of the root array, `null`
 * as nil and bytes as plain Lua strings (what sockets and files give); no element is one nil. */
static inline int temblor_lua_push_io_results(lua_State *L) {
    temblor_lua_host *host = temblor_lua_get_host(L);
    const temblor_lua_item *root = host->io_items;
    const char *strings = host->io_strings;
    host->io_items = NULL;
    if (root == NULL || root->kind != TEMBLOR_ITEM_ARRAY || root->integer <= 0) { lua_pushnil(L); return 1; }
    int count = root->integer > 16 ? 16 : (int)root->integer;
    luaL_checkstack(L, count + 4, "too many results");
    const temblor_lua_item *next = root + 1;
    for (int i = 0; i < count; i++) {
        if (next->kind == TEMBLOR_ITEM_NULL) { lua_pushnil(L); next++; }
        else if (next->kind == TEMBLOR_ITEM_BYTES) { lua_pushlstring(L, strings + next->offset, next->length); next++; }
        else next = temblor_lua_push_item(L, next, strings);
    }
    return count;
}

static inline int temblor_lua_io_continue(lua_State *L, int status, lua_KContext k) {
    (void)status; (void)k;
    return temblor_lua_push_io_results(L);
}

/* lua_CFunction behind temblor.tcp/udp/http/fs (the Lua side in LuaHostIOModule): arg 1 the
 * call's name, the others its arguments. Swift either answers at once (a denial, say) or asks
 * to wait: the coroutine then yields, and when the host resumes it, once the I/O is done, the
 * continuation pushes the results Swift left. */
static inline int temblor_lua_host_io(lua_State *L) {
    temblor_lua_host *host = temblor_lua_get_host(L);
    luaL_checkstring(L, 1);
    host->result_kind = TEMBLOR_RESULT_NONE;
    host->message[0] = '\0';
    host->io_items = NULL;
    int status = host->dispatch(host->owner, L, TEMBLOR_OP_IO);
    if (status == TEMBLOR_HOST_RAISE) return luaL_error(L, "%s", host->message);
    if (status == TEMBLOR_HOST_YIELD) return lua_yieldk(L, 0, 0, temblor_lua_io_continue);
    return temblor_lua_push_io_results(L);
}

/* lua_CFunction: makes a coroutine for one callback that may wait on host I/O, anchors it in
 * the registry and returns it with its reference (Swift releases it with luaL_unref). */
static inline int temblor_lua_new_call_thread(lua_State *L) {
    lua_newthread(L);
    lua_pushvalue(L, -1);
    lua_pushinteger(L, luaL_ref(L, LUA_REGISTRYINDEX));
    return 2;
}

static const char *const temblor_lua_io_names[] = { "tcp", "udp", "http", "fs", "now", "json", NULL };

/* __index of the temblor module: the first time a script reaches for one of the host I/O
 * fields, runs the I/O module's source with the host I/O function and the module, which sets
 * them all; then answers from the module. Other names are nil. */
static inline int temblor_lua_module_index(lua_State *L) {
    const char *key = lua_tostring(L, 2);
    if (lua_type(L, 2) != LUA_TSTRING || key == NULL) return 0;
    int known = 0;
    for (int i = 0; temblor_lua_io_names[i]; i++) known |= strcmp(key, temblor_lua_io_names[i]) == 0;
    temblor_lua_host *host = temblor_lua_get_host(L);
    if (!known || host == NULL || host->io_source == NULL) return 0;
    lua_getfield(L, LUA_REGISTRYINDEX, "temblor.io.loaded");
    int loaded = lua_toboolean(L, -1);
    lua_pop(L, 1);
    if (!loaded) {
        if (luaL_loadbufferx(L, host->io_source, host->io_source_length, "=temblor.io", "t") != LUA_OK) return lua_error(L);
        lua_pushcfunction(L, temblor_lua_host_io);
        lua_pushvalue(L, 1);
        if (host->json_decode != NULL) lua_pushcfunction(L, host->json_decode); else lua_pushnil(L);
        lua_call(L, 3, 0);
        lua_pushboolean(L, 1);
        lua_setfield(L, LUA_REGISTRYINDEX, "temblor.io.loaded");
    }
    lua_pushvalue(L, 2);
    lua_rawget(L, 1);
    return 1;
}

/* ---- The `temblor` module ----------------------------------------------------------------- */

static inline int temblor_lua_mark_table(lua_State *L, const char *meta, const char *what) {
    if (lua_isnoneornil(L, 1)) { lua_settop(L, 0); lua_newtable(L); }
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    if (lua_getmetatable(L, 1)) {
        luaL_getmetatable(L, temblor_lua_array_meta);
        luaL_getmetatable(L, temblor_lua_object_meta);
        int ours = lua_rawequal(L, -3, -2) || lua_rawequal(L, -3, -1);
        lua_pop(L, 3);
        if (!ours) return luaL_error(L, "temblor.%s: the table already has a metatable of its own", what);
    }
    luaL_setmetatable(L, meta);
    return 1;
}
static inline int temblor_lua_module_array(lua_State *L) { return temblor_lua_mark_table(L, temblor_lua_array_meta, "array"); }
static inline int temblor_lua_module_object(lua_State *L) { return temblor_lua_mark_table(L, temblor_lua_object_meta, "object"); }

static inline int temblor_lua_module_bytes(lua_State *L) {
    size_t length;
    const char *text = luaL_checklstring(L, 1, &length);
    void *box = lua_newuserdatauv(L, length, 0);
    if (length > 0) memcpy(box, text, length);
    luaL_setmetatable(L, temblor_lua_bytes_meta);
    return 1;
}

/* bytes: tostring gives the raw string, # the length. */
static inline int temblor_lua_bytes_tostring(lua_State *L) {
    void *box = luaL_checkudata(L, 1, temblor_lua_bytes_meta);
    lua_pushlstring(L, (const char *)box, lua_rawlen(L, 1));
    return 1;
}
static inline int temblor_lua_bytes_len(lua_State *L) {
    luaL_checkudata(L, 1, temblor_lua_bytes_meta);
    lua_pushinteger(L, (lua_Integer)lua_rawlen(L, 1));
    return 1;
}
static inline int temblor_lua_bytes_eq(lua_State *L) {
    size_t a = lua_rawlen(L, 1), b = lua_rawlen(L, 2);
    void *x = luaL_testudata(L, 1, temblor_lua_bytes_meta), *y = luaL_testudata(L, 2, temblor_lua_bytes_meta);
    lua_pushboolean(L, x != NULL && y != NULL && a == b && (a == 0 || memcmp(x, y, a) == 0));
    return 1;
}

/* temblor.null is shared by every value of the state: it holds no fields. */
static inline int temblor_lua_null_newindex(lua_State *L) {
    return luaL_error(L, "temblor.null cannot hold fields (is a field you index null?)");
}

/* lua_CFunction: builds the `temblor` module (global `temblor`, also what require("temblor")
 * returns) and the metamethods of bytes values. */
static inline int temblor_lua_install_module(lua_State *L) {
    luaL_getmetatable(L, temblor_lua_bytes_meta);
    lua_pushcfunction(L, temblor_lua_bytes_tostring); lua_setfield(L, -2, "__tostring");
    lua_pushcfunction(L, temblor_lua_bytes_len); lua_setfield(L, -2, "__len");
    lua_pushcfunction(L, temblor_lua_bytes_eq); lua_setfield(L, -2, "__eq");
    lua_pop(L, 1);
    luaL_getmetatable(L, "temblor.nullmeta");
    lua_pushcfunction(L, temblor_lua_null_newindex); lua_setfield(L, -2, "__newindex");
    lua_pop(L, 1);
    lua_newtable(L);
    lua_getfield(L, LUA_REGISTRYINDEX, temblor_lua_null_key); lua_setfield(L, -2, "null");
    lua_pushcfunction(L, temblor_lua_module_array); lua_setfield(L, -2, "array");
    lua_pushcfunction(L, temblor_lua_module_object); lua_setfield(L, -2, "object");
    lua_pushcfunction(L, temblor_lua_module_bytes); lua_setfield(L, -2, "bytes");
    lua_pushinteger(L, 1); lua_setfield(L, -2, "api");
    lua_newtable(L);
    lua_pushcfunction(L, temblor_lua_module_index); lua_setfield(L, -2, "__index");
    lua_pushstring(L, "temblor"); lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, temblor_lua_module_key);
    lua_setglobal(L, "temblor");
    return 0;
}

#endif
