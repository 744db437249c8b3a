-- Marks OpenJD templates: sets b:openjd to 'job', 'environment' or 'config' on
-- YAML/JSON buffers that are Open Job Description templates (or openjd-lsp.yaml).
--
-- The filetype stays yaml/json on purpose: tree-sitter highlighting, YAML
-- ftplugins and yaml-language-server keep working, and openjd-lsp attaches by
-- content (see lsp/openjd_ls.lua). Use b:openjd in your own autocmds or
-- statusline, e.g. `vim.b.openjd and 'OpenJD ' .. vim.b.openjd`.
--
-- To use a filetype instead, set `vim.g.openjd_filetype = 'yaml.openjd'` before
-- this runs: templates in YAML then get that compound filetype (add it to the
-- `filetypes` of openjd_ls and of yaml-language-server if you do).

local group = vim.api.nvim_create_augroup('openjd_ftdetect', { clear = true })

local function mark(args)
  local ok, detect = pcall(require, 'openjd_ls.detect')
  if not ok then
    return
  end
  local kind = detect.detect(args.buf)
  vim.b[args.buf].openjd = kind
  local ft = vim.g.openjd_filetype
  if kind and type(ft) == 'string' and ft ~= '' and vim.bo[args.buf].filetype == 'yaml' then
    vim.bo[args.buf].filetype = ft
  end
end

vim.api.nvim_create_autocmd('FileType', {
  group = group,
  pattern = { 'yaml', 'json', 'jsonc' },
  callback = mark,
})
vim.api.nvim_create_autocmd('BufWritePost', {
  group = group,
  pattern = { '*.yaml', '*.yml', '*.json' },
  callback = mark,
})
