-- "Preview session": what a job's session runs, action by action, each command
-- one shell line — the server's answer to its command `openjd.previewSession`
-- (arguments: the job's URI and a step name or vim.NIL; answer: { title, text }),
-- shown in a read-only scratch buffer in a split.
--
-- The server puts a code lens "Preview session" on the job's `name` and one on
-- each step's; `vim.lsp.codelens.run()` on that line runs the command through
-- the handler registered here. `:OpenjdPreview [STEP]` asks for the current
-- buffer's job (or one step). Lenses are refreshed on the buffers the server
-- is attached to (M.attach).
--
-- Plain Lua on the Neovim API of 0.7 and later.

local M = {}

M.command = 'openjd.previewSession'
--- Preview buffers by name, reused when the same preview is asked again.
M.buffers = {}

local function clients_of(bufnr)
  if vim.lsp.get_clients then
    return vim.lsp.get_clients({ bufnr = bufnr, name = 'openjd_ls' })
  end
  local out = {}
  for _, c in pairs(vim.lsp.buf_get_clients(bufnr)) do
    if c.name == 'openjd_ls' then
      table.insert(out, c)
    end
  end
  return out
end

local function notify(msg, level)
  vim.notify('openjd-lsp: ' .. msg, level or vim.log.levels.ERROR)
end

--- Shows a preview ({ title, text }) read-only in a split; returns its buffer.
function M.show(preview)
  local name = 'openjd-preview://' .. preview.title
  local lines = vim.split(preview.text, '\n', { plain = true })
  if lines[#lines] == '' then
    table.remove(lines)
  end
  local buf = M.buffers[name]
  if not (buf and vim.api.nvim_buf_is_valid(buf)) then
    buf = vim.api.nvim_create_buf(false, true) -- unlisted scratch: buftype=nofile
    vim.api.nvim_buf_set_name(buf, name)
    vim.bo[buf].swapfile = false
    vim.bo[buf].bufhidden = 'hide'
    M.buffers[name] = buf
  end
  vim.bo[buf].readonly = false
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  vim.bo[buf].readonly = true
  vim.bo[buf].modified = false
  local win = vim.fn.bufwinid(buf)
  if win ~= -1 then
    vim.api.nvim_set_current_win(win)
  else
    vim.cmd('vsplit')
    vim.api.nvim_win_set_buf(0, buf)
  end
  return buf
end

local function request(client, method, params, handler, bufnr)
  if vim.fn.has('nvim-0.11') == 1 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

--- Asks `client` for the preview (`args`: { jobUri, step or vim.NIL }) and
--- shows it; `done(buf)` afterwards, if given.
function M.run(client, bufnr, args, done)
  request(client, 'workspace/executeCommand', { command = M.command, arguments = args }, function(err, result)
    if err then
      notify('no session preview: ' .. (err.message or vim.inspect(err)))
      return
    end
    if type(result) ~= 'table' or type(result.title) ~= 'string' or type(result.text) ~= 'string' then
      notify('unexpected answer to ' .. M.command .. ': ' .. vim.inspect(result))
      return
    end
    local buf = M.show(result)
    if done then
      done(buf)
    end
  end, bufnr)
end

--- The handler of the lens's command (vim.lsp.commands / a client's commands).
function M.lens_handler(command, ctx)
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  if not client then
    notify('the language server is gone')
    return
  end
  M.run(client, ctx.bufnr, command.arguments or {})
end

--- `:OpenjdPreview [STEP]` in a job template's buffer.
function M.preview_buffer(bufnr, step)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local client = clients_of(bufnr)[1]
  if not client then
    notify('not attached to this buffer (is it a job template?)')
    return
  end
  M.run(client, bufnr, { vim.uri_from_bufnr(bufnr), (step and step ~= '') and step or vim.NIL })
end

--- Step names of the buffer's lenses, for completing `:OpenjdPreview`.
function M.steps(bufnr)
  local out = {}
  for _, lens in ipairs(vim.lsp.codelens.get(bufnr or 0)) do
    local step = lens.command and lens.command.arguments and lens.command.arguments[2]
    if type(step) == 'string' then
      table.insert(out, step)
    end
  end
  return out
end

local function refresh(bufnr)
  if vim.fn.has('nvim-0.10') == 1 then
    vim.lsp.codelens.refresh({ bufnr = bufnr })
  elseif vim.api.nvim_get_current_buf() == bufnr then
    vim.lsp.codelens.refresh() -- 0.7 – 0.9: the current buffer
  end
end

--- Keeps the lenses of `bufnr` shown (and fresh) when `client` has them.
function M.attach(client, bufnr)
  if client.name ~= 'openjd_ls' or not (client.server_capabilities or {}).codeLensProvider then
    return
  end
  if vim.b[bufnr].openjd_lenses then
    return
  end
  vim.b[bufnr].openjd_lenses = true
  vim.api.nvim_create_autocmd({ 'BufEnter', 'InsertLeave', 'TextChanged', 'CursorHold' }, {
    group = vim.api.nvim_create_augroup('openjd_lenses_' .. bufnr, { clear = true }),
    buffer = bufnr,
    callback = function()
      refresh(bufnr)
    end,
  })
  refresh(bufnr)
end

--- The lens command, `:OpenjdPreview` and (0.8+) lenses on every buffer the
--- server attaches to. Idempotent.
function M.install()
  vim.lsp.commands[M.command] = M.lens_handler
  vim.api.nvim_create_user_command('OpenjdPreview', function(opts)
    M.preview_buffer(0, opts.args)
  end, {
    nargs = '?',
    desc = 'openjd-lsp: preview the session of this job (or of one step)',
    complete = function()
      return M.steps(0)
    end,
  })
  -- LspAttach exists from 0.8 on; 0.7 gets M.attach from setup()'s on_attach.
  pcall(vim.api.nvim_create_autocmd, 'LspAttach', {
    group = vim.api.nvim_create_augroup('openjd_ls_preview', { clear = true }),
    callback = function(args)
      local client = args.data and vim.lsp.get_client_by_id(args.data.client_id)
      if client then
        M.attach(client, args.buf)
      end
    end,
  })
end

return M
