/// The sandbox prelude every state runs once, before any plugin code: it narrows the standard
/// library to what a plugin may use (an allowlist, DESIGN §3). The originals it wraps stay in
/// upvalues of the wrappers, which scripts cannot reach (there is no `debug` library).
enum LuaSandbox {
    /// The longest string `string.rep` may build: a C call the instruction budget cannot interrupt.
    static let maxRepLength = 16 << 20

    static let prelude = """
        local load, collectgarbage, rep, error, tostring, type = load, collectgarbage, string.rep, error, tostring, type
        local setmetatable, rawget = setmetatable, rawget

        -- Source text only: binary chunks can break out of the VM.
        _G.load = function(chunk, name, mode, env)
          if mode ~= nil and mode ~= "t" then
            error("load: binary chunks are not allowed in a plugin (mode must be 't')", 2)
          end
          return load(chunk, name, "t", env)
        end

        -- Collecting and measuring are fine; changing how the collector runs is not.
        local allowed = { collect = true, count = true, step = true, isrunning = true }
        _G.collectgarbage = function(option, ...)
          if option == nil or allowed[option] then return collectgarbage(option, ...) end
          error("collectgarbage('" .. tostring(option) .. "') is not allowed in a plugin", 2)
        end

        -- string.rep runs in C, out of reach of the instruction budget: bound what it builds.
        local maxRep = \(maxRepLength)
        string.rep = function(s, n, sep)
          if type(n) == "number" and n > 0 then
            local size = #tostring(s) * n + (sep and #tostring(sep) * (n - 1) or 0)
            if size > maxRep then
              error(string.format("string.rep: result of %.0f bytes is over the limit of %d", size, maxRep), 2)
            end
          end
          return rep(s, n, sep)
        end

        -- Of os, only the clock and the calendar: no execute, exit, getenv, remove, rename, tmpname.
        _G.os = { time = os.time, clock = os.clock, date = os.date, difftime = os.difftime }

        -- Finalizers would run outside every callback's limits (even while the state closes).
        _G.setmetatable = function(t, mt)
          if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
            error("setmetatable: __gc finalizers are not allowed in a plugin", 2)
          end
          return setmetatable(t, mt)
        end

        -- The string metatable is shared by every string: scripts may use it, not change it.
        getmetatable("").__metatable = "protected"
        """
}
