local t = require("temblor.test")
local csv = require("csv")

local USERS = "id,name,team\nu1,Ada Lovelace,core\nu2,Alan Turing,infra\n"

---Whether the plugin logged a message at `level` matching `pattern`, and how many times.
local function logged(p, level, pattern)
  local n = 0
  for _, entry in ipairs(p:logs()) do
    if entry.level == level and entry.message:find(pattern) then n = n + 1 end
  end
  return n
end

t.plugin("init.lua", { config = { path = "users.csv", key = "id", field = "user" } })

t.case("the matching row's columns join the event at the top level, meta kept", function(p)
  p:mock_fs({ ["users.csv"] = USERS })
  t.same(p:feed({ user = "u2", action = "login" }, { path = "in.jsonl" }), true)
  t.same(p:emitted(), { { payload = { user = "u2", action = "login", id = "u2", name = "Alan Turing", team = "infra" },
    meta = { path = "in.jsonl" } } })
  t.same(p:acked(), 1)
  t.ok(logged(p, "info", "^loaded 2 rows from users.csv$") == 1, "the load is logged")
end)

t.case("fields the event has are kept; a miss passes the event on unchanged", function(p)
  p:mock_fs({ ["users.csv"] = USERS })
  p:feed({ user = "u1", name = "ada" })
  p:feed({ user = "u9" })
  p:feed({ other = 1 })
  t.same(p:emitted(), {
    { payload = { user = "u1", name = "ada", id = "u1", team = "core" }, meta = {} },
    { payload = { user = "u9" }, meta = {} },
    { payload = { other = 1 }, meta = {} },
  })
  t.same(p:state().missed, 2)
end)

t.case("the file is re-read every check_ms: a changed row is used after the check", function(p)
  p:mock_fs({ ["users.csv"] = USERS })
  p:feed({ user = "u2" })
  p:mock_fs({ ["users.csv"] = "id,name,team\nu2,Alan Turing,research\nu3,Grace Hopper,compilers\n" })
  p:advance(4999)
  p:feed({ user = "u2" })
  p:advance(1)
  p:feed({ user = "u2" })
  p:feed({ user = "u3" })
  local teams = {}
  for i, e in ipairs(p:emitted()) do teams[i] = e.payload.team end
  t.same(teams, { "infra", "infra", "research", "compilers" })
  t.same(logged(p, "info", "^reloaded 2 rows from users.csv$"), 1)
end)

t.case("a file that no longer parses keeps the old table and is logged once, with its line", function(p)
  p:mock_fs({ ["users.csv"] = USERS })
  p:feed({ user = "u1" })
  p:mock_fs({ ["users.csv"] = "id,name,team\nu1,\"Ada\n" })
  p:advance(5000)
  p:feed({ user = "u1" })
  p:advance(5000)
  p:feed({ user = "u1" })
  t.same(logged(p, "error", "^users%.csv: line 2: a quoted field is not closed; the table loaded before stays in use$"), 1)
  p:mock_fs({})
  p:advance(5000)
  p:feed({ user = "u1" })
  t.same(logged(p, "error", "^cannot read users%.csv: .*; the table loaded before stays in use$"), 1)
  p:mock_fs({ ["users.csv"] = "id,name,team\nu1,Ada,new\n" })
  p:advance(5000)
  p:feed({ user = "u1" })
  local teams = {}
  for i, e in ipairs(p:emitted()) do teams[i] = e.payload.team end
  t.same(teams, { "core", "core", "core", "core", "new" })
  t.same(p:failed(), 0)
end)

t.case("a file missing or broken at start leaves the connector unconnected, saying why", function(p)
  p:mock_fs({ ["users.csv"] = "id,name\nu1,Ada,extra\n" })
  t.ok(not p:start(), "connect answered false")
  t.same(logged(p, "error", "^users%.csv: line 2: 3 fields, the header has 2$"), 1)
end)

t.plugin("init.lua", { config = { path = "users.csv", key = "id", field = "actor.id", target = "actor.profile", on_miss = "fail" } })

t.case("target: the row goes under a nested field; a number matches the column's text", function(p)
  p:mock_fs({ ["users.csv"] = "id,name\n7,Ada\n" })
  t.same(p:feed({ actor = { id = 7 } }), true)
  t.same(p:emitted()[1].payload, { actor = { id = 7, profile = { id = "7", name = "Ada" } } })
end)

t.case("on_miss = fail: a missing row or key field fails the event, nothing is emitted", function(p)
  p:mock_fs({ ["users.csv"] = "id,name\n7,Ada\n" })
  local ok, err = p:feed({ actor = { id = 8 } })
  t.same(ok, false)
  t.matches(err, "csv%-lookup: no row with id = '8' in users%.csv$")
  ok, err = p:feed({ actor = {} })
  t.same(ok, false)
  t.matches(err, "csv%-lookup: the event has no field 'actor%.id' to look up$")
  ok, err = p:feed({ actor = { id = { 7 } } })
  t.same(ok, false)
  t.matches(err, "csv%-lookup: field 'actor%.id' holds a list or an object; a key is a string or a number$")
  ok = p:feed({ actor = 5 })
  t.same(ok, false)
  t.same(p:emitted(), {})
  t.same(p:failed(), 4)
end)

t.case("the row replaces what the target held; an event that is not an object fails", function(p)
  p:mock_fs({ ["users.csv"] = "id,name\n7,Ada\n" })
  t.same(p:feed({ actor = { id = 7, profile = "x" } }), true)
  t.same(p:emitted()[1].payload.actor.profile, { id = "7", name = "Ada" })
  local ok, err = p:feed("not an object")
  t.same(ok, false)
  t.matches(err, "csv%-lookup: the event is not an object, so it cannot take the row's fields$")
  t.same(#p:emitted(), 1)
end)

t.plugin("init.lua", { config = { path = "users.csv", key = "id", target = "context.user" } })

t.case("a target below a field that is not an object fails the event, nothing emitted", function(p)
  p:mock_fs({ ["users.csv"] = "id,name\n7,Ada\n" })
  local ok, err = p:feed({ id = 7, context = "web" })
  t.same(ok, false)
  t.matches(err, "csv%-lookup: config.target 'context.user': field 'context' is not an object$")
  t.same(p:feed({ id = 7 }), true)
  t.same(p:emitted(), { { payload = { id = 7, context = { user = { id = "7", name = "Ada" } } }, meta = {} } })
  t.same(p:failed(), 1)
end)

t.plugin("init.lua", { config = { path = "users.csv", key = "id", on_miss = "drop", overwrite = true, delimiter = ";" } })

t.case("on_miss = drop acks without emitting; overwrite replaces fields; another delimiter", function(p)
  p:mock_fs({ ["users.csv"] = "id;name\nu1;Ada\n" })
  p:feed({ id = "u1", name = "old" })
  p:feed({ id = "u2" })
  t.same(p:emitted(), { { payload = { id = "u1", name = "Ada" }, meta = {} } })
  t.same(p:acked(), 2)
  t.same(p:state().missed, 1)
end)

t.case("RFC 4180: quotes, doubled quotes, delimiters and line breaks in quotes, CRLF, BOM", function()
  local text = "\239\187\191id,note,empty\r\n" .. "1,\"a, b\",\r\n" .. "2,\"say \"\"hi\"\"\",\"\"\r\n"
    .. "3,\"two\r\nlines\",x\r\n" .. "\r\n" .. "4,last,"
  local records, lines = csv.parse(text)
  t.same(records, { { "id", "note", "empty" }, { "1", "a, b", "" }, { "2", "say \"hi\"", "" },
    { "3", "two\r\nlines", "x" }, { "4", "last", "" } })
  t.same(lines, { 1, 2, 3, 4, 7 })
  t.same(csv.parse("a\rb\n"), { { "a" }, { "b" } })
end)

t.case("CSV mistakes are reported with their line", function()
  local function why(text, key) return select(2, csv.table(text, key or "id")) end
  t.same(why("id,n\n1,2\n3,\"x\"y\n"), "line 3: text after the closing quote of a field (a quote inside a field is written \"\")")
  t.same(why("id,n\n1,x\"y\n"), "line 2: a quote inside an unquoted field (quote the whole field and double its quotes)")
  t.same(why("id,n\n\"1\n2\",3\n4\n"), "line 4: 1 field, the header has 2")
  t.same(why("id,id\n"), "line 1: the header names 'id' twice")
  t.same(why("id,,x\n"), "line 1: column 2 of the header has no name")
  t.same(why("name\nAda\n"), "the header has no column 'id' (config.key); it has name")
  t.same(why(""), "the file is empty: it needs a header row")
  local rows, count, repeated = csv.table("id,n\n1,a\n1,b\n2,c\n", "id")
  t.same({ rows["1"].n, count, repeated }, { "a", 2, 1 })
end)
