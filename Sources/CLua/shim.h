// Invariants for everything that includes this header:
// - Swift cannot import Lua's function-like macros, LUA_REGISTRYINDEX or the variadic C calls;
//   the static inline wrappers below stand in for them, one-for-one, with no added behaviour.
// - Nothing here raises a Lua error by itself: callers keep the "never longjmp over a Swift
//   frame" rule of the design by calling these only from protected contexts.
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

#endif
