local M = {}
function M.f(e) seen = e return e end
return M
