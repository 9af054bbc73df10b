-- A Lua source: emits `count` numbered events, one every `interval_ms` milliseconds, then
-- returns, which ends its part of the run.
return {
  api = 1,
  name = "generator",
  defaults = { count = 3, interval_ms = 100, message = "tick" },

  source = function(ctx)
    -- ctx.state survives a restart of the plugin: a restarted source goes on where it was.
    local n = ctx.state.next or 1
    while n <= ctx.config.count and ctx:running() do
      ctx:emit({ n = n, message = ctx.config.message .. " " .. n, even = n % 2 == 0 })
      n = n + 1
      ctx.state.next = n
      -- Yields to the host, which sends what was emitted and resumes the source afterwards.
      ctx:sleep(ctx.config.interval_ms)
    end
    ctx:log("info", "generated " .. (n - 1) .. " events")
  end,
}
