// The C side of a test file's state (`temblor test`): the driver table the `temblor.test`
// module installs, and the host structure of a state that runs no plugin.
//
// Invariants: every function here is either a lua_CFunction that Swift calls through lua_pcall
// (it may allocate or raise), or the dispatch of a host structure, which only writes the
// structure's message and never touches the Lua stack.
#ifndef TEMBLOR_CLUA_SCRIPT_H
#define TEMBLOR_CLUA_SCRIPT_H

#include <stdio.h>
#include "host.h"

static const char *const temblor_lua_script_driver = "__temblor_test";

/* lua_CFunction: arg 1 a light userdata, a C string: pushes that field of the driver table
 * (the global `__temblor_test`), raising when the test file never required the module. */
static inline int temblor_lua_script_field(lua_State *L) {
    const char *name = (const char *)lua_touserdata(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
    lua_pushstring(L, temblor_lua_script_driver);
    lua_rawget(L, -2);
    if (!lua_istable(L, -1)) return luaL_error(L, "the file never loads the test module: start it with local t = require(\"temblor.test\")");
    lua_pushstring(L, name);
    lua_rawget(L, -2);
    return 1;
}

/* The dispatch of a test file's state: it runs no plugin, so it has no ctx, and its host I/O
 * calls (temblor.now, temblor.http, ...) are refused with what to do instead. */
static inline int temblor_lua_script_dispatch(void *owner, lua_State *L, int op) {
    (void)owner; (void)op;
    temblor_lua_host *host = temblor_lua_get_host(L);
    snprintf(host->message, sizeof host->message, "%s",
             "host I/O is not available in a test file: stub the plugin's with p:mock_http, p:mock_tcp, p:mock_udp or p:mock_fs, and read its clock with p:now()");
    return TEMBLOR_HOST_RAISE;
}

#endif
