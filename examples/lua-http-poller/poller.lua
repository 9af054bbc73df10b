-- An HTTP poller source: every interval_ms it GETs a JSON document from `url` and emits the
-- elements of its `items` array. When the document has a `next` cursor, the next poll asks
-- for what came after it (`?since=<next>`), so each item is emitted once; the cursor lives in
-- ctx.state, so it survives a restart of the plugin. `polls` > 0 ends the source after that
-- many polls (0 polls forever).
return {
  api = 1,
  name = "http-poller",
  defaults = { url = "http://127.0.0.1:8080/items", interval_ms = 1000, timeout_ms = 2000, polls = 0 },
  source = function(ctx)
    local c = ctx.config
    local done = 0
    while ctx:running() and (c.polls == 0 or done < c.polls) do
      done = done + 1
      local url = c.url
      if ctx.state.next ~= nil then
        url = url .. (url:find("?", 1, true) and "&" or "?") .. "since=" .. tostring(ctx.state.next)
      end
      local response, err = temblor.http.request{ url = url, headers = { accept = "application/json" }, timeout_ms = c.timeout_ms }
      if not response then
        ctx:log("warn", "GET " .. url .. ": " .. err)
      elseif response.status ~= 200 then
        ctx:log("warn", "GET " .. url .. ": HTTP " .. response.status)
      else
        local document, bad = temblor.json.decode(response.body)
        if not document then
          ctx:log("warn", "GET " .. url .. ": " .. bad)
        else
          for _, item in ipairs(document.items or {}) do ctx:emit(item, { url = url }) end
          if document.next ~= nil and document.next ~= temblor.null then ctx.state.next = document.next end
        end
      end
      if c.polls == 0 or done < c.polls then ctx:sleep(c.interval_ms) end
    end
  end,
}
