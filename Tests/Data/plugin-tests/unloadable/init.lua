return { api = 1, on_evnet = function() end }
