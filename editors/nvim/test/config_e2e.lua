-- End-to-end check of a user's set-up (test/init/*.lua, the README's recipes):
-- nothing here starts or attaches the server; the set-up under test does.
--
--   OJD_NVIM_DIR=editors/nvim OJD_CMD=target/release/openjd-lsp OJD_OUT=out.json \
--   OJD_BROKEN=… OJD_JOB=… OJD_ENV=… OJD_OTHER=… \
--   nvim --headless -i NONE -u editors/nvim/test/init/setup.lua -c 'luafile editors/nvim/test/config_e2e.lua'
--
-- Opens, in one session, a broken template (diagnostics must arrive), a clean job
-- (no diagnostics; hover on a task's onRun), an environment with wrap hooks
-- (completion right after `{{` in onWrapTaskRun) and a YAML file that is no
-- template (the server must not attach). Writes what it saw as JSON to OJD_OUT.
-- Runs on Neovim 0.7.2 and later.

local res = {}
local timeout = tonumber(os.getenv('OJD_TIMEOUT_MS') or '15000')

local function clients_of(bufnr)
  local out = {}
  if vim.lsp.get_clients then
    return vim.lsp.get_clients({ bufnr = bufnr, name = 'openjd_ls' })
  end
  for _, c in pairs(vim.lsp.buf_get_clients(bufnr)) do
    if c.name == 'openjd_ls' then
      table.insert(out, c)
    end
  end
  return out
end

local function all_clients()
  local out = {}
  local list = vim.lsp.get_clients and vim.lsp.get_clients() or vim.lsp.get_active_clients()
  for _, c in pairs(list) do
    if c.name == 'openjd_ls' then
      table.insert(out, c)
    end
  end
  return out
end

local function open(path)
  vim.cmd('edit ' .. vim.fn.fnameescape(path))
  return vim.api.nvim_get_current_buf()
end

local function attached(bufnr)
  return vim.wait(timeout, function()
    local cs = clients_of(bufnr)
    return #cs > 0 and cs[1].initialized ~= false
  end, 20)
end

--- 0-based line and UTF-16 column of the first match of `pattern` at or
--- after the first line matching `after` (+ `offset` characters).
local function find(bufnr, pattern, offset, after)
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  local start = 1
  if after then
    for i, l in ipairs(lines) do
      if l:find(after) then
        start = i
        break
      end
    end
  end
  for i = start, #lines do
    local s = lines[i]:find(pattern)
    if s then
      return { line = i - 1, character = s - 1 + offset }
    end
  end
  error('no ' .. pattern .. ' in ' .. vim.api.nvim_buf_get_name(bufnr))
end

local function request(bufnr, method, params)
  local r, e = vim.lsp.buf_request_sync(bufnr, method, params, timeout)
  if not r then
    return nil, tostring(e)
  end
  for _, x in pairs(r) do
    if x.err then
      return nil, x.err.message or vim.inspect(x.err)
    end
    return x.result
  end
  return nil, 'no answer'
end

local function text_of(contents)
  if type(contents) == 'string' then
    return contents
  end
  if type(contents) == 'table' then
    if contents.value then
      return contents.value
    end
    local parts = {}
    for _, c in ipairs(contents) do
      table.insert(parts, text_of(c))
    end
    return table.concat(parts, '\n')
  end
  return ''
end

local ok, err = pcall(function()
  res.nvim = tostring(vim.version and vim.version() and string.format('%d.%d.%d', vim.version().major, vim.version().minor, vim.version().patch))

  -- A broken template: attached, diagnostics arrive.
  local broken = open(os.getenv('OJD_BROKEN'))
  res.broken_attached = attached(broken)
  vim.wait(timeout, function()
    return #vim.diagnostic.get(broken) > 0
  end, 20)
  res.broken_diagnostics = #vim.diagnostic.get(broken)

  -- A clean job: attached, no problems (asked of the server, and none shown),
  -- and hover on a task's onRun names what wraps it.
  local job = open(os.getenv('OJD_JOB'))
  res.job_attached = attached(job)
  local uri = vim.uri_from_bufnr(job)
  local report, report_err = request(job, 'textDocument/diagnostic', { textDocument = { uri = uri } })
  res.job_pulled = report and report.items and #report.items or vim.NIL
  res.job_pull_error = report_err
  vim.wait(500, function()
    return false
  end, 20)
  res.job_shown = #vim.diagnostic.get(job)
  local hover, hover_err = request(job, 'textDocument/hover', {
    textDocument = { uri = uri },
    position = find(job, 'onRun', 1, '^steps:'),
  })
  res.hover_text = hover and text_of(hover.contents) or vim.NIL
  res.hover_error = hover_err

  -- "Preview session": the lenses on the job's and each step's name; running
  -- the job's (vim.lsp.codelens.run on its line, as a user does) opens the
  -- preview read-only in a split; :OpenjdPreview STEP asks for one step.
  vim.wait(timeout, function()
    return #vim.lsp.codelens.get(job) >= 3
  end, 20)
  res.lenses = {}
  local job_lens
  for _, lens in ipairs(vim.lsp.codelens.get(job)) do
    table.insert(res.lenses, lens.command and lens.command.title or vim.NIL)
    if lens.command and lens.command.arguments and lens.command.arguments[2] == vim.NIL then
      job_lens = lens
    end
  end
  local function preview_buffer(pattern)
    local found
    vim.wait(timeout, function()
      for _, b in ipairs(vim.api.nvim_list_bufs()) do
        local name = vim.api.nvim_buf_get_name(b)
        if name:find(pattern, 1, true) and vim.api.nvim_buf_line_count(b) > 3 then
          found = b
          return true
        end
      end
      return false
    end, 20)
    return found
  end
  local function describe(b)
    if not b then
      return vim.NIL
    end
    local text = table.concat(vim.api.nvim_buf_get_lines(b, 0, -1, false), '\n')
    local ok_edit = pcall(vim.api.nvim_buf_set_lines, b, 0, 0, false, { 'edited' })
    return {
      name = vim.api.nvim_buf_get_name(b),
      head = text:sub(1, 400),
      queue_env = text:find('Docker (queue) onEnter', 1, true) ~= nil,
      frames_48 = text:find('[Frame=48]', 1, true) ~= nil,
      steps = text:match('Steps in run order: ([^\n]*)'),
      wrapped_line = text:find('$ bash ', 1, true) ~= nil,
      buftype = vim.bo[b].buftype,
      modifiable = vim.bo[b].modifiable,
      editable = ok_edit,
      shown = vim.fn.bufwinid(b) ~= -1,
    }
  end
  if job_lens then
    vim.api.nvim_set_current_buf(job)
    vim.api.nvim_win_set_cursor(0, { job_lens.range.start.line + 1, 0 })
    vim.lsp.codelens.run()
    res.lens_preview = describe(preview_buffer('template.yaml — session preview'))
  end
  vim.cmd('only')
  vim.api.nvim_set_current_buf(job)
  vim.cmd('OpenjdPreview Encode')
  res.step_preview = describe(preview_buffer('template.yaml — step Encode — session preview'))
  vim.cmd('only')

  local env = open(os.getenv('OJD_ENV'))
  res.env_attached = attached(env)
  local items, completion_err = request(env, 'textDocument/completion', {
    textDocument = { uri = vim.uri_from_bufnr(env) },
    position = find(env, '{{WrappedAction%.Command', 2, 'onWrapTaskRun:'),
  })
  if type(items) == 'table' and items.items then
    items = items.items
  end
  res.completion = {}
  for _, item in ipairs(type(items) == 'table' and items or {}) do
    table.insert(res.completion, item.label)
  end
  res.completion_error = completion_err

  -- :OpenjdPreview where there is no job: an error message, no buffer.
  local messages = {}
  local notify = vim.notify
  vim.notify = function(msg)
    table.insert(messages, msg)
  end
  vim.cmd('OpenjdPreview')
  vim.wait(timeout, function()
    return #messages > 0
  end, 20)
  vim.notify = notify
  res.env_preview_message = messages[1] or vim.NIL

  -- YAML that is not a template: never attached.
  local other = open(os.getenv('OJD_OTHER'))
  vim.wait(1000, function()
    return #clients_of(other) > 0
  end, 20)
  res.other_filetype = vim.bo[other].filetype
  res.other_attached = #clients_of(other) > 0

  -- One server for the folder's templates.
  res.clients = #all_clients()
end)

if not ok then
  res.error = tostring(err)
  io.stderr:write('config_e2e.lua: ' .. tostring(err) .. '\n')
end
local f = io.open(assert(os.getenv('OJD_OUT'), 'OJD_OUT is not set'), 'w')
if f then
  f:write(vim.fn.json_encode(res))
  f:close()
end
for _, c in ipairs(all_clients()) do
  vim.lsp.stop_client(c.id)
end
vim.wait(2000, function()
  return #all_clients() == 0
end, 20)
vim.cmd('qa!')
