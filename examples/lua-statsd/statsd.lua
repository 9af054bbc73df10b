-- A StatsD-style UDP source: binds `host:port` and turns each `name:value|type` line of the
-- datagrams it receives (several per datagram, newline separated; `|@rate` optional) into an
-- event { name, value, type[, rate] }. A line that does not parse is logged and skipped.
-- `expect` > 0 ends the source after that many metrics (0 runs until the flow stops).
local kinds = { c = "counter", g = "gauge", ms = "timer", h = "histogram", s = "set" }

local function parse(line)
  local name, value, kind, rest = line:match("^([^:|]+):([^|]+)|(%a+)(.*)$")
  if not name or not kinds[kind] then return nil end
  local number = tonumber(value)
  if number == nil and kind ~= "s" then return nil end
  local metric = { name = name, value = number or value, type = kinds[kind] }
  local rate = rest:match("^|@([%d.]+)")
  if rate then metric.rate = tonumber(rate) end
  return metric
end

return {
  api = 1,
  name = "statsd",
  defaults = { host = "127.0.0.1", port = 8125, expect = 0 },
  source = function(ctx)
    local c = ctx.config
    local sock = assert(temblor.udp.bind(c.host, c.port))
    local seen = 0
    while ctx:running() and (c.expect == 0 or seen < c.expect) do
      local datagram, err = sock:receivefrom({ timeout_ms = 1000 })
      if datagram then
        for line in datagram:gmatch("[^\n]+") do
          local metric = parse(line)
          if metric then
            ctx:emit(metric)
            seen = seen + 1
          else
            ctx:log("warn", "not a statsd line: " .. line)
          end
        end
      elseif err ~= "timeout" then
        error(err)
      end
    end
    sock:close()
  end,
}
