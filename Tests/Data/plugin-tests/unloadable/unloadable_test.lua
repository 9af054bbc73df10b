local t = require("temblor.test")
t.plugin("init.lua")
t.case("never runs", function(p) end)
