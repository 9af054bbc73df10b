local count = 0
return {
  api = 1,
  on_evnet = function(ctx, event)
    total = count + 1
    local r = temblor.http.request("http://127.0.0.1:1/x")
  end,
}
