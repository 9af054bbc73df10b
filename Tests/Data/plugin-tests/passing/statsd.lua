return {
  api = 1,
  source = function(ctx)
    local sock = assert(temblor.udp.bind("127.0.0.1", 8125))
    while ctx:running() do
      local data, host = sock:receivefrom({ timeout_ms = 1000 })
      if data then ctx:emit({ line = data, from = host }) elseif host ~= "timeout" then error(host) end
    end
  end,
}
