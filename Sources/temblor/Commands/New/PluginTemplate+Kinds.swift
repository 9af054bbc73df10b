extension PluginTemplate {
    var plugin: String {
        switch kind {
        case .source:
            """
            -- \(name): a source. It emits `count` events, one every `interval_ms`, then ends.
            -- Its position is kept in ctx.state, so that a restarted state goes on from there.

            ---@type temblor.Plugin
            local plugin = {
              api = 1,
              name = "\(name)",
              defaults = { count = 3, interval_ms = 1000, message = "hello" },

              ---@param ctx temblor.Context
              source = function(ctx)
                local n = ctx.state.n or 0
                while ctx:running() and n < ctx.config.count do
                  n = n + 1
                  ctx.state.n = n
                  ctx:emit({ n = n, message = ctx.config.message, at_ms = ctx:now() })
                  ctx:sleep(ctx.config.interval_ms)
                end
              end,
            }

            return plugin

            """
        case .sink:
            """
            -- \(name): a sink. It appends each event as a line of JSON to the file `path`, which
            -- the flow grants it (allow.write). An event that is not an object fails, with why.

            ---@type temblor.Plugin
            local plugin = {
              api = 1,
              name = "\(name)",
              defaults = { path = "out.jsonl" },

              ---@param ctx temblor.Context
              ---@param event any
              on_event = function(ctx, event)
                if type(event) ~= "table" then
                  error("expected an object, got a " .. type(event) .. ": " .. tostring(event))
                end
                local written, err = temblor.fs.append(ctx.config.path, temblor.json.encode(event) .. "\\n")
                if not written then error("cannot write " .. ctx.config.path .. ": " .. err) end
                ctx.state.written = (ctx.state.written or 0) + 1
              end,

              ---@param ctx temblor.Context
              on_drain = function(ctx)
                ctx:log("info", "wrote " .. (ctx.state.written or 0) .. " events to " .. ctx.config.path)
              end,
            }

            return plugin

            """
        case .connector:
            """
            -- \(name): a connector with both sides. It adds the field `field` to each event and
            -- forwards it with its metadata; it counts what it saw in ctx.state.

            ---@type temblor.Plugin
            local plugin = {
              api = 1,
              name = "\(name)",
              defaults = { field = "seen_by", value = "\(name)" },

              ---@param ctx temblor.Context
              ---@param event any
              ---@param meta temblor.Meta
              on_event = function(ctx, event, meta)
                if type(event) ~= "table" then
                  error("expected an object, got a " .. type(event) .. ": " .. tostring(event))
                end
                event[ctx.config.field] = ctx.config.value
                ctx.state.seen = (ctx.state.seen or 0) + 1
                ctx:emit(event, meta)
              end,
            }

            return plugin

            """
        case .operator:
            """
            -- \(name): a pipeline operator. It drops events whose `level` is `drop_level`, sends
            -- events that are not objects to its `rejected` port, and marks the others.

            ---@type temblor.Plugin
            local plugin = {
              api = 1,
              name = "\(name)",
              ports = { "rejected" },
              defaults = { drop_level = "debug" },

              ---@param ctx temblor.Context
              ---@param event any
              on_event = function(ctx, event)
                if type(event) ~= "table" then return event, "rejected" end
                if event.level == ctx.config.drop_level then return nil end
                event.checked = true
                return event
              end,
            }

            return plugin

            """
        }
    }

    var test: String {
        switch kind {
        case .source:
            """
            -- Run with: temblor test .
            local t = require("temblor.test")

            t.plugin("init.lua", { config = { count = 3, interval_ms = 500 } })

            t.case("emits count events, one every interval_ms, then ends", function(p)
              t.same(p:run_source(), 3)
              local times = {}
              for i, event in ipairs(p:emitted()) do times[i] = event.payload.at_ms end
              t.same(times, { 0, 500, 1000 })
              t.same(p:emitted()[3].payload, { n = 3, message = "hello", at_ms = 1000 })
              t.same(p:state(), { n = 3 })
            end)

            t.case("stops after a part of the events when asked", function(p)
              t.same(p:run_source({ events = 2 }), 2)
              t.same(p:state(), { n = 2 })
            end)

            """
        case .sink:
            """
            -- Run with: temblor test .
            local t = require("temblor.test")

            t.plugin("init.lua", { config = { path = "events.jsonl" }, allow = { write = { "events.jsonl" } } })

            t.case("appends each event as a line of JSON", function(p)
              p:mock_fs({})
              p:feed({ msg = "hi" })
              p:feed({ msg = "there" })
              t.same(p:acked(), 2)
              t.same(p:files(), { ["events.jsonl"] = '{"msg":"hi"}\\n{"msg":"there"}\\n' })
            end)

            t.case("an event that is not an object fails, and nothing is written", function(p)
              p:mock_fs({})
              local ok, err = p:feed("just text")
              t.same(ok, false)
              t.matches(err, "expected an object, got a string")
              t.same(p:failed(), 1)
              t.same(p:files(), {})
            end)

            t.plugin("init.lua", { config = { path = "elsewhere.jsonl" }, allow = { write = { "events.jsonl" } } })

            t.case("a file the flow does not grant fails the event with what to grant", function(p)
              p:mock_fs({})
              local ok, err = p:feed({ msg = "hi" })
              t.same(ok, false)
              t.matches(err, "allow.write")
            end)

            """
        case .connector:
            """
            -- Run with: temblor test .
            local t = require("temblor.test")

            t.plugin("init.lua", { config = { field = "x", value = "temblor" } })

            t.case("adds the field and forwards the event with its metadata", function(p)
              p:feed({ msg = "hi" }, { path = "a.log" })
              t.same(p:emitted(), { { payload = { msg = "hi", x = "temblor" }, meta = { path = "a.log" } } })
              t.same(p:acked(), 1)
              t.same(p:failed(), 0)
              t.same(p:state(), { seen = 1 })
            end)

            t.case("an event that is not an object fails, and nothing goes on", function(p)
              local ok, err = p:feed(42)
              t.same(ok, false)
              t.matches(err, "expected an object, got a number")
              t.same(p:emitted(), {})
              t.same(p:failed(), 1)
            end)

            """
        case .operator:
            """
            -- Run with: temblor test .
            local t = require("temblor.test")

            t.plugin("init.lua", { kind = "operator", config = { drop_level = "debug" } })

            t.case("drops drop_level, marks the others", function(p)
              p:feed({ level = "debug", msg = "noise" })
              p:feed({ level = "info", msg = "kept" })
              t.same(p:emitted(), { { payload = { level = "info", msg = "kept", checked = true }, meta = {} } })
              t.same(p:acked(), 2)
            end)

            t.case("sends what is not an object to rejected", function(p)
              p:feed("plain text")
              t.same(p:emitted(), { { payload = "plain text", meta = {}, port = "rejected" } })
            end)

            """
        }
    }

    var fixtureInput: String {
        switch kind {
        case .source: #"{"count": 2, "interval_ms": 250}"# + "\n"
        case .sink, .connector: #"{"msg": "hi"}"# + "\n" + #"{"msg": "there"}"# + "\n"
        case .operator: #"{"level": "debug", "msg": "noise"}"# + "\n" + #"{"level": "info", "msg": "kept"}"# + "\n"
        }
    }

    var fixtureExpected: String {
        switch kind {
        case .source: #"{"payload": {"n": 1, "message": "hello", "at_ms": 0}}"# + "\n" + #"{"payload": {"n": 2, "message": "hello", "at_ms": 250}}"# + "\n"
        case .sink: ""
        case .connector:
            #"{"payload": {"msg": "hi", "seen_by": "\#(name)"}}"# + "\n" + #"{"payload": {"msg": "there", "seen_by": "\#(name)"}}"# + "\n"
        case .operator: #"{"payload": {"level": "info", "msg": "kept", "checked": true}}"# + "\n"
        }
    }

    var flow: String {
        switch kind {
        case .source:
            """
            # Run with: temblor run flow.yaml (writes out.jsonl)
            connectors:
              \(name):
                type: lua
                plugin: init.lua
                config: { count: 3, interval_ms: 100 }
              out:
                type: file
                config: { path: out.jsonl, mode: truncate }
            links:
              - \(name) -> out

            """
        case .sink:
            """
            # Run with: temblor run flow.yaml (appends to out.jsonl)
            connectors:
              in:
                type: file
                config: { path: fixtures/basic/input.jsonl, mode: read }
              \(name):
                type: lua
                plugin: init.lua
                config: { path: out.jsonl }
                allow: { write: [out.jsonl] }
            links:
              - in -> \(name)

            """
        case .connector:
            """
            # Run with: temblor run flow.yaml (writes out.jsonl)
            connectors:
              in:
                type: file
                config: { path: fixtures/basic/input.jsonl, mode: read }
              \(name):
                type: lua
                plugin: init.lua
              out:
                type: file
                config: { path: out.jsonl, mode: truncate }
            links:
              - in -> \(name)
              - \(name) -> out

            """
        case .operator:
            """
            # Run with: temblor run flow.yaml (writes out.jsonl and rejected.jsonl)
            connectors:
              in:
                type: file
                config: { path: fixtures/basic/input.jsonl, mode: read }
              out:
                type: file
                config: { path: out.jsonl, mode: truncate }
              rejected:
                type: file
                config: { path: rejected.jsonl, mode: truncate }
            pipelines:
              main:
                - lua: { script: init.lua }
            links:
              - in -> main
              - main -> out
              - main/rejected -> rejected

            """
        }
    }
}
