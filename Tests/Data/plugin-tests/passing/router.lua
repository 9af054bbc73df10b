return {
  api = 1,
  ports = { "errors" },
  on_event = function(ctx, event, meta)
    if event.level == "debug" then return nil end
    if event.level == "error" then return event, "errors" end
    if event.level == "boom" then error("boom!") end
    meta.seen = true
    return event
  end,
}
