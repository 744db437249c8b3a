-- Headless Neovim driver for openjd-lsp (works on Neovim 0.7.2 and later: it
-- uses vim.lsp.start_client + buf_attach_client, which every version has).
--
--   OJD_CMD="path/to/openjd-lsp" OJD_FILE=file OJD_OUT=out.json \
--   [OJD_HOVER="line:col"] [OJD_COMPLETION="line:col"] [OJD_SETTINGS='{"openjd":{...}}'] \
--   nvim --headless -u NONE -i NONE --cmd "set rtp^=editors/nvim" -c "luafile editors/nvim/test/e2e.lua"
--
-- Lines are 1-based, columns 0-based bytes (as nvim_win_set_cursor). Writes JSON:
--   { detect, server_info, diagnostics_received, diagnostics = [...], hover, completion = [labels], error }
-- and quits. Uses the shipped detection module (lua/openjd_ls/detect.lua) and the
-- settings/before_init of the shipped lsp/openjd_ls.lua.

local res = { diagnostics_received = false, diagnostics = {} }

local function getenv(name, default)
  local v = os.getenv(name)
  if v == nil or v == '' then
    return default
  end
  return v
end

local function position(spec)
  if not spec then
    return nil
  end
  local l, c = spec:match('^(%d+):(%d+)$')
  assert(l, 'bad position ' .. spec .. ' (want line:col)')
  return { tonumber(l), tonumber(c) }
end

local function write_out()
  local f = assert(io.open(assert(os.getenv('OJD_OUT'), 'OJD_OUT is not set'), 'w'))
  f:write(vim.fn.json_encode(res))
  f:close()
end

local ok, err = pcall(function()
  local file = assert(os.getenv('OJD_FILE'), 'OJD_FILE is not set')
  local cmd = vim.split(assert(os.getenv('OJD_CMD'), 'OJD_CMD is not set'), ' ', { trimempty = true })
  local timeout = tonumber(getenv('OJD_TIMEOUT_MS', '15000'))

  -- The shipped 0.11 config, for its settings and before_init.
  local shipped = dofile(getenv('OJD_CONFIG', 'editors/nvim/lsp/openjd_ls.lua'))
  local settings = shipped.settings
  if os.getenv('OJD_SETTINGS') then
    settings = vim.fn.json_decode(os.getenv('OJD_SETTINGS'))
  end

  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  local detect = require('openjd_ls.detect')
  res.detect = detect.detect(bufnr) or vim.NIL
  if os.getenv('OJD_DETECT_ONLY') == '1' then
    return
  end

  local uri = vim.uri_from_bufnr(bufnr)
  local id = vim.lsp.start_client({
    name = 'openjd_ls',
    cmd = cmd,
    root_dir = detect.root_for(vim.api.nvim_buf_get_name(bufnr)),
    settings = settings,
    before_init = shipped.before_init,
    handlers = {
      ['textDocument/publishDiagnostics'] = function(_, result)
        if result and result.uri == uri then
          res.diagnostics_received = true
          res.diagnostics = result.diagnostics
        end
      end,
    },
  })
  assert(id, 'vim.lsp.start_client failed')
  vim.lsp.buf_attach_client(bufnr, id)

  local ready = vim.wait(timeout, function()
    local c = vim.lsp.get_client_by_id(id)
    return c ~= nil and c.initialized == true
  end, 20)
  assert(ready, 'the server did not initialize within ' .. timeout .. ' ms')
  local client = vim.lsp.get_client_by_id(id)
  res.server_info = client.server_info or vim.NIL

  -- A client that can pull diagnostics (Neovim 0.11+) gets them by pull
  -- (textDocument/diagnostic) instead of publishDiagnostics: ask.
  local caps = vim.lsp.protocol.make_client_capabilities()
  if caps.textDocument and caps.textDocument.diagnostic and (client.server_capabilities or {}).diagnosticProvider then
    local r = vim.lsp.buf_request_sync(bufnr, 'textDocument/diagnostic', { textDocument = { uri = uri } }, timeout)
    for _, x in pairs(r or {}) do
      if x.result and x.result.items then
        res.diagnostics_received = true
        res.diagnostics = x.result.items
        res.pulled = true
      end
    end
  end
  vim.wait(timeout, function()
    return res.diagnostics_received
  end, 20)
  -- A server may publish an empty list first and the real one after analysis:
  -- give it a moment to settle.
  vim.wait(tonumber(getenv('OJD_SETTLE_MS', '300')), function()
    return false
  end, 20)

  local capability = {
    ['textDocument/hover'] = 'hoverProvider',
    ['textDocument/completion'] = 'completionProvider',
  }
  local function request(method, pos)
    local caps = client.server_capabilities or {}
    if not caps[capability[method]] then
      return { error = 'the server does not offer ' .. capability[method] }
    end
    vim.api.nvim_win_set_cursor(0, pos)
    local params = vim.lsp.util.make_position_params()
    local r, e = vim.lsp.buf_request_sync(bufnr, method, params, timeout)
    if not r then
      return { error = tostring(e) }
    end
    for _, x in pairs(r) do
      if x.err then
        return { error = x.err.message or vim.inspect(x.err) }
      end
      return { result = x.result }
    end
    return { result = vim.NIL }
  end

  local hover_pos = position(os.getenv('OJD_HOVER'))
  if hover_pos then
    local h = request('textDocument/hover', hover_pos)
    res.hover = h.result or vim.NIL
    res.hover_error = h.error
    if type(h.result) == 'table' and h.result.contents then
      local lines = vim.lsp.util.convert_input_to_markdown_lines(h.result.contents)
      res.hover_text = table.concat(lines, '\n')
    end
  end

  local completion_pos = position(os.getenv('OJD_COMPLETION'))
  if completion_pos then
    local c = request('textDocument/completion', completion_pos)
    res.completion_error = c.error
    local items = c.result
    if type(items) == 'table' and items.items then
      items = items.items
    end
    res.completion = {}
    for _, item in ipairs(type(items) == 'table' and items or {}) do
      table.insert(res.completion, item.label)
    end
  end

  vim.lsp.stop_client(id)
  vim.wait(2000, function()
    return vim.lsp.get_client_by_id(id) == nil
  end, 20)
end)

if not ok then
  res.error = tostring(err)
  io.stderr:write('e2e.lua: ' .. tostring(err) .. '\n')
end
pcall(write_out)
vim.cmd('qa!')
