-- A Lua connector with both sides: its sink side counts the events it receives by one field
-- (`by`), and its source side sends summaries: one every `every` events when `every` is set,
-- and a final one once the input has ended.
local temblor = require("temblor")

local function summary(ctx, kind)
  -- temblor.object keeps an empty table an object: {} rather than [] in JSON.
  return { summary = kind, total = ctx.state.total, counts = temblor.object(ctx.state.counts) }
end

return {
  api = 1,
  name = "aggregate",
  defaults = { by = "level", every = 0, missing = "none" },

  on_start = function(ctx)
    -- Counts live in ctx.state so that a restarted plugin keeps them.
    ctx.state.total = ctx.state.total or 0
    ctx.state.counts = ctx.state.counts or {}
  end,

  -- Returning normally acknowledges the event; an error would fail it.
  on_event = function(ctx, event)
    local key = event[ctx.config.by]
    if key == nil or key == temblor.null then key = ctx.config.missing end
    key = tostring(key)
    ctx.state.counts[key] = (ctx.state.counts[key] or 0) + 1
    ctx.state.total = ctx.state.total + 1
    if ctx.config.every > 0 and ctx.state.total % ctx.config.every == 0 then
      ctx:emit(summary(ctx, "partial"))
    end
  end,

  -- Runs once the input has ended; what it emits still goes out.
  on_drain = function(ctx)
    ctx:emit(summary(ctx, "final"))
  end,
}
