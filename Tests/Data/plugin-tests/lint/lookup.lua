local table_ = {}
local function load(ctx)
  local text, err = temblor.fs.read(ctx.config.path)
  if not text then ctx:log("error", err) return end
  table_ = {}
  for line in text:gmatch("[^\n]+") do local k, v = line:match("([^,]+),(.*)"); table_[k] = v end
end
return {
  api = 1,
  defaults = { path = "table.csv" },
  on_start = function(ctx) load(ctx); ctx:every(5000, load) end,
  on_event = function(ctx, event) event.name = table_[event.id]; ctx:emit(event) end,
}
