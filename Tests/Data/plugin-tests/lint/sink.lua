return {
  api = 1,
  defaults = { url = "http://127.0.0.1:3100/push" },
  on_event = function(ctx, event)
    local response, err = temblor.http.request { method = "POST", url = ctx.config.url, body = temblor.json.encode(event) }
    if not response then error("push failed: " .. err) end
    if response.status >= 300 then error("push refused: HTTP " .. response.status) end
    ctx:log("info", "pushed " .. response.status)
  end,
}
