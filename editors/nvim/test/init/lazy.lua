-- The folder as a lazy.nvim plugin, the spec of the README:
--
--   { dir = '…/editors/nvim', main = 'openjd_ls', opts = { … } }
--
-- lazy.nvim itself comes from GitHub, so this does by hand what it does for
-- such a spec at start-up: put the folder on 'runtimepath', source its
-- ftdetect/ files in the filetypedetect group and its plugin/ files, then
-- call require(main).setup(opts). (OJD_* variables are set by test/run.sh.)
local dir = os.getenv('OJD_NVIM_DIR')
local spec = {
  dir = dir,
  main = 'openjd_ls',
  opts = {
    cmd = { os.getenv('OJD_CMD') },
    settings = { openjd = { diagnostics = { debounceMs = 0 } } },
  },
}
vim.opt.runtimepath:append(spec.dir)
vim.cmd('augroup filetypedetect')
for _, f in ipairs(vim.fn.glob(spec.dir .. '/ftdetect/*.lua', false, true)) do
  dofile(f)
end
vim.cmd('augroup END')
for _, f in ipairs(vim.fn.glob(spec.dir .. '/plugin/**/*.lua', false, true)) do
  dofile(f)
end
require(spec.main).setup(spec.opts)
