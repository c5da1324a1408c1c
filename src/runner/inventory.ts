/**
 * An inventory of real hosts (the plan's topology A on real VMs), described by the JSON Schema in
 * docs/inventory.schema.json (a test keeps the two in step): a JSON file
 *   { "hosts": [ { "name": "vm1", "host": "10.0.0.5", "port": 22, "user": "me",
 *                  "keyPath": "~/.ssh/id_ed25519", "knownHosts": "~/.ssh/known_hosts",
 *                  "passphraseEnv": "VM_KEY_PASS" } ] }
 * Validated with errors that name the host entry and the field; secrets are read from the
 * environment variables named here and never printed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { UsageError } from '../util/args.js';
import type { SessionOptions } from '../core/contract.js';

export interface InventoryHost {
  name: string;
  host: string;
  port: number;
  user: string;
  keyPath: string;
  knownHosts: string;
  passphraseEnv?: string;
}

export interface Inventory {
  hosts: InventoryHost[];
}

const expand = (p: string) => (p.startsWith('~/') ? `${homedir()}${p.slice(1)}` : p);
/** The fields a host entry may have, and those it must have. */
export const INVENTORY_FIELDS = ['name', 'host', 'port', 'user', 'keyPath', 'knownHosts', 'passphraseEnv'];
export const INVENTORY_REQUIRED = ['host', 'user', 'keyPath', 'knownHosts'];
const KNOWN = INVENTORY_FIELDS;

export function readInventory(path: string): Inventory {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new UsageError(
      e.code === 'ENOENT'
        ? `--target ${path}: no such file (use embedded, openssh, or an inventory JSON file)`
        : `--target ${path}: not a JSON inventory (${e.message})`,
    );
  }
  const hosts = (raw as { hosts?: unknown })?.hosts;
  if (!Array.isArray(hosts) || hosts.length === 0) throw new UsageError(`${path}: needs { "hosts": [ ... ] } with at least one host`);
  for (const k of Object.keys(raw as object)) if (k !== 'hosts') throw new UsageError(`${path}: unknown field '${k}' (an inventory has only "hosts")`);
  return {
    hosts: hosts.map((h, i) => {
      const where = `${path}: hosts[${i}]`;
      if (typeof h !== 'object' || h === null) throw new UsageError(`${where} must be an object`);
      const o = h as Record<string, unknown>;
      for (const k of Object.keys(o)) if (!KNOWN.includes(k)) throw new UsageError(`${where}: unknown field '${k}' (known: ${KNOWN.join(', ')})`);
      const str = (k: string, required: boolean) => {
        const v = o[k];
        if (v === undefined && !required) return undefined;
        if (typeof v !== 'string' || v === '') throw new UsageError(`${where}: '${k}' must be a non-empty string`);
        return v;
      };
      const port = o.port ?? 22;
      if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
        throw new UsageError(`${where}: 'port' must be an integer from 1 to 65535`);
      }
      const keyPath = expand(str('keyPath', true)!);
      if (!existsSync(keyPath)) throw new UsageError(`${where}: key file ${keyPath} does not exist`);
      const knownHosts = expand(str('knownHosts', true)!);
      if (!existsSync(knownHosts)) throw new UsageError(`${where}: known_hosts file ${knownHosts} does not exist`);
      const passphraseEnv = str('passphraseEnv', false);
      if (passphraseEnv !== undefined && process.env[passphraseEnv] === undefined) {
        throw new UsageError(`${where}: environment variable ${passphraseEnv} (the key's passphrase) is not set`);
      }
      const host = str('host', true)!;
      return {
        name: str('name', false) ?? `${host}:${port}`,
        host,
        port,
        user: str('user', true)!,
        keyPath,
        knownHosts,
        ...(passphraseEnv ? { passphraseEnv } : {}),
      };
    }),
  };
}

export function inventorySessionOptions(h: InventoryHost): SessionOptions {
  const o: SessionOptions = {
    host: h.host,
    port: h.port,
    username: h.user,
    privateKeyPath: h.keyPath,
    // The runner connects through its fault proxy (127.0.0.1 and a port of its own): the key is
    // still checked as the real host's, under its own name and port (OpenSSH's HostKeyAlias).
    hostKey: { policy: 'known-hosts', path: h.knownHosts, hostKeyAlias: { host: h.host, port: h.port } },
    targetId: h.name,
  };
  if (h.passphraseEnv) o.passphrase = process.env[h.passphraseEnv]!;
  return o;
}
