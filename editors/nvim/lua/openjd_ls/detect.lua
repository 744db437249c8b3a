-- Content-based detection of Open Job Description templates.
--
-- A YAML or JSON buffer is an OpenJD template when one of its first lines
-- (50 by default) holds a top-level `specificationVersion` whose value is
-- `jobtemplate-YYYY-MM` or `environment-YYYY-MM` (2023-09 today; later
-- revisions are accepted so that the server can say they are unsupported).
-- `openjd-lsp.yaml` / `.openjd-lsp.yaml`, the server's workspace configuration
-- file, is also handed to the server.
--
-- Plain Lua on the Neovim API that exists since 0.7, so it runs in every
-- supported Neovim.

local M = {}

M.max_lines = 50
M.config_files = { 'openjd-lsp.yaml', '.openjd-lsp.yaml' }

--- 'job' | 'environment' | nil for a specificationVersion value.
function M.kind_of_version(value)
  if type(value) ~= 'string' then
    return nil
  end
  local prefix = value:match('^%s*(%l+)%-%d%d%d%d%-%d%d%s*$')
  if prefix == 'jobtemplate' then
    return 'job'
  elseif prefix == 'environment' then
    return 'environment'
  end
  return nil
end

local function yaml_scalar(raw)
  local s = vim.trim(raw or '')
  local q = s:sub(1, 1)
  if q == '"' or q == "'" then
    local close = s:find(q, 2, true)
    return close and s:sub(2, close - 1) or s:sub(2)
  end
  s = s:gsub('%s+#.*$', '')
  return vim.trim(s)
end

--- Kind of a YAML text given as a list of lines, or nil.
function M.detect_yaml(lines)
  local saw_content = false
  for i, line in ipairs(lines) do
    if i == 1 then
      line = line:gsub('^\239\187\191', '') -- UTF-8 BOM
    end
    line = line:gsub('\r$', '')
    if line:sub(1, 3) == '---' then
      if saw_content then
        return nil -- a second document
      end
    elseif line:sub(1, 3) == '...' then
      return nil
    elseif line:match('^%s*$') or line:match('^%s*#') or line:sub(1, 1) == '%' then
      -- blank, comment or directive
    else
      saw_content = true
      -- A key of the root mapping starts at column 0.
      local value = line:match('^specificationVersion%s*:(.*)$')
        or line:match('^"specificationVersion"%s*:(.*)$')
        or line:match("^'specificationVersion'%s*:(.*)$")
      if value then
        return M.kind_of_version(yaml_scalar(value))
      end
      if line:sub(1, 1) == '{' then
        local v = line:match('[{,]%s*["\']?specificationVersion["\']?%s*:%s*["\']?([%w%-]+)')
        if v then
          return M.kind_of_version(v)
        end
      end
    end
  end
  return nil
end

--- Kind of a JSON text (a string), or nil: a "specificationVersion" member of
--- the root object. Tolerates comments and a text that is still being typed.
function M.detect_json(text)
  local depth, i, n = 0, 1, #text
  local expect_key, pending_key = false, nil
  while i <= n do
    local c = text:sub(i, i)
    if c == '"' then
      local j, buf = i + 1, {}
      while j <= n do
        local d = text:sub(j, j)
        if d == '\\' then
          buf[#buf + 1] = text:sub(j + 1, j + 1)
          j = j + 2
        elseif d == '"' then
          break
        else
          buf[#buf + 1] = d
          j = j + 1
        end
      end
      local s = table.concat(buf)
      i = j + 1
      if depth == 1 then
        if expect_key then
          pending_key, expect_key = s, false
        elseif pending_key == 'specificationVersion' then
          return M.kind_of_version(s)
        end
      end
    else
      if c == '{' or c == '[' then
        if depth == 0 and c == '[' then
          return nil
        end
        if depth == 1 then
          pending_key = nil
        end
        depth = depth + 1
        if depth == 1 then
          expect_key = true
        end
      elseif c == '}' or c == ']' then
        depth = depth - 1
        if depth <= 0 then
          return nil
        end
      elseif c == ',' and depth == 1 then
        expect_key, pending_key = true, nil
      elseif c == '/' and text:sub(i + 1, i + 1) == '/' then
        local nl = text:find('\n', i, true)
        i = nl and nl - 1 or n
      elseif c == '/' and text:sub(i + 1, i + 1) == '*' then
        local close = text:find('*/', i + 2, true)
        i = close and close + 1 or n
      elseif depth == 0 and not c:match('%s') and c ~= '\239' and c ~= '\187' and c ~= '\191' then
        return nil
      end
      i = i + 1
    end
  end
  return nil
end

local function basename(path)
  return (path or ''):match('([^/\\]+)$') or ''
end

function M.is_config_file(path)
  return vim.tbl_contains(M.config_files, basename(path))
end

--- 'job' | 'environment' | 'config' | nil for a buffer (0 = current).
function M.detect(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if not vim.api.nvim_buf_is_valid(bufnr) then
    return nil
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  local ft = vim.bo[bufnr].filetype
  local is_json = ft == 'json' or ft == 'jsonc' or name:match('%.json$') ~= nil
  if not is_json and M.is_config_file(name) then
    return 'config'
  end
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, M.max_lines, false)
  if is_json then
    return M.detect_json(table.concat(lines, '\n'))
  end
  return M.detect_yaml(lines)
end

--- True when the buffer should be served by openjd-lsp.
function M.is_openjd(bufnr)
  return M.detect(bufnr) ~= nil
end

--- Directory to use as the workspace root for a file: the nearest folder
--- upwards with openjd-lsp.yaml, .openjd-lsp.yaml or .git, else the file's folder.
function M.root_for(path)
  local dir = vim.fn.fnamemodify(path, ':p:h')
  local markers = { 'openjd-lsp.yaml', '.openjd-lsp.yaml', '.git' }
  local d = dir
  while d and d ~= '' do
    for _, m in ipairs(markers) do
      if (vim.uv or vim.loop).fs_stat(d .. '/' .. m) then
        return d
      end
    end
    local parent = vim.fn.fnamemodify(d, ':h')
    if parent == d then
      break
    end
    d = parent
  end
  return dir
end

--- The `openjd` settings to send when the user sets none: an empty object
--- (not a list, which is how Lua would encode `{}`). The server has the
--- defaults; its README's "Settings" table lists them.
function M.default_settings()
  return { openjd = vim.empty_dict() }
end

return M
