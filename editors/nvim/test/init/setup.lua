-- Any Neovim from 0.7 on (Debian 12: 0.7.2), as the README says: the folder on
-- 'runtimepath', then require('openjd_ls').setup(). (OJD_* variables are set
-- by test/run.sh.)
vim.opt.runtimepath:append(os.getenv('OJD_NVIM_DIR'))
require('openjd_ls').setup({
  cmd = { os.getenv('OJD_CMD') },
  settings = { openjd = { diagnostics = { debounceMs = 0 } } },
})
