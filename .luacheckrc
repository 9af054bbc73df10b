-- luacheck settings for Temblor's Lua: plugins run on Lua 5.4 with the host's `temblor`
-- module as their one global (docs/plugins.md); test files also get `temblor.test`.
std = "lua54"
read_globals = { "temblor" }
max_line_length = false
exclude_files = { ".build*/**", "lua/types/**" }

-- A plugin's hooks take (ctx, event, meta); not every hook uses all three.
unused_args = false

files["lua/temblor/test.lua"] = { globals = { "__temblor_test" } }
