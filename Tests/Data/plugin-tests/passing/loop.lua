return {
  api = 1,
  on_event = function(ctx, event)
    if event.loop then while true do end end
    ctx.state.count = (ctx.state.count or 0) + 1
  end,
}
