local sock
return {
  api = 1,
  defaults = { host = "127.0.0.1", port = 6379 },
  connect = function(ctx)
    local s, err = temblor.tcp.connect(ctx.config.host, ctx.config.port)
    if not s then error(err) end
    sock = s
    sock:send("PING\r\n")
    return sock:receive("*l") == "+PONG"
  end,
  on_event = function(ctx, event)
    sock:send("SET " .. event.k .. " " .. event.v .. "\r\n")
    local line, err = sock:receive("*l", { timeout_ms = 200 })
    if not line then error("redis: " .. err) end
  end,
}
