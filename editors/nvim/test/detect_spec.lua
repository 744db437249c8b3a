-- Unit checks of lua/openjd_ls/detect.lua, run headless:
--   nvim --headless -u NONE -i NONE --cmd "set rtp^=editors/nvim" -c "luafile editors/nvim/test/detect_spec.lua"
-- Prints one line per failure and "detect: N passed, M failed"; exits 1 on failure.

local d = require('openjd_ls.detect')
local passed, failed = 0, 0

local function eq(name, got, want)
  if got == want then
    passed = passed + 1
  else
    failed = failed + 1
    io.stdout:write(string.format('FAIL %s: got %s, want %s\n', name, vim.inspect(got), vim.inspect(want)))
  end
end

local function y(text)
  return d.detect_yaml(vim.split(text, '\n', { plain = true }))
end

eq('job', y('specificationVersion: jobtemplate-2023-09\nname: J\n'), 'job')
eq('environment', y('specificationVersion: environment-2023-09\n'), 'environment')
eq('quoted', y('specificationVersion: "jobtemplate-2023-09"\n'), 'job')
eq('single quoted + comment', y("specificationVersion: 'environment-2023-09' # x\n"), 'environment')
eq('comment after value', y('specificationVersion: jobtemplate-2023-09  # v\n'), 'job')
eq('later revision', y('specificationVersion: jobtemplate-2026-02\n'), 'job')
eq('after other keys', y('name: J\nsteps: []\nspecificationVersion: jobtemplate-2023-09\n'), 'job')
eq('document marker and comments', y('# c\n---\nspecificationVersion: jobtemplate-2023-09\n'), 'job')
eq('CRLF', y('specificationVersion: jobtemplate-2023-09\r\nname: J\r\n'), 'job')
eq('BOM', y('\239\187\191specificationVersion: jobtemplate-2023-09\n'), 'job')
eq('flow mapping', y('{specificationVersion: jobtemplate-2023-09, name: J}\n'), 'job')
eq('nested key', y('template:\n  specificationVersion: jobtemplate-2023-09\n'), nil)
eq('block scalar', y('description: |\n  specificationVersion: jobtemplate-2023-09\n'), nil)
eq('AWS SAM', y("AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n"), nil)
eq('other value', y('specificationVersion: 2\n'), nil)
eq('second document', y('a: 1\n---\nspecificationVersion: jobtemplate-2023-09\n'), nil)
eq('empty', y(''), nil)

eq('json job', d.detect_json('{\n  "specificationVersion": "jobtemplate-2023-09",\n  "name": "J"\n}'), 'job')
eq('json after nested', d.detect_json('{"environment": {"specificationVersion": "x", "a": [1, {"b": 2}]}, "specificationVersion": "environment-2023-09"}'), 'environment')
eq('json nested only', d.detect_json('{"template": {"specificationVersion": "jobtemplate-2023-09"}}'), nil)
eq('json array root', d.detect_json('[{"specificationVersion": "jobtemplate-2023-09"}]'), nil)
eq('json value not key', d.detect_json('{"name": "specificationVersion", "x": "jobtemplate-2023-09"}'), nil)
eq('json escapes and comments', d.detect_json('// c\n{"d": "a \\" b", /* x */ "specificationVersion": "jobtemplate-2023-09"'), 'job')
eq('json other', d.detect_json('{"compilerOptions": {"strict": true}}'), nil)
eq('json half typed', d.detect_json('{"specificationVersion": '), nil)

eq('config file', d.is_config_file('/w/openjd-lsp.yaml'), true)
eq('hidden config file', d.is_config_file('/w/.openjd-lsp.yaml'), true)
eq('not config file', d.is_config_file('/w/openjd-lsp.yaml.bak'), false)
eq('version kind', d.kind_of_version('template-2023-09'), nil)

-- Buffers.
local function buf(name, lines, ft)
  local b = vim.api.nvim_create_buf(true, false)
  vim.api.nvim_buf_set_name(b, name)
  vim.api.nvim_buf_set_lines(b, 0, -1, false, lines)
  vim.bo[b].filetype = ft
  return b
end
eq('buffer yaml', d.detect(buf('/tmp/ojd-a/template.yaml', { 'specificationVersion: jobtemplate-2023-09' }, 'yaml')), 'job')
eq('buffer json', d.detect(buf('/tmp/ojd-a/t.json', { '{"specificationVersion":', ' "environment-2023-09"}' }, 'json')), 'environment')
eq('buffer config', d.detect(buf('/tmp/ojd-a/openjd-lsp.yaml', { 'queues: []' }, 'yaml')), 'config')
local far = {}
for i = 1, 60 do
  far[i] = 'k' .. i .. ': v'
end
far[61] = 'specificationVersion: jobtemplate-2023-09'
eq('buffer beyond max_lines', d.detect(buf('/tmp/ojd-a/far.yaml', far, 'yaml')), nil)
eq('is_openjd', d.is_openjd(buf('/tmp/ojd-a/sam.yaml', { 'Resources: {}' }, 'yaml')), false)

-- The shipped configs load and have the expected shape.
local cfg = dofile('editors/nvim/lsp/openjd_ls.lua')
eq('0.11 cmd', cfg.cmd[1], 'openjd-lsp')
eq('0.11 filetypes', table.concat(cfg.filetypes, ','), 'yaml,json')
eq('0.11 root_markers', table.concat(cfg.root_markers, ','), 'openjd-lsp.yaml,.openjd-lsp.yaml,.git')
-- No defaults spelled here (the server has them): an empty object, not a list.
eq('0.11 settings', vim.fn.json_encode(cfg.settings.openjd), '{}')
eq('0.11 root_dir', type(cfg.root_dir), 'function')
local params = {}
cfg.before_init(params, cfg)
eq('0.11 initializationOptions, nothing set', vim.fn.json_encode(params.initializationOptions), '{}')
params = {}
cfg.before_init(params, { settings = { openjd = { log = { level = 'debug' } } } })
eq('0.11 initializationOptions, a setting', params.initializationOptions.log.level, 'debug')
local lc = dofile('editors/nvim/lua/lspconfig/configs/openjd_ls.lua')
eq('lspconfig cmd', lc.default_config.cmd[1], 'openjd-lsp')
eq('lspconfig root_dir skips other yaml', lc.default_config.root_dir('/tmp/ojd-a/sam.yaml'), nil)
eq('lspconfig settings', vim.fn.json_encode(lc.default_config.settings.openjd), '{}')
-- The plugin entry point loads on every version.
eq('setup', type(require('openjd_ls').setup), 'function')

io.stdout:write(string.format('detect: %d passed, %d failed\n', passed, failed))
vim.cmd(failed == 0 and 'qa!' or 'cquit! 1')
