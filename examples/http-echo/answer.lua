-- The answer to each request: its body back (the payload, unchanged), with the status the
-- request asks for in its query (?status=201; 200 otherwise) and a header saying who answered.
return {
  api = 1,
  name = "answer",
  defaults = { header = "x-answered-by", by = "temblor" },

  on_event = function(ctx, event, meta)
    local asked = tonumber((meta.request.query or ""):match("status=(%d%d%d)"))
    meta.response = {
      status = asked or 200,
      headers = { [ctx.config.header] = ctx.config.by },
    }
    return event
  end,
}
