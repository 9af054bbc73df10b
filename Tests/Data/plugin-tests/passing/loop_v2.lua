return {
  api = 1,
  on_event = function(ctx, event)
    ctx.state.total = (ctx.state.total or 0) + 1
  end,
  on_reload = function(ctx, old)
    return { total = old.count or 0, version = 2 }
  end,
}
