local t = require("temblor.test")
t.plugin("init.lua"
