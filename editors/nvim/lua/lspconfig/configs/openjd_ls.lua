-- openjd-lsp for nvim-lspconfig's setup() framework (Neovim 0.8–0.10, or any
-- version with an nvim-lspconfig that still has `require('lspconfig').X.setup`).
--
-- With editors/nvim on 'runtimepath', nvim-lspconfig finds this file by name:
--
--   require('lspconfig').openjd_ls.setup({})
--
-- It attaches to YAML/JSON buffers that are OpenJD templates only: root_dir
-- returns nil (= do not attach) for every other buffer.

local detect = require('openjd_ls.detect')

return {
  default_config = {
    cmd = { 'openjd-lsp' },
    filetypes = { 'yaml', 'json' },
    root_dir = function(fname, bufnr)
      bufnr = bufnr or vim.fn.bufnr(fname)
      if bufnr == -1 or not detect.is_openjd(bufnr) then
        return nil
      end
      return detect.root_for(fname)
    end,
    single_file_support = true,
    settings = detect.default_settings(),
    before_init = function(params, config)
      local section = (config.settings or {}).openjd
      if type(section) ~= 'table' or next(section) == nil then
        section = vim.empty_dict()
      end
      params.initializationOptions = section
    end,
  },
  docs = {
    description = [[
openjd-lsp, the language server for Open Job Description job and environment
templates (YAML or JSON). Attached only to buffers whose first 50 lines hold a
top-level `specificationVersion: jobtemplate-…` or `environment-…`, and to
`openjd-lsp.yaml`.
]],
  },
}
