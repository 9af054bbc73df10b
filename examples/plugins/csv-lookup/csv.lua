-- RFC 4180 CSV: records end with CRLF (or LF, or a lone CR); fields are separated by the
-- delimiter; a field in double quotes may hold the delimiter, line breaks and quotes (doubled:
-- `""`). Fields are found with string.find rather than byte by byte, so that a table of some
-- megabytes parses within a call's instruction budget.
local M = {}

---Parses `text` into records (lists of strings). Blank lines are skipped. Returns the records
---and the line each starts on, or nil and what is wrong, with its line.
---@param text string
---@param delimiter? string one character, "," by default
---@return string[][]|nil records
---@return integer[]|string lines_or_error
function M.parse(text, delimiter)
  delimiter = delimiter or ","
  if text:sub(1, 3) == "\239\187\191" then text = text:sub(4) end       -- a UTF-8 byte order mark
  local stop_at = "[%" .. delimiter .. "\r\n\"]"
  local records, lines = {}, {}
  local record, quoted_any = {}, false
  local pos, len, line, record_line = 1, #text, 1, 1
  while true do
    local value
    if text:sub(pos, pos) == '"' then
      quoted_any = true
      local parts, start, opened = {}, pos + 1, line
      while true do
        local q = text:find('"', start, true)
        if not q then return nil, "line " .. opened .. ": a quoted field is not closed" end
        parts[#parts + 1] = text:sub(start, q - 1)
        if text:sub(q + 1, q + 1) == '"' then
          parts[#parts + 1] = '"'
          start = q + 2
        else
          pos = q + 1
          break
        end
      end
      value = table.concat(parts)
      -- Line breaks inside the quotes still move the line count on.
      local rest, crlf = value:gsub("\r\n", "")
      local _, single = rest:gsub("[\r\n]", "")
      line = line + crlf + single
      local after = text:sub(pos, pos)
      if after ~= delimiter and after ~= "\r" and after ~= "\n" and after ~= "" then
        return nil, "line " .. line .. ": text after the closing quote of a field (a quote inside a field is written \"\")"
      end
    else
      local stop = text:find(stop_at, pos)
      if stop and text:sub(stop, stop) == '"' then
        return nil, "line " .. line .. ": a quote inside an unquoted field (quote the whole field and double its quotes)"
      end
      value = text:sub(pos, (stop or len + 1) - 1)
      pos = stop or len + 1
    end
    record[#record + 1] = value
    local at = text:sub(pos, pos)
    if at == delimiter then
      pos = pos + 1
    else
      if at == "\r" and text:sub(pos + 1, pos + 1) == "\n" then pos = pos + 2 elseif at ~= "" then pos = pos + 1 end
      if not (#record == 1 and record[1] == "" and not quoted_any) then
        records[#records + 1] = record
        lines[#lines + 1] = record_line
      end
      record, quoted_any = {}, false
      line = line + 1
      record_line = line
      if pos > len then break end
    end
  end
  return records, lines
end

---Parses a CSV table with a header row into rows keyed by the `key` column. Returns the map,
---the number of rows and how many repeated keys were left out (the first row of a key wins),
---or nil and what is wrong.
---@param text string
---@param key string
---@param delimiter? string
function M.table(text, key, delimiter)
  local records, lines = M.parse(text, delimiter)
  if not records then return nil, lines end
  local header = records[1]
  if not header then return nil, "the file is empty: it needs a header row" end
  local column, seen = nil, {}
  for i, name in ipairs(header) do
    if name == "" then return nil, "line " .. lines[1] .. ": column " .. i .. " of the header has no name" end
    if seen[name] then return nil, "line " .. lines[1] .. ": the header names '" .. name .. "' twice" end
    seen[name] = true
    if name == key then column = i end
  end
  if not column then return nil, "the header has no column '" .. key .. "' (config.key); it has " .. table.concat(header, ", ") end
  local rows, count, repeated = {}, 0, 0
  for r = 2, #records do
    local record = records[r]
    if #record ~= #header then
      return nil, "line " .. lines[r] .. ": " .. #record .. (#record == 1 and " field" or " fields") .. ", the header has " .. #header
    end
    local k = record[column]
    if rows[k] then
      repeated = repeated + 1
    else
      local row = {}
      for i, name in ipairs(header) do row[name] = record[i] end
      rows[k] = row
      count = count + 1
    end
  end
  return rows, count, repeated
end

return M
