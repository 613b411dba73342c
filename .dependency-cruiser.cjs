/**
 * Layers point one way: cli → engine → operators, drivers, sim, reports, sources → domain → core.
 * `arb` (the arbitrage engine's pure core) sits beside them and uses only domain and core.
 * `npm test` fails on a cycle or an import against the arrows.
 */
const layer = (name, mayNotImport) => ({
  name: `${name}-layering`,
  severity: 'error',
  comment: `src/${name} must not import ${mayNotImport.join(', ')}`,
  from: { path: `^src/${name}/` },
  to: { path: `^src/(${mayNotImport.join('|')})/` },
});

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    { name: 'core-is-the-bottom', severity: 'error', from: { path: '^src/core/' }, to: { path: '^src/(?!core/)' } },
    layer('domain', ['config', 'engine', 'operators', 'drivers', 'sim', 'reports', 'sources', 'market', 'emulator', 'arb']),
    layer('operators', ['config', 'engine', 'drivers/(?!exchange-driver)', 'sim', 'reports', 'emulator']),
    layer('drivers', ['config', 'engine', 'operators', 'reports', 'emulator']),
    layer('sim', ['config', 'engine', 'operators', 'reports', 'emulator']),
    layer('reports', ['config', 'engine', 'operators', 'drivers', 'sim', 'emulator']),
    layer('sources', ['config', 'engine', 'operators', 'drivers', 'sim', 'reports', 'emulator']),
    layer('market', ['config', 'engine', 'operators', 'drivers', 'sim', 'reports', 'emulator']),
    layer('config', ['engine', 'operators', 'drivers', 'sim', 'reports', 'emulator', 'faults/(?!fault-schedule)']),
    layer('faults', ['config', 'engine', 'operators', 'drivers/(?!exchange-driver)', 'sim', 'reports', 'sources', 'market', 'journal', 'emulator', 'arb']),
    layer('arb', ['config', 'engine', 'operators', 'drivers', 'sim', 'reports', 'sources', 'market', 'journal', 'emulator']),
    { name: 'only-cli-uses-cli', severity: 'error', from: { path: '^src/(?!cli)' }, to: { path: '^src/cli\\.ts$' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
