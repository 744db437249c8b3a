-- Neovim 0.11+, as the README says: the folder on 'runtimepath', then
-- vim.lsp.enable. (OJD_* variables are set by test/run.sh.)
vim.opt.runtimepath:append(os.getenv('OJD_NVIM_DIR'))
vim.lsp.config('openjd_ls', {
  cmd = { os.getenv('OJD_CMD') },
  settings = { openjd = { diagnostics = { debounceMs = 0 } } },
})
vim.lsp.enable('openjd_ls')
