/**
 * A results record (docs/results/<date>/): runs of `spike` and bench:compare made from one commit on
 * one machine, each in a folder of its own with its report files, listed in the record's
 * `manifest.json` (schema ssh-spike/results@1) with the exact command, the times and what else ran.
 * `scripts/record.mjs` writes the manifest as it runs each command; this module reads a record back.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMPARE_SCHEMA, type Comparison } from '../bench/compare.js';
import { REPORT_SCHEMA, type Report } from '../report/model.js';

export const RESULTS_SCHEMA = 'ssh-spike/results@1';
export const MANIFEST_FILE = 'manifest.json';

/** The machine a record was made on. */
export interface RecordMachine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  rust: string;
}

/** One command of the record and where its reports are. */
export interface RecordedRun {
  /** `spike` writes report.json, `compare` (bench:compare) writes compare.json. */
  kind: 'spike' | 'compare';
  /** The run's folder, relative to the record's. */
  dir: string;
  /** Exactly what was run, from the checkout of the record's commit. */
  command: string;
  startedAt: string;
  endedAt: string;
  exitCode: number | null;
  /** The machine's 1-minute load average while it ran, sampled every minute or so. */
  load?: { mean: number; max: number; samples: number };
  /** What else ran on the machine meanwhile, in the words of whoever ran the record. */
  alongside: string;
  /** What a reader must know about the run that was found out after it (a flaw in how it was set up). */
  caveat?: string;
}

export interface Manifest {
  schema: typeof RESULTS_SCHEMA;
  /** Every run of a record comes from this commit (the recorder refuses another). */
  commit: string;
  machine: RecordMachine;
  runs: RecordedRun[];
}

/** A record read back: its manifest and each run's report data. */
export interface LoadedRecord {
  /** The record's folder name (its date). */
  name: string;
  manifest: Manifest;
  spikes: { run: RecordedRun; report: Report }[];
  compares: { run: RecordedRun; comparison: Comparison }[];
}

/** Checks a manifest; a bad one fails with what to fix. */
export function parseManifest(text: string, source: string): Manifest {
  const bad = (what: string) => new Error(`${source}: ${what}`);
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw bad(`not JSON (${(err as Error).message})`);
  }
  if (!m || typeof m !== 'object' || Array.isArray(m)) throw bad('must be a JSON object');
  if (m.schema !== RESULTS_SCHEMA) throw bad(`'schema' must be "${RESULTS_SCHEMA}", got ${JSON.stringify(m.schema)}`);
  if (typeof m.commit !== 'string' || !/^[0-9a-f]{7,40}$/.test(m.commit)) throw bad(`'commit' must be a git commit id, got ${JSON.stringify(m.commit)}`);
  const machine = m.machine as Record<string, unknown> | undefined;
  if (!machine || typeof machine !== 'object') throw bad("'machine' must describe the machine (cpu, cores, memoryGiB, kernel, node, rust)");
  for (const k of ['cpu', 'kernel', 'node', 'rust']) if (typeof machine[k] !== 'string') throw bad(`'machine.${k}' must be a string`);
  for (const k of ['cores', 'memoryGiB']) if (typeof machine[k] !== 'number') throw bad(`'machine.${k}' must be a number`);
  if (!Array.isArray(m.runs)) throw bad("'runs' must be a list");
  m.runs.forEach((r: Record<string, unknown>, i: number) => {
    const at = `runs[${i}]`;
    if (r?.kind !== 'spike' && r?.kind !== 'compare') throw bad(`${at}.kind must be "spike" or "compare", got ${JSON.stringify(r?.kind)}`);
    if (typeof r.dir !== 'string' || !/^[\w.-]+$/.test(r.dir) || r.dir.startsWith('.')) throw bad(`${at}.dir must be a folder name inside the record`);
    for (const k of ['command', 'startedAt', 'endedAt', 'alongside']) if (typeof r[k] !== 'string') throw bad(`${at}.${k} must be a string`);
    if (r.caveat !== undefined && typeof r.caveat !== 'string') throw bad(`${at}.caveat must be a string when given`);
  });
  return m as unknown as Manifest;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** One record folder: its manifest and every run's report.json or compare.json. */
export function readRecord(folder: string, name: string): LoadedRecord {
  const path = join(folder, MANIFEST_FILE);
  const manifest = parseManifest(readFileSync(path, 'utf8'), path);
  const record: LoadedRecord = { name, manifest, spikes: [], compares: [] };
  for (const run of manifest.runs) {
    const file = join(folder, run.dir, run.kind === 'spike' ? 'report.json' : 'compare.json');
    const data = readJson(file) as { schema?: string };
    const want = run.kind === 'spike' ? REPORT_SCHEMA : COMPARE_SCHEMA;
    if (data.schema !== want) throw new Error(`${file}: schema ${JSON.stringify(data.schema)}, expected "${want}"`);
    if (run.kind === 'spike') record.spikes.push({ run, report: data as Report });
    else record.compares.push({ run, comparison: data as Comparison });
  }
  return record;
}

/** Every record under `root` (folders holding a manifest), newest name first. */
export function readRecords(root: string): LoadedRecord[] {
  if (!existsSync(root)) throw new Error(`${root}: no such folder (records go in docs/results/<date>/, see scripts/record.mjs)`);
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, MANIFEST_FILE)))
    .map((d) => d.name)
    .sort()
    .reverse()
    .map((name) => readRecord(join(root, name), name));
}
