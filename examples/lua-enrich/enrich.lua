-- A Lua connector with both sides between two native ones: each event its sink side receives
-- gets the fields of `add` (from the flow's config) and a running number, and goes on through
-- its source side.
local temblor = require("temblor")

return {
  api = 1,
  name = "enrich",
  defaults = { add = temblor.object(), number_field = "seq" },

  on_event = function(ctx, event, meta)
    -- ctx.state is carried over when the plugin's state is restarted after errors.
    ctx.state.seen = (ctx.state.seen or 0) + 1
    for field, value in pairs(ctx.config.add) do
      if event[field] == nil then event[field] = value end
    end
    event[ctx.config.number_field] = ctx.state.seen
    -- A gauge under the connector's name: `temblor run --stats` prints its last value.
    ctx:metric("enriched", ctx.state.seen)
    -- Forwarded through the source side; returning normally acknowledges the input event.
    ctx:emit(event, meta)
  end,

  on_drain = function(ctx)
    ctx:log("info", "enriched " .. (ctx.state.seen or 0) .. " events")
  end,
}
