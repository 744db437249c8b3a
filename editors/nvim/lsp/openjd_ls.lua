---@brief
---
--- https://github.com/OpenJobDescription/openjd-lsp
---
--- openjd-lsp, the language server for Open Job Description job and environment
--- templates (YAML or JSON, specification 2023-09 with its extensions): diagnostics,
--- completion and hover (also inside `{{ }}`), which environment's wrap hook runs
--- instead of each action, navigation, rename.
---
--- Install the server with `cargo install --locked --path .` in its repository (or take
--- a release binary) so that `openjd-lsp` is on `PATH`, then:
---
--- ```lua
--- vim.lsp.enable('openjd_ls')
--- ```
---
--- The server is registered for `yaml` and `json` buffers but attached only to OpenJD
--- templates: `root_dir` calls `on_dir()` only when the first 50 lines hold a top-level
--- `specificationVersion: jobtemplate-…` or `environment-…`, or the buffer is the queue
--- configuration `openjd-lsp.yaml`. Other YAML/JSON (AWS SAM, Kubernetes,
--- `package.json`) never reaches it. A buffer that becomes a template while you type it
--- is picked up after `:edit`.
---
--- Settings go in `settings.openjd` (sent as `initializationOptions` too); the server
--- has the defaults, so set only what you change:
---
--- ```lua
--- vim.lsp.config('openjd_ls', {
---   settings = { openjd = { log = { level = 'debug' }, diagnostics = { debounceMs = 100 } } },
--- })
--- ```
---
--- Every setting, with its default: the "Settings" table of the openjd-lsp README.

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
  -- The server has the defaults; an empty object (not a list) when nothing is set.
  settings = { openjd = vim.empty_dict() },
  -- The same settings go in initializationOptions, so they apply from the start.
  before_init = function(params, config)
    local section = (config.settings or {}).openjd
    if type(section) ~= 'table' or next(section) == nil then
      section = vim.empty_dict()
    end
    params.initializationOptions = section
  end,
}
