local t = require("temblor.test")
local resp = require("resp")

---Whether the plugin logged a message at `level` matching `pattern`.
local function logged(p, level, pattern)
  for _, entry in ipairs(p:logs()) do
    if entry.level == level and entry.message:find(pattern) then return true end
  end
  return false
end

---A socket reading from `data`, as temblor.tcp's would.
local function fake(data)
  local pos = 1
  return {
    receive = function(_, pattern)
      if pattern == "*l" then
        local nl = data:find("\n", pos, true)
        if not nl then return nil, "closed" end
        local line = data:sub(pos, nl - 1):gsub("\r$", "")
        pos = nl + 1
        return line
      end
      if pos + pattern - 1 > #data then return nil, "closed" end
      local chunk = data:sub(pos, pos + pattern - 1)
      pos = pos + pattern
      return chunk
    end,
  }
end

---The arguments of a command the plugin sent.
local function args(bytes) return (resp.read(fake(bytes))) end

---A fake Redis: `reply(command_args, log)` answers each command (a string; false closes the
---connection); connects are refused while `log.refuse` is true.
local function redis(p, reply)
  local log = { connects = 0, sent = {}, refuse = false }
  p:mock_tcp(function(conn, data)
    if data == nil then
      if log.refuse then return nil, "connection refused" end
      log.connects = log.connects + 1
      log.conn = conn
      return ""
    end
    log.sent[#log.sent + 1] = data
    return reply(args(data), log)
  end)
  return log
end

local function ok_replies(command)
  local name = command[1]
  if name == "XADD" then return "$15\r\n1714564800000-0\r\n" end
  if name == "LPUSH" or name == "PUBLISH" then return ":1\r\n" end
  return "+OK\r\n"
end

t.plugin("init.lua", { config = { username = "gallery", password = "pw", db = 2, maxlen = 1000 } })

t.case("connect: AUTH with a username, SELECT; then XADD with MAXLEN ~, fields sorted", function(p)
  local log = redis(p, ok_replies)
  t.same(p:start(), true)
  t.same(log.conn.host, "127.0.0.1")
  t.same(log.conn.port, 6379)
  t.same(log.sent, {
    "*3\r\n$4\r\nAUTH\r\n$7\r\ngallery\r\n$2\r\npw\r\n",
    "*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n",
  })
  t.same(p:feed({ n = 1, msg = "hi", tags = { "a", "b" } }), true)
  t.same(log.sent[3], "*12\r\n$4\r\nXADD\r\n$6\r\nevents\r\n$6\r\nMAXLEN\r\n$1\r\n~\r\n$4\r\n1000\r\n$1\r\n*\r\n"
    .. "$3\r\nmsg\r\n$2\r\nhi\r\n$1\r\nn\r\n$1\r\n1\r\n$4\r\ntags\r\n$9\r\n[\"a\",\"b\"]\r\n")
  t.same(p:acked(), 1)
  t.same(log.connects, 1)
  t.same(p:state().written, 1)
end)

t.case("AUTH refused: not connected, with Redis's message", function(p)
  local log = redis(p, function(command)
    if command[1] == "AUTH" then return "-WRONGPASS invalid username-password pair or user is disabled.\r\n" end
    return "+OK\r\n"
  end)
  t.ok(not p:start(), "connect answered false")
  t.same(#log.sent, 1)
  t.ok(logged(p, "warn", "^AUTH refused by 127.0.0.1:6379: WRONGPASS invalid username%-password pair or user is disabled%.$"), "the refusal is logged")
end)

t.plugin("init.lua", {})

t.case("an error reply fails the event with Redis's message and keeps the connection", function(p)
  local log = redis(p, function(command)
    if command[3] ~= "*" then return ok_replies(command) end
    return "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
  end)
  local ok, err = p:feed({ msg = "x" })
  t.same(ok, false)
  t.same(err, "on_event: error: redis: XADD refused: WRONGTYPE Operation against a key holding the wrong kind of value")
  t.same(log.connects, 1)
  t.same(p:failed(), 1)
  t.same(p:acked(), 0)
end)

t.case("a broken connection fails the event in hand; the next one reconnects at once", function(p)
  local calls = 0
  local log = redis(p, function(command)
    calls = calls + 1
    if calls == 1 then return false end
    return ok_replies(command)
  end)
  local ok, err = p:feed({ n = 1 })
  t.same(ok, false)
  t.same(err, "on_event: error: redis: XADD: connection to 127.0.0.1:6379 lost: closed")
  t.same(p:feed({ n = 2 }), true)
  t.same(log.connects, 2)
  t.same(p:now(), 0)
  t.same(args(log.sent[2]), { "XADD", "events", "*", "n", "2" })
  t.same({ p:acked(), p:failed() }, { 1, 1 })
end)

t.case("failed reconnects wait 100, 200, 400 ms before the next try, and success resets it", function(p)
  local log = redis(p, function(command, l)
    if #l.sent == 1 then return false end
    return ok_replies(command)
  end)
  p:start()
  p:feed({ n = 1 })                        -- the connection breaks
  log.refuse = true
  local times = {}
  for i = 2, 4 do
    local ok, err = p:feed({ n = i })
    t.same(ok, false)
    t.same(err, "on_event: error: redis: cannot connect to 127.0.0.1:6379: connection refused")
    times[#times + 1] = p:now()
  end
  t.same(times, { 0, 100, 300 })
  log.refuse = false
  t.same(p:feed({ n = 5 }), true)
  t.same(p:now(), 700)
  t.same(p:state().connect_failures, 3)
  t.same(log.connects, 2)
end)

t.case("a reply that never comes times out after timeout_ms and drops the connection", function(p)
  local log = redis(p, function(command, l)
    if #l.sent == 1 then return "" end      -- nothing: the reply never comes
    return ok_replies(command)
  end)
  local ok, err = p:feed({ n = 1 })
  t.same(ok, false)
  t.same(err, "on_event: error: redis: XADD: connection to 127.0.0.1:6379 lost: timeout")
  t.same(p:now(), 2000)
  t.same(p:feed({ n = 2 }), true)
  t.same(log.connects, 2)
end)

t.case("a reply that is not RESP fails the event and drops the connection", function(p)
  local log = redis(p, function(command, l)
    if #l.sent == 1 then return "HTTP/1.1 400 Bad Request\r\n" end
    return ok_replies(command)
  end)
  local ok, err = p:feed({ n = 1 })
  t.same(ok, false)
  t.same(err, "on_event: error: redis: XADD: connection to 127.0.0.1:6379 lost: protocol error: unexpected reply 'HTTP/1.1 400 Bad Request'")
  t.same(p:feed({ n = 2 }), true)
  t.same(log.connects, 2)
end)

t.case("xadd refuses events that are not objects, or have no fields; nothing is sent", function(p)
  local log = redis(p, ok_replies)
  local ok, err = p:feed("just text")
  t.same(ok, false)
  t.same(err, "on_event: error: redis: xadd needs an object event, its fields becoming the entry's fields")
  ok, err = p:feed(temblor.object())
  t.same(ok, false)
  t.same(err, "on_event: error: redis: xadd needs at least one field; the event is empty")
  t.same(log.sent, {})
  t.same(p:failed(), 2)
end)

t.plugin("init.lua", { config = { mode = "set", key_field = "user.id", prefix = "user:", ttl_s = 60 } })

t.case("set: the key from a nested field, the event as JSON, EX ttl_s", function(p)
  local log = redis(p, ok_replies)
  local event = { user = { id = 42, name = "ada" }, seen = true }
  t.same(p:feed(event), true)
  local sent = args(log.sent[1])
  t.same({ sent[1], sent[2], sent[4], sent[5] }, { "SET", "user:42", "EX", "60" })
  t.same(temblor.json.decode(sent[3]), event)
  t.same(#sent, 5)
end)

t.case("set: an event without the key field fails and nothing is sent", function(p)
  local log = redis(p, ok_replies)
  local ok, err = p:feed({ user = { name = "bob" } })
  t.same(ok, false)
  t.same(err, "on_event: error: redis: the event has no field 'user.id' for its key (config.key_field)")
  ok, err = p:feed({ user = { id = 1.5 } })
  t.same(ok, false)
  t.same(err, "on_event: error: redis: field 'user.id' holds a number; a key must be a string or an integer")
  t.same(log.sent, {})
  t.same({ p:acked(), p:failed() }, { 0, 2 })
end)

t.plugin("init.lua", { config = { mode = "lpush", key = "jobs", value_field = "job" } })

t.case("lpush: the value field onto the list", function(p)
  local log = redis(p, ok_replies)
  t.same(p:feed({ job = "resize 42.png" }), true)
  t.same(log.sent, { "*3\r\n$5\r\nLPUSH\r\n$4\r\njobs\r\n$13\r\nresize 42.png\r\n" })
end)

t.plugin("init.lua", { config = { mode = "publish", key = "alerts", value_field = "text" } })

t.case("publish: the value field to the channel", function(p)
  local log = redis(p, function() return ":0\r\n" end)
  t.same(p:feed({ text = "disk full" }), true)
  t.same(log.sent, { "*3\r\n$7\r\nPUBLISH\r\n$6\r\nalerts\r\n$9\r\ndisk full\r\n" })
end)

t.case("RESP replies: +, -, :, $ with $-1 and binary content, * nested with *-1", function()
  t.same(resp.read(fake("+OK\r\n")), "OK")
  t.same(resp.read(fake(":42\r\n")), 42)
  t.same(resp.read(fake(":-3\r\n")), -3)
  t.same(resp.read(fake("$5\r\nhello\r\n")), "hello")
  t.same(resp.read(fake("$0\r\n\r\n")), "")
  t.same(resp.read(fake("$4\r\na\r\nb\r\n")), "a\r\nb")
  t.same(resp.read(fake("$-1\r\n")), temblor.null)
  t.same(resp.read(fake("*-1\r\n")), temblor.null)
  t.same(resp.read(fake("*0\r\n")), {})
  local reply = resp.read(fake("*3\r\n$1\r\na\r\n:1\r\n*2\r\n+x\r\n-ERR inside\r\n"))
  t.same({ reply[1], reply[2], reply[3][1] }, { "a", 1, "x" })
  t.ok(resp.is_error(reply[3][2]), "an error inside an array")
  t.same(reply[3][2].message, "ERR inside")
  local err = resp.read(fake("-ERR unknown command 'FOO'\r\n"))
  t.ok(resp.is_error(err))
  t.same(err.message, "ERR unknown command 'FOO'")
  t.same(resp.encode({ "SET", "", "a\r\nb" }), "*3\r\n$3\r\nSET\r\n$0\r\n\r\n$4\r\na\r\nb\r\n")
end)

t.case("RESP: malformed or cut replies say why", function()
  local function why(data) return select(2, resp.read(fake(data))) end
  t.same(why("?\r\n"), "protocol error: unexpected reply '?'")
  t.same(why(":abc\r\n"), "protocol error: bad integer reply ':abc'")
  t.same(why("$-2\r\n"), "protocol error: bad bulk length '$-2'")
  t.same(why("$3\r\nabcXY"), "protocol error: a bulk string of 3 bytes does not end with CRLF")
  t.same(why("$5\r\nhel"), "closed")
  t.same(why("*2\r\n:1\r\n"), "closed")
  t.same(why(string.rep("*1\r\n", 40)), "protocol error: replies nested deeper than 32")
end)
