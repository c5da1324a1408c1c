import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TargetInfo } from './target.js';

/** Reads the lab.json that `ssh-spike lab` writes into its directory. */
export function readLabInfo(dir = '.lab'): TargetInfo {
  const path = join(dir, 'lab.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${path} (${(err as Error).message}); start the lab first: npx ssh-spike lab --dir ${dir}`);
  }
  return JSON.parse(text) as TargetInfo;
}
