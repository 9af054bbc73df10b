local t = require("temblor.test")

local URL = "http://127.0.0.1:9100/metrics"
local META = { scrape_url = URL }

-- Answers every scrape with `body` and records what each request asked. (When a scrape came is
-- read from p:now() between steps of the fake clock: p's methods cannot be called in a stub.)
local function serve(p, body)
  local requests = {}
  p:mock_http(function(request)
    requests[#requests + 1] = request
    return { status = 200, headers = { ["content-type"] = "text/plain; version=0.0.4" }, body = body }
  end)
  return requests
end

local function payloads(p)
  local out = {}
  for i, e in ipairs(p:emitted()) do out[i] = e.payload end
  return out
end

-- The example of the exposition format's documentation, with its comments and blank line.
local DOC_EXAMPLE = [[
# HELP http_requests_total The total number of HTTP requests.
# TYPE http_requests_total counter
http_requests_total{method="post",code="200"} 1027 1395066363000
http_requests_total{method="post",code="400"}    3 1395066363000

# A plain comment
# HELP process_open_fds Number of open file descriptors.
# TYPE process_open_fds gauge
process_open_fds 12
metric_without_timestamp_and_labels 12.47
]]

t.plugin(".", { config = { url = URL, scrapes = 1 }, allow = { net = { "127.0.0.1:9100" } } })

t.case("one event per sample: name, labels, value, type, help, timestamp_ms; meta scrape_url", function(p)
  local requests = serve(p, DOC_EXAMPLE)
  t.same(p:run_source(), 4)
  t.same(p:emitted(), {
    { payload = { name = "http_requests_total", labels = { method = "post", code = "200" }, value = 1027.0,
      type = "counter", help = "The total number of HTTP requests.", timestamp_ms = 1395066363000 }, meta = META },
    { payload = { name = "http_requests_total", labels = { method = "post", code = "400" }, value = 3.0,
      type = "counter", help = "The total number of HTTP requests.", timestamp_ms = 1395066363000 }, meta = META },
    { payload = { name = "process_open_fds", labels = temblor.object(), value = 12.0,
      type = "gauge", help = "Number of open file descriptors." }, meta = META },
    { payload = { name = "metric_without_timestamp_and_labels", labels = temblor.object(), value = 12.47,
      type = "untyped" }, meta = META },
  })
  t.same(#requests, 1)
  t.same(requests[1].method, "GET")
  t.same(requests[1].url, URL)
  t.same(requests[1].headers.accept, "text/plain;version=0.0.4;q=1.0,*/*;q=0.1")
  t.same(requests[1].timeout_ms, 10000)
  t.same(p:logs(), {})
end)

t.case("escapes in label values and HELP, blanks, a trailing comma, empty braces", function(p)
  serve(p, table.concat({
    [[msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\""} 1.458255915e9]],
    [[# HELP weird_metric A \\ backslash and a\nnewline]],
    [[weird_metric { a = "1" , b="2", } 7]],
    [[empty_labels{} 1]],
  }, "\n"))
  p:run_source()
  t.same(payloads(p), {
    { name = "msdos_file_access_time_seconds", labels = { path = "C:\\DIR\\FILE.TXT", error = 'Cannot find file:\n"FILE.TXT"' },
      value = 1458255915.0, type = "untyped" },
    { name = "weird_metric", labels = { a = "1", b = "2" }, value = 7.0, type = "untyped",
      help = "A \\ backslash and a\nnewline" },
    { name = "empty_labels", labels = temblor.object(), value = 1.0, type = "untyped" },
  })
end)

t.case("+Inf, -Inf and NaN are strings (JSON has no such numbers); exponents; negative timestamps", function(p)
  serve(p, table.concat({
    "# TYPE special gauge",
    'special{v="pinf"} +Inf',
    'special{v="ninf"} -Inf',
    'special{v="nan"} NaN',
    'special{v="exp"} -1.5e-3',
    'special{v="int"} 42 -1000',
  }, "\n"))
  p:run_source()
  local out = payloads(p)
  t.same({ out[1].value, out[2].value, out[3].value }, { "+Inf", "-Inf", "NaN" })
  t.near(out[4].value, -0.0015, 1e-15)
  t.same(out[5].value, 42.0)
  t.same(out[5].timestamp_ms, -1000)
  t.same(out[1].type, "gauge")
end)

t.case("histogram and summary samples keep their le and quantile labels and their family's type", function(p)
  serve(p, [[
# HELP http_request_duration_seconds A histogram of the request duration.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.05"} 24054
http_request_duration_seconds_bucket{le="+Inf"} 144320
http_request_duration_seconds_sum 53423
http_request_duration_seconds_count 144320
# HELP rpc_duration_seconds A summary of the RPC duration in seconds.
# TYPE rpc_duration_seconds summary
rpc_duration_seconds{quantile="0.99"} 76656
rpc_duration_seconds_sum 1.7560473e+07
rpc_duration_seconds_count 2693
]])
  p:run_source()
  local h = "A histogram of the request duration."
  local s = "A summary of the RPC duration in seconds."
  t.same(payloads(p), {
    { name = "http_request_duration_seconds_bucket", labels = { le = "0.05" }, value = 24054.0, type = "histogram", help = h },
    { name = "http_request_duration_seconds_bucket", labels = { le = "+Inf" }, value = 144320.0, type = "histogram", help = h },
    { name = "http_request_duration_seconds_sum", labels = temblor.object(), value = 53423.0, type = "histogram", help = h },
    { name = "http_request_duration_seconds_count", labels = temblor.object(), value = 144320.0, type = "histogram", help = h },
    { name = "rpc_duration_seconds", labels = { quantile = "0.99" }, value = 76656.0, type = "summary", help = s },
    { name = "rpc_duration_seconds_sum", labels = temblor.object(), value = 17560473.0, type = "summary", help = s },
    { name = "rpc_duration_seconds_count", labels = temblor.object(), value = 2693.0, type = "summary", help = s },
  })
end)

t.case("a malformed line is skipped with a warning naming its line; the rest is emitted", function(p)
  serve(p, table.concat({
    "# TYPE good counter",
    "good 1",
    'bad{label="x} 2',
    "9starts_with_digit 1",
    "novalue",
    'dup{a="1",a="2"} 1',
    'badesc{a="\\t"} 1',
    "# TYPE good2 gaugeish",
    "bigval 12abc",
    "good 2 notatime",
    'good{x="1"} 3',
  }, "\n"))
  t.same(p:run_source(), 2)
  t.same(payloads(p), {
    { name = "good", labels = temblor.object(), value = 1.0, type = "counter" },
    { name = "good", labels = { x = "1" }, value = 3.0, type = "counter" },
  })
  local expected = {
    { 3, "the value of label \"label\" has no closing '\"' %(column 12%): bad{label=\"x} 2$" },
    { 4, "expected a metric name %(column 1%)" },
    { 5, "expected a sample value %(column 8%)" },
    { 6, "label \"a\" appears twice %(column 11%)" },
    { 7, "invalid escape '\\t' in the value of label \"a\"" },
    { 8, 'unknown metric type "gaugeish"' },
    { 9, 'invalid sample value "12abc" %(column 8%)' },
    { 10, 'invalid timestamp "notatime" %(expected integer milliseconds%)' },
  }
  local logs = p:logs()
  t.same(#logs, #expected)
  for i, want in ipairs(expected) do
    t.same(logs[i].level, "warn")
    t.matches(logs[i].message, "^http://127%.0%.0%.1:9100/metrics line " .. want[1] .. " skipped: ")
    t.matches(logs[i].message, want[2])
  end
  t.same(p:state().bad_lines, 8)
end)

t.plugin(".", { config = { url = URL, scrapes = 3 } })

t.case("scrapes run every interval_ms (15 s by default) and the source ends after `scrapes`", function(p)
  local requests = serve(p, "up 1\n")
  t.same(p:run_source({ ms = 14999 }), 1)   -- the first scrape at once
  t.same(#requests, 1)
  p:advance(1)                              -- 15 s: the second
  t.same(#requests, 2)
  p:advance(14999)
  t.same(#requests, 2)
  p:advance(1)                              -- 30 s: the third, the last one
  t.same(#requests, 3)
  p:advance(60000)
  t.same(#requests, 3)
  t.same(#p:emitted(), 3)
  t.same(p:state().scrapes, 3)
end)

t.case("run to its end, the source returns after the last scrape", function(p)
  local requests = serve(p, "up 1\nup2 2\n")
  t.same(p:run_source(), 6)
  t.same(#requests, 3)
  t.same(p:now(), 30000)
end)

t.plugin(".", { config = { url = URL, interval_ms = 1000, scrapes = 3 } })

t.case("a failed scrape (an error, a status other than 200) is logged, counted, and tried again at the next interval", function(p)
  local calls = 0
  p:mock_http(function()
    calls = calls + 1
    if calls == 1 then return nil, "connection refused" end
    if calls == 2 then return { status = 503, body = "overloaded" } end
    return { status = 200, body = "up 1\n" }
  end)
  t.same(p:run_source({ ms = 999 }), 0)    -- refused at 0
  t.same(calls, 1)
  p:advance(1)                              -- 503 at 1 s
  t.same(calls, 2)
  t.same(#p:emitted(), 0)
  p:advance(1000)                           -- answered at 2 s
  t.same(calls, 3)
  t.same(payloads(p), { { name = "up", labels = temblor.object(), value = 1.0, type = "untyped" } })
  t.same(p:logs(), {
    { level = "warn", message = "scrape of " .. URL .. " failed: connection refused; trying again in 1000 ms" },
    { level = "warn", message = "scrape of " .. URL .. " failed: HTTP 503; trying again in 1000 ms" },
  })
  t.same(p:state().failures, 2)
end)

t.plugin(".", { config = { url = URL, labels = { job = "node", instance = "db-1:9100" } } })

t.case("an unending scraper on the fake clock; config labels win, a scraped one becomes exported_", function(p)
  local requests = serve(p, 'node_load1{instance="scraped"} 0.5\n')
  t.same(p:run_source({ ms = 20000 }), 2)
  t.same(#requests, 2)
  p:advance(9999)                                   -- the source sleeps until 30 s
  t.same(#requests, 2)
  p:advance(1)                                      -- and scrapes again
  t.same(#requests, 3)
  t.same(p:emitted()[3], { payload = {
    name = "node_load1", value = 0.5, type = "untyped",
    labels = { job = "node", instance = "db-1:9100", exported_instance = "scraped" },
  }, meta = META })
end)

t.plugin(".", { config = { interval_ms = 1000 } })

t.case("a missing url stops the source with the reason, and nothing is requested", function(p)
  local requests = serve(p, "up 1\n")
  pcall(p.run_source, p, { ms = 1000 })
  t.same(#requests, 0)
  t.same(#p:emitted(), 0)
  t.matches(p:errors()[1], "prometheus: config url must be an http:// or https:// URL, not missing")
end)
