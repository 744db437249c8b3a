-- `:OpenjdPreview [STEP]`, the "Preview session" code lenses' command, and
-- lenses kept fresh on the buffers openjd-lsp is attached to (Neovim 0.8+;
-- on 0.7, require('openjd_ls').setup() does it). See lua/openjd_ls/preview.lua.
if vim.g.loaded_openjd_ls_preview then
  return
end
vim.g.loaded_openjd_ls_preview = true
require('openjd_ls.preview').install()
