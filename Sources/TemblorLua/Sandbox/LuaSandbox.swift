/// The sandbox prelude every state runs once, before any plugin code: it narrows the standard
/// library to what a plugin may use (an allowlist, DESIGN §3). The originals it wraps stay in
/// upvalues of the wrappers, which scripts cannot reach (there is no `debug` library).
enum LuaSandbox {
    /// The longest string `string.rep` may build: a C call the instruction budget cannot interrupt.
    static let maxRepLength = 16 << 20

    static let prelude = """
        local load, collectgarbage, rep, error, tostring, tonumber, type = load, collectgarbage, string.rep, error, tostring, tonumber, type
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

        -- string.rep runs in C, out of reach of the instruction budget: bound what it builds
        -- (in floats, which do not wrap), and build an empty result without Lua's loop, which
        -- would copy nothing n times. A count given as a string is Lua's coercion: same bounds.
        local maxRep = \(maxRepLength)
        string.rep = function(s, n, sep)
          local count = tonumber(n)
          if type(count) == "number" and count > 0 then
            local size = #tostring(s) * (count + 0.0) + (sep and #tostring(sep) * (count - 1.0) or 0)
            if size > maxRep then
              error(string.format("string.rep: result of %.0f bytes is over the limit of %d", size, maxRep), 2)
            end
            if size == 0 then n = 1 end
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

        -- When a hook raises an error (the instruction budget, the watchdog), Lua calls the
        -- message handler of an xpcall, and closes what a failed coroutine left open when it is
        -- wrapped or closed, with every hook off: that code would run without limits. So xpcall
        -- calls its handler once the error has unwound, where the limits apply again, and a
        -- dead coroutine is never closed (Lua allows the variables of a coroutine that failed
        -- never to be closed); coroutine.close still reports how it failed.
        local pcall, select, create, resume, status, close = pcall, select, coroutine.create, coroutine.resume, coroutine.status, coroutine.close
        local function handled(handler, ok, ...)
          if ok then return true, ... end
          local fine, result = pcall(handler, (...))
          if fine then return false, result end
          return false, "error in error handling"
        end
        _G.xpcall = function(...)
          local f, handler = ...
          if type(handler) ~= "function" then
            local got = select("#", ...) < 2 and "no value" or type(handler)
            error("bad argument #2 to 'xpcall' (function expected, got " .. got .. ")", 2)
          end
          return handled(handler, pcall(f, select(3, ...)))
        end
        local failures = setmetatable({}, { __mode = "k" })
        local function remember(co, wasDead, ok, ...)
          if not ok and not wasDead and status(co) == "dead" then failures[co] = (...) end
          return ok, ...
        end
        local function resumed(co, ...)
          return remember(co, type(co) == "thread" and status(co) == "dead", resume(co, ...))
        end
        coroutine.resume = resumed
        local function unwrapped(ok, ...)
          if ok then return ... end
          local err = ...
          error(err, type(err) == "string" and 2 or 0)  -- where the wrapped function was called
        end
        coroutine.wrap = function(f)
          if type(f) ~= "function" then
            error("bad argument #1 to 'coroutine.wrap' (function expected, got " .. type(f) .. ")", 2)
          end
          local co = create(f)
          return function(...) return unwrapped(resumed(co, ...)) end
        end
        coroutine.close = function(co)
          if type(co) == "thread" and status(co) == "dead" then
            local err = failures[co]
            if err == nil then return true end
            failures[co] = nil
            return false, err
          end
          return close(co)
        end

        -- The string metatable is shared by every string: scripts may use it, not change it.
        getmetatable("").__metatable = "protected"
        """
}
