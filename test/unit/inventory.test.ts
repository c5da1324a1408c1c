import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INVENTORY_FIELDS, INVENTORY_REQUIRED, inventorySessionOptions, readInventory } from '../../src/runner/inventory.js';

const dir = mkdtempSync(join(tmpdir(), 'ssh-spike-inv-'));
const key = join(dir, 'id');
const kh = join(dir, 'known_hosts');
writeFileSync(key, 'k');
writeFileSync(kh, '');

function inv(content: unknown): string {
  const p = join(dir, `inv-${Math.random()}.json`);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}

describe('inventory files', () => {
  it('reads hosts with defaults and turns them into session options', () => {
    const i = readInventory(inv({ hosts: [{ host: '10.0.0.5', user: 'me', keyPath: key, knownHosts: kh }] }));
    expect(i.hosts[0]).toMatchObject({ name: '10.0.0.5:22', port: 22 });
    expect(inventorySessionOptions(i.hosts[0]!)).toMatchObject({ host: '10.0.0.5', username: 'me', hostKey: { policy: 'known-hosts', path: kh } });
  });

  it('says which entry and field is wrong', () => {
    expect(() => readInventory(inv({ hosts: [] }))).toThrow(/needs \{ "hosts": \[ \.\.\. \] \}/);
    expect(() => readInventory(inv('{ nope')).toString()).toThrow(/not a JSON inventory/);
    expect(() => readInventory(inv({ hosts: [{ host: 'h', user: 'u', keyPath: key, knownHosts: kh, pasword: 'x' }] }))).toThrow(
      /hosts\[0\]: unknown field 'pasword'/,
    );
    expect(() => readInventory(inv({ hosts: [{ host: 'h', user: 'u', keyPath: '/no/key', knownHosts: kh }] }))).toThrow(/key file \/no\/key does not exist/);
    expect(() => readInventory(inv({ hosts: [{ host: 'h', user: 'u', keyPath: key, knownHosts: kh, port: 0 }] }))).toThrow(/'port' must be an integer/);
  });

  it('reads a passphrase only from the environment, and never prints it', () => {
    const p = inv({ hosts: [{ host: 'h', user: 'u', keyPath: key, knownHosts: kh, passphraseEnv: 'SSH_SPIKE_TEST_PASS' }] });
    expect(() => readInventory(p)).toThrow(/environment variable SSH_SPIKE_TEST_PASS .* is not set/);
    process.env.SSH_SPIKE_TEST_PASS = 'very-secret';
    const o = inventorySessionOptions(readInventory(p).hosts[0]!);
    expect(o.passphrase).toBe('very-secret');
    delete process.env.SSH_SPIKE_TEST_PASS;
  });

  it('reads what the published JSON Schema describes, and nothing else', () => {
    const schema = JSON.parse(readFileSync(new URL('../../docs/inventory.schema.json', import.meta.url), 'utf8'));
    const host = schema.properties.hosts.items;
    expect(Object.keys(host.properties).sort()).toEqual([...INVENTORY_FIELDS].sort());
    expect([...host.required].sort()).toEqual([...INVENTORY_REQUIRED].sort());
    expect(Object.keys(schema.properties)).toEqual(['hosts']);
    // each required field, left out, is refused by name
    for (const field of INVENTORY_REQUIRED) {
      const entry: Record<string, unknown> = { host: 'h', user: 'u', keyPath: key, knownHosts: kh };
      delete entry[field];
      expect(() => readInventory(inv({ hosts: [entry] }))).toThrow(new RegExp(`'${field}' must be a non-empty string`));
    }
    expect(() => readInventory(inv({ hosts: [{ host: 'h', user: 'u', keyPath: key, knownHosts: kh }], defaults: {} }))).toThrow(/unknown field 'defaults'/);
  });
});
