return {
  api = 1,
  defaults = { field = "x" },
  on_event = function(ctx, event, meta)
    if event.bad then error("bad event: " .. tostring(event.bad)) end
    event[ctx.config.field] = "temblor"
    ctx.state.n = (ctx.state.n or 0) + 1
    ctx:emit(event, meta)
  end,
  source = function(ctx)
    local n = 0
    while ctx:running() do
      n = n + 1
      ctx:emit({ n = n, at = ctx:now() })
      ctx:sleep(1000)
    end
  end,
  on_start = function(ctx)
    ctx:every(500, function(ctx) ctx:emit({ tick = ctx:now() }) end)
  end,
}
