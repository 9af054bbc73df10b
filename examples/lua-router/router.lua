-- A Lua pipeline operator: drops the events whose level is `drop`, sends those whose level is
-- `route` to its own port `errors`, and lets the rest through on `out`.
return {
  api = 1,
  name = "router",
  -- Output ports besides out and err, so that the flow can link main/errors.
  ports = { "errors" },
  defaults = { drop = "debug", route = "error" },

  on_event = function(ctx, event, meta)
    if event.level == ctx.config.drop then
      return nil                   -- dropped (and acknowledged)
    elseif event.level == ctx.config.route then
      return event, "errors"       -- routed to the errors port
    end
    return event                   -- forwarded on out
  end,
}
