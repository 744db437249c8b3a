-- openjd-lsp for any Neovim from 0.7 on, and the entry point of this folder as
-- a plugin (lazy.nvim: `{ dir = '…/editors/nvim', main = 'openjd_ls', opts = {} }`).
--
--   require('openjd_ls').setup({
--     cmd = { '/path/to/openjd-lsp' },                        -- default { 'openjd-lsp' }
--     settings = { openjd = { log = { level = 'debug' } } },  -- only what you change
--     on_attach = function(client, bufnr) end,                -- optional
--     capabilities = nil,                                     -- optional
--   })
--
-- Neovim 0.11 and later: passes the options to vim.lsp.config('openjd_ls', …)
-- and calls vim.lsp.enable('openjd_ls'), i.e. the config in lsp/openjd_ls.lua.
--
-- Neovim 0.7 – 0.10 (Debian 12 has 0.7.2): on each YAML/JSON buffer that is an
-- OpenJD template (lua/openjd_ls/detect.lua) it starts the server, one per
-- root folder, and attaches it — with vim.lsp.start where it exists (0.8+),
-- else vim.lsp.start_client + vim.lsp.buf_attach_client. Other YAML/JSON
-- never reaches the server.

local M = {}

local detect = require('openjd_ls.detect')
local preview = require('openjd_ls.preview')

local function has_new_api()
  return vim.lsp.config ~= nil and vim.lsp.enable ~= nil
end

--- The settings to send: the user's `openjd` section, or an empty object
--- (the server has the defaults).
local function openjd_section(settings)
  local section = (settings or {}).openjd
  if section == nil or next(section) == nil then
    return vim.empty_dict()
  end
  return section
end

-- 0.7 – 0.10: client ids by root folder.
local clients = {}

local function attach(bufnr, opts)
  if not vim.api.nvim_buf_is_valid(bufnr) or not detect.is_openjd(bufnr) then
    return
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  local root = detect.root_for(name)
  local section = openjd_section(opts.settings)
  local config = {
    name = 'openjd_ls',
    cmd = opts.cmd or { 'openjd-lsp' },
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    settings = { openjd = section },
    init_options = section,
    on_attach = function(client, b)
      preview.attach(client, b)
      if opts.on_attach then
        opts.on_attach(client, b)
      end
    end,
    capabilities = opts.capabilities,
  }
  if vim.lsp.start then
    -- 0.8+: reuses the client with the same name and root_dir.
    vim.lsp.start(config, { bufnr = bufnr })
    return
  end
  local id = clients[root]
  local client = id and vim.lsp.get_client_by_id(id)
  if not client or client.is_stopped() then
    id = vim.lsp.start_client(config)
    clients[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
end

--- Sets up openjd-lsp. `opts`: cmd, settings ({ openjd = { … } }),
--- on_attach, capabilities; on 0.11+ anything vim.lsp.config takes.
function M.setup(opts)
  opts = opts or {}
  -- `:OpenjdPreview` and the "Preview session" lenses' command (plugin/ does
  -- it too when this folder is loaded as a plugin).
  preview.install()
  if has_new_api() then
    if next(opts) ~= nil then
      vim.lsp.config('openjd_ls', opts)
    end
    vim.lsp.enable('openjd_ls')
    return
  end
  local group = vim.api.nvim_create_augroup('openjd_ls', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = { 'yaml', 'json', 'jsonc' },
    callback = function(args)
      attach(args.buf, opts)
    end,
  })
  -- Buffers already open when setup runs (a plugin manager loading late).
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    local ft = vim.api.nvim_buf_is_loaded(bufnr) and vim.bo[bufnr].filetype or ''
    if ft == 'yaml' or ft == 'json' or ft == 'jsonc' then
      attach(bufnr, opts)
    end
  end
end

return M
