/**
 * The layering rule (npm run lint:layers, in npm test): src/ is layered in the order the data flows,
 * and a folder imports only from folders below it. The public entry (src/index.ts) sits on top.
 *   util      argument and duration helpers, nothing of the domain
 *   core      the connection manager on both cores (the library)
 *   lab       servers to test it against: the embedded lab, sshd, faults, namespaces
 *   scenarios the plan's F0-F5 as data
 *   record    what a run records (types only)
 *   metrics   figures computed from records
 *   workload  what the measured worker runs in every session (stream, exec polling, echo, replay)
 *   ui        the renderer stand-in: the process that plays the desktop app's UI (frames, integrity, keystroke probes, flow control)
 *   report    the renderers of a run's report
 *   runner    the SPIKE-2 runner: plans, the orchestrator, the measured worker
 *   bench     bench:compare, built on the runner
 *   results   the results page: records of spike and bench:compare runs read back and rendered
 *   cli       the ssh-spike command
 */
const LAYERS = ['util', 'core', 'lab', 'scenarios', 'record', 'metrics', 'workload', 'ui', 'report', 'runner', 'bench', 'results', 'cli'];

const forbidden = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `${layer}-imports-upward`,
  comment: `src/${layer} may import only from ${LAYERS.slice(0, i).join(', ') || 'no other folder of src'}; move the shared part down instead`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: `^src/(${LAYERS.slice(i + 1).join('|')})/` },
}));

module.exports = {
  forbidden: [
    ...forbidden,
    {
      name: 'no-entry-import',
      comment: 'src/index.ts is the public entry; nothing inside src imports it',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/index\\.ts$' },
    },
    {
      name: 'no-unknown-folder',
      comment: `every folder of src has a place in the layers (.dependency-cruiser.cjs): ${LAYERS.join(', ')}`,
      severity: 'error',
      from: { path: '^src/', pathNot: `^src/(${LAYERS.join('|')})/|^src/index\\.ts$` },
      to: {},
    },
    { name: 'no-circular', comment: 'no import cycle inside src', severity: 'error', from: { path: '^src/' }, to: { circular: true, viaOnly: { path: '^src/' } } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|target)' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
