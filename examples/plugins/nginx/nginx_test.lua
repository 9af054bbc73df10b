local t = require("temblor.test")

-- The example of nginx's ngx_http_log_module documentation, in the combined format.
local DOC_LINE = '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 '
  .. '"http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"'

-- Feeds an event that must fail with `pattern`: it goes out on err unchanged with meta.error
-- saying why, is counted as failed, and nothing else goes out for it.
local function refuses(p, event, pattern)
  local before, failed = #p:emitted(), p:failed()
  local ok, err = p:feed(event)
  t.same(ok, false, "fed " .. tostring(event))
  t.matches(err, pattern)
  local out = p:emitted()
  t.same(#out, before + 1, "one event out for " .. tostring(event))
  t.same(out[#out].port, "err")
  t.same(out[#out].payload, event)
  t.matches(out[#out].meta.error, pattern)
  t.same(p:failed(), failed + 1)
end

t.plugin(".", { kind = "operator" })

t.case("the combined format: typed fields, the request split, time_local as RFC 3339", function(p)
  t.same(p:feed(DOC_LINE), true)
  t.same(p:emitted(), { { payload = {
    remote_addr = "127.0.0.1", remote_user = "frank", time_local = "2000-10-10T13:55:36-07:00",
    method = "GET", path = "/apache_pb.gif", protocol = "HTTP/1.0",
    status = 200, body_bytes_sent = 2326,
    http_referer = "http://www.example.com/start.html",
    http_user_agent = "Mozilla/4.08 [en] (Win98; I ;Nav)",
  }, meta = {} } })
  t.same(p:failed(), 0)
end)

t.case("'-' fields are left out; offsets +0000 and +0530", function(p)
  p:feed('192.0.2.10 - - [07/Dec/2026:09:15:02 +0000] "POST /api/v1/items?id=7 HTTP/2.0" 201 15 "-" "curl/8.5.0"')
  p:feed('192.0.2.11 - - [29/Feb/2024:23:59:59 +0530] "GET / HTTP/1.1" 304 0 "-" "-"')
  local out = p:emitted()
  t.same(out[1].payload, {
    remote_addr = "192.0.2.10", time_local = "2026-12-07T09:15:02+00:00",
    method = "POST", path = "/api/v1/items?id=7", protocol = "HTTP/2.0",
    status = 201, body_bytes_sent = 15, http_user_agent = "curl/8.5.0",
  })
  t.same(out[2].payload, {
    remote_addr = "192.0.2.11", time_local = "2024-02-29T23:59:59+05:30",
    method = "GET", path = "/", protocol = "HTTP/1.1", status = 304, body_bytes_sent = 0,
  })
end)

t.case("nginx's \\xHH escapes are undone when they give UTF-8 text", function(p)
  p:feed('203.0.113.5 - - [07/Dec/2026:09:15:03 +0000] "GET /caf\\xC3\\xA9?q=a\\x22b HTTP/1.1" 200 7 '
    .. '"https://example.com/?x=1" "Mozilla/5.0 \\x22quoted\\x22"')
  local out = p:emitted()[1].payload
  t.same(out.path, '/caf\u{E9}?q=a"b')
  t.same(out.http_user_agent, 'Mozilla/5.0 "quoted"')
  t.same(out.http_referer, "https://example.com/?x=1")
end)

t.case("a request line that is not HTTP is kept whole in request", function(p)
  p:feed('198.51.100.7 - - [07/Dec/2026:09:15:04 +0000] "\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xFC\\x03\\x03" 400 157 "-" "-"')
  p:feed('198.51.100.8 - - [07/Dec/2026:09:15:05 +0000] "" 400 0 "-" "-"')
  p:feed('198.51.100.9 - - [07/Dec/2026:09:15:06 +0000] "GET /old" 200 12 "-" "-"')
  local out = p:emitted()
  t.same(out[1].payload.request, "\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xFC\\x03\\x03")   -- not UTF-8: left escaped
  t.same(out[1].payload.method, nil)
  t.same(out[2].payload.request, "")
  t.same({ out[3].payload.method, out[3].payload.path, out[3].payload.protocol }, { "GET", "/old" })   -- HTTP/0.9
  t.same(out[3].payload.request, nil)
end)

t.case("malformed lines fail the event, saying what was expected where", function(p)
  refuses(p, "", "nginx: empty line")
  refuses(p, '127.0.0.1 - frank 10/Oct/2000:13:55:36 -0700 "GET / HTTP/1.1" 200 5 "-" "-"',
    'nginx: the line does not match log_format: expected " %[" after %$remote_user %(from column 13%)')
  refuses(p, DOC_LINE:sub(1, -2),
    'expected "\\"" at the end of the line, after %$http_user_agent')
  refuses(p, '10.1.2.3 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 2x0 612 "-" "-"',
    'nginx: %$status is "2x0" at column 60, expected an integer')
  refuses(p, '10.1.2.3 - - [29/Feb/2001:13:55:36 -0700] "GET / HTTP/1.1" 200 612 "-" "-"',
    'nginx: %$time_local "29/Feb/2001:13:55:36 %-0700" at column 15 is not a time like 10/Oct/2000:13:55:36 %-0700')
  refuses(p, '10.1.2.3 - - [10/Oct/2000:13:55:36] "GET / HTTP/1.1" 200 612 "-" "-"', "is not a time like")
  refuses(p, 42, "nginx: expected the event to be a log line or a table, got number")
  t.same(p:failed(), 7)
  t.same(p:acked(), 0)
  for _, e in ipairs(p:emitted()) do t.same(e.port, "err") end
  t.same(#p:emitted(), 7)
end)

t.plugin(".", { kind = "operator", config = { log_format = "main", field = "line" } })

t.case("the main format of the stock nginx.conf, from a table's field; other fields kept", function(p)
  p:feed({ line = DOC_LINE .. ' "198.51.100.1, 10.0.0.2"\n', host = "web-1" }, { path = "access.log" })
  t.same(p:emitted(), { { payload = {
    host = "web-1",
    remote_addr = "127.0.0.1", remote_user = "frank", time_local = "2000-10-10T13:55:36-07:00",
    method = "GET", path = "/apache_pb.gif", protocol = "HTTP/1.0",
    status = 200, body_bytes_sent = 2326,
    http_referer = "http://www.example.com/start.html",
    http_user_agent = "Mozilla/4.08 [en] (Win98; I ;Nav)",
    http_x_forwarded_for = "198.51.100.1, 10.0.0.2",
  }, meta = { path = "access.log" } } })
  refuses(p, { message = DOC_LINE }, 'nginx: the event has no string field "line" %(found nothing%)')
  t.same(p:failed(), 1)
end)

t.plugin(".", { kind = "operator", config = {
  log_format = '$remote_addr [$time_local] "$request" $status $request_time ${upstream_addr} $upstream_response_time $request_id',
  types = { upstream_response_time = "float" },
} })

t.case("a custom log_format with ${name}, floats and a type from config", function(p)
  p:feed('10.0.0.1 [07/Dec/2026:09:15:05 -0800] "GET /health HTTP/1.1" 200 0.004 10.0.1.5:8080 0.003 5f2b9c')
  p:feed('10.0.0.1 [07/Dec/2026:09:15:06 -0800] "GET /static/app.js HTTP/1.1" 200 0 - - 5f2b9d')
  local out = p:emitted()
  t.same(out[1].payload, {
    remote_addr = "10.0.0.1", time_local = "2026-12-07T09:15:05-08:00",
    method = "GET", path = "/health", protocol = "HTTP/1.1", status = 200,
    request_time = 0.004, upstream_addr = "10.0.1.5:8080", upstream_response_time = 0.003,
    request_id = "5f2b9c",
  })
  t.same(out[2].payload.request_time, 0.0)   -- a float, even when it reads 0
  t.same(out[2].payload.upstream_addr, nil)
  refuses(p, '10.0.0.1 [07/Dec/2026:09:15:05 -0800] "GET / HTTP/1.1" 200 fast 10.0.1.5:8080 0.003 x',
    'nginx: %$request_time is "fast" at column 60, expected a number')
end)

t.plugin(".", { kind = "operator", config = { log_format = "$remote_addr$remote_user [$time_local]" } })

t.case("a log_format with two variables side by side fails every event with the reason", function(p)
  refuses(p, DOC_LINE, "nginx: log_format: %$remote_addr and %$remote_user have no text between them, so they cannot be told apart")
  refuses(p, DOC_LINE, "cannot be told apart")
  t.same(p:failed(), 2)
end)

t.plugin(".", { kind = "operator", config = { log_format = "$status $ x" } })

t.case("a lone '$' in log_format is refused", function(p)
  refuses(p, "200 $ x", "nginx: log_format: '%$' at position 9 is not followed by a variable name")
  t.same(p:failed(), 1)
end)

t.plugin(".", { kind = "operator", config = { log_format = "$status $body_bytes_sent", types = { status = "boolean" } } })

t.case("config types accepts integer, float and string only", function(p)
  refuses(p, "200 512", 'nginx: config types.status must be "integer", "float" or "string", not "boolean"')
end)
