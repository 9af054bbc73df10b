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

#endif
