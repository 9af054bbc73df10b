local util = require("util")
return { api = 1, on_event = function(ctx, e) return util.f(e) end }
