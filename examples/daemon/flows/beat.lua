-- Numbers each tick and names the service it comes from. Edit it and run
-- `temblor flows reload heartbeat` (or `systemctl reload temblor`): the running flow swaps it
-- in place and keeps its count.
return {
  api = 1,
  name = "beat",
  defaults = { service = "temblor" },

  on_event = function(ctx, event, meta)
    ctx.state.beats = (ctx.state.beats or 0) + 1
    ctx:metric("beats", ctx.state.beats)
    ctx:emit({ service = ctx.config.service, beat = ctx.state.beats, at_ns = event.ingest_ns }, meta)
  end,
}
