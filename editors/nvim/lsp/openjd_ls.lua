-- openjd-lsp: language server for Open Job Description templates.
--
-- Neovim 0.11+:
--
--   vim.lsp.enable('openjd_ls')
--   -- optional overrides:
--   vim.lsp.config('openjd_ls', { settings = { openjd = { log = { level = 'debug' } } } })
--
-- The server is started for YAML and JSON buffers, but only attached to OpenJD
-- templates: root_dir calls on_dir() only when the first 50 lines hold a
-- top-level `specificationVersion: jobtemplate-…|environment-…` (or the buffer
-- is openjd-lsp.yaml), so other YAML/JSON (AWS SAM, Kubernetes, package.json,
-- …) never reaches it. A buffer that becomes a template while you type it is
-- picked up after `:edit`.

local markers = { 'openjd-lsp.yaml', '.openjd-lsp.yaml', '.git' }

local ok, detect = pcall(require, 'openjd_ls.detect')
if not ok then
  -- This file was copied on its own: a small inline detector.
  detect = {
    is_openjd = function(bufnr)
      local name = vim.api.nvim_buf_get_name(bufnr)
      local base = vim.fs.basename(name)
      if base == 'openjd-lsp.yaml' or base == '.openjd-lsp.yaml' then
        return true
      end
      local lines = vim.api.nvim_buf_get_lines(bufnr, 0, 50, false)
      if name:match('%.json$') or vim.bo[bufnr].filetype == 'json' then
        local text = table.concat(lines, '\n')
        return text:match('^%s*{.-"specificationVersion"%s*:%s*"%l+%-%d%d%d%d%-%d%d"') ~= nil
      end
      for _, line in ipairs(lines) do
        local v = line:match('^["\']?specificationVersion["\']?%s*:%s*["\']?(%l+)%-%d%d%d%d%-%d%d')
        if v == 'jobtemplate' or v == 'environment' then
          return true
        end
      end
      return false
    end,
  }
end

---@type vim.lsp.Config
return {
  cmd = { 'openjd-lsp' },
  filetypes = { 'yaml', 'json' },
  root_markers = markers,
  root_dir = function(bufnr, on_dir)
    if not detect.is_openjd(bufnr) then
      return -- not an OpenJD template: do not attach
    end
    on_dir(vim.fs.root(bufnr, markers) or vim.fs.dirname(vim.api.nvim_buf_get_name(bufnr)))
  end,
  settings = {
    openjd = {
      diagnostics = { debounceMs = 50 },
      log = { level = 'info' }, -- error | warn | info | debug | trace
      hints = { wrappedActions = true },
      -- Queues whose environment templates wrap the jobs submitted to them
      -- (paths relative to the root, outermost first); the server's default is none:
      -- queues = {
      --   { name = 'render', environments = { 'queue_environments/docker.yaml' }, jobs = { 'job_bundles/**/template.yaml' } },
      -- },
    },
  },
  -- The same settings go in initializationOptions, so they apply from the start.
  before_init = function(params, config)
    params.initializationOptions = (config.settings or {}).openjd
  end,
}
