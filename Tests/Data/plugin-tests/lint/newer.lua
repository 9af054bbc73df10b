return { api = 2, on_event = function() end }
