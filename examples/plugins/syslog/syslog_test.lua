local t = require("temblor.test")

local BOM = "\239\187\191"

-- The four examples of RFC 5424 section 6.5.
local EXAMPLE1 = "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - " .. BOM
  .. "'su root' failed for lonvick on /dev/pts/8"
local EXAMPLE2 = "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts."
local EXAMPLE3 = "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
  .. '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] ' .. BOM
  .. "An application event log entry..."
local EXAMPLE4 = "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
  .. '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]'

local EXAMPLE_SD = {
  iut = "3", eventSource = "Application", eventID = "1011",
}

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

t.case("RFC 5424 example 1: NILVALUEs left out, the BOM stripped", function(p)
  t.same(p:feed(EXAMPLE1), true)
  t.same(p:emitted(), { { payload = {
    facility = 4, severity = 2, facility_name = "auth", severity_name = "crit", version = 1,
    timestamp = "2003-10-11T22:14:15.003Z", hostname = "mymachine.example.com", app_name = "su",
    msgid = "ID47", message = "'su root' failed for lonvick on /dev/pts/8",
  }, meta = {} } })
  t.same(p:failed(), 0)
end)

t.case("RFC 5424 example 2: a 6-digit fraction, an offset, PROCID, a MSG without BOM", function(p)
  p:feed(EXAMPLE2)
  t.same(p:emitted()[1].payload, {
    facility = 20, severity = 5, facility_name = "local4", severity_name = "notice", version = 1,
    timestamp = "2003-08-24T05:14:15.000003-07:00", hostname = "192.0.2.1", app_name = "myproc",
    procid = "8710", message = "%% It's time to make the do-nuts.",
  })
end)

t.case("RFC 5424 example 3: structured data and a message", function(p)
  p:feed(EXAMPLE3)
  t.same(p:emitted()[1].payload, {
    facility = 20, severity = 5, facility_name = "local4", severity_name = "notice", version = 1,
    timestamp = "2003-10-11T22:14:15.003Z", hostname = "mymachine.example.com",
    app_name = "evntslog", msgid = "ID47",
    structured_data = { ["exampleSDID@32473"] = EXAMPLE_SD },
    message = "An application event log entry...",
  })
end)

t.case("RFC 5424 example 4: two SD elements and no MSG", function(p)
  p:feed(EXAMPLE4)
  local out = p:emitted()[1].payload
  t.same(out.structured_data, {
    ["exampleSDID@32473"] = EXAMPLE_SD,
    ["examplePriority@32473"] = { class = "high" },
  })
  t.same(out.message, nil)
  t.same(out.app_name, "evntslog")
end)

t.case("SD param values: escapes, an invalid escape kept, a repeated param, an empty element", function(p)
  p:feed('<13>1 - - - - - [a@1 q="say \\"hi\\"" b="back\\\\slash" r="[x\\]" n="new\\nline" ip="1" ip="2"][empty@1] ')
  t.same(p:emitted()[1].payload, {
    facility = 1, severity = 5, facility_name = "user", severity_name = "notice", version = 1,
    structured_data = {
      ["a@1"] = { q = 'say "hi"', b = "back\\slash", r = "[x]", n = "new\\nline", ip = { "1", "2" } },
      ["empty@1"] = temblor.object(),
    },
    message = "",
  })
end)

t.plugin(".", { kind = "operator", config = { field = "line" } })

t.case("a table event: the line is read from config.field, the other fields and meta are kept", function(p)
  p:feed({ line = EXAMPLE2 .. "\r\n", source = "relay-1" }, { path = "syslog.jsonl" })
  t.same(p:emitted(), { { payload = {
    source = "relay-1",
    facility = 20, severity = 5, facility_name = "local4", severity_name = "notice", version = 1,
    timestamp = "2003-08-24T05:14:15.000003-07:00", hostname = "192.0.2.1", app_name = "myproc",
    procid = "8710", message = "%% It's time to make the do-nuts.",
  }, meta = { path = "syslog.jsonl" } } })
  refuses(p, { message = EXAMPLE1 }, 'syslog: the event has no string field "line" %(found nothing%)')
  refuses(p, 42, "syslog: expected the event to be a syslog line or a table, got number")
  t.same(p:failed(), 2)
  t.same(#p:emitted(), 3)   -- the parsed event, and the two failed ones on err
end)

t.plugin(".", { kind = "operator" })

t.case("malformed PRI and VERSION fail the event with the column", function(p)
  refuses(p, "<192>1 - - - - - -", "PRI 192 out of range %(0 to 191%) at column 2")
  refuses(p, "<>1 - - - - - -", "empty PRI at column 2")
  refuses(p, "<1234>1 - - - - - -", "PRI has more than 3 digits at column 2")
  refuses(p, "34>1 - - - - - -", "expected '<' to open the PRI at column 1")
  refuses(p, "<34>Oct 11 22:14:15 mymachine su: 'su root' failed",
    "expected VERSION %(this looks like an RFC 3164 line%) at column 5")
  refuses(p, "<34>2 - - - - - -", "unsupported VERSION 2 %(only 1 is defined%) at column 5")
  t.same(p:failed(), 6)
  t.same(p:acked(), 0)
end)

t.case("malformed header fields fail the event with the column", function(p)
  refuses(p, "<34>1 2003-10-11 22:14:15Z host app - - -",
    'invalid TIMESTAMP "2003%-10%-11": expected YYYY%-MM%-DDThh:mm:ss%[%.frac%]%(Z|%+hh:mm|%-hh:mm%) at column 7')
  refuses(p, "<34>1 2003-02-29T22:14:15Z host app - - -", 'day 29 of month 02 at column 15')
  refuses(p, "<34>1 2003-10-11T22:14:60Z host app - - -", "leap seconds are not allowed%) at column 24")
  refuses(p, "<34>1 2003-10-11T22:14:15.1234567Z host app - - -", "1 to 6 digits at column 26")
  refuses(p, "<34>1 2003-10-11T22:14:15+0200 host app - - -", "expected the offset Z, %+hh:mm or %-hh:mm at column 26")
  refuses(p, "<34>1 - host  app - - -", "empty APP%-NAME %(a space too many%?%) at column 14")
  refuses(p, "<34>1 - host " .. string.rep("a", 49) .. " - - -", "APP%-NAME is 49 characters long, at most 48 are allowed at column 14")
  refuses(p, "<34>1 - host app - -", "unexpected end of line after MSGID at column 21")
  t.same(p:failed(), 8)
end)

t.case("malformed structured data fails the event with the column", function(p)
  local head = "<34>1 - host app - ID47 "
  refuses(p, head .. "x", "expected STRUCTURED%-DATA %('%-' or '%['%) at column 25")
  refuses(p, head .. '[id@1 a="1"', "expected '%]' or a space and an SD%-PARAM in SD%-ELEMENT \"id@1\" at column 36")
  refuses(p, head .. '[id@1 a="open]', "unterminated PARAM%-VALUE %(no closing '\"'%) at column 33")
  refuses(p, head .. '[id@1 a=1]', "expected '\"' to open the value of \"a\" at column 33")
  refuses(p, head .. '[id@1][id@1]', 'SD%-ID "id@1" appears twice at column 32')
  refuses(p, head .. '[id@1]msg', "expected a space between STRUCTURED%-DATA and MSG at column 31")
  refuses(p, temblor.bytes(head .. "- " .. BOM .. "\255"), "MSG starts with a BOM but is not valid UTF%-8 at column 30")
  t.same(p:failed(), 7)
end)

t.case("bytes (a binary codec): a MSG without BOM may be any octets, and stays bytes", function(p)
  t.same(p:feed(temblor.bytes("<14>1 - host app - - - caf\233 au lait")), true)
  t.same(p:emitted()[1].payload, {
    facility = 1, severity = 6, facility_name = "user", severity_name = "info", version = 1,
    hostname = "host", app_name = "app", message = temblor.bytes("caf\233 au lait"),
  })
end)

t.plugin(".", { kind = "operator", config = { on_error = "drop" } })

t.case("on_error must be raise or route", function(p)
  refuses(p, EXAMPLE1, 'syslog: config on_error must be "raise" or "route", not "drop"')
  t.same(p:failed(), 1)
end)

t.plugin(".", { kind = "operator", config = { on_error = "route" } })

t.case("on_error = route: a malformed line goes out unchanged on the port invalid", function(p)
  p:feed("<999>1 - - - - - - oops", { path = "in.log" })
  p:feed(EXAMPLE2)
  local out = p:emitted()
  t.same(out[1], {
    payload = "<999>1 - - - - - - oops", port = "invalid",
    meta = { path = "in.log", error = "syslog: PRI 999 out of range (0 to 191) at column 2" },
  })
  t.same(out[2].port, nil)
  t.same(out[2].payload.procid, "8710")
  t.same(#out, 2)
  t.same(p:failed(), 0)
end)
