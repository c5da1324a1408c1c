#!/usr/bin/env node
// Prepares the patched russh the workspace builds with (`[patch.crates-io]` in Cargo.toml):
// russh 0.65.1 from crates.io, checked against its published SHA-256, unpacked into
// target/patched/russh-0.65.1, with the few edits below. Runs before every build (scripts/build.mjs)
// and does nothing when the patched copy is already there, so cargo does not rebuild it.
//
// Why: russh 0.65 grants a channel's window the moment its data arrives, before anyone reads it,
// so a client cannot make the server stop sending on one channel; its only backpressure, not
// reading, stalls the whole connection (the other channels and the keepalives too). A terminal whose
// UI draws slower than the server sends needs exactly that per-channel stop (RISK-4's flow
// control), and ssh2 has it (it grants the window as its stream is read). The edits add a per-channel
// hold: while held, data received does not grant more window (the server stops once it has sent the
// window it has); released, the window is granted again at once. Nothing changes for a channel that
// is never held, and nothing on the server side.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const NAME = 'russh';
const VERSION = '0.65.1';
/** crates.io's checksum of russh-0.65.1.crate (as in a Cargo.lock without the patch). */
const SHA256 = '94be3d86c71b9ed220a675c405e35c7a02565a009bf8da2e9cc13a700320a5c5';
const DOWNLOAD = `https://static.crates.io/crates/${NAME}/${NAME}-${VERSION}.crate`;

/**
 * The edits, per file: each `find` must occur exactly once in the
 * published source, so a different russh fails here, loudly, rather than build something else.
 */
const EDITS = {
  'src/lib_inner.rs': [
    {
      find: '    pending_close: bool,\n}',
      replace:
        '    pending_close: bool,\n' +
        '    /// (ssh-spike patch) While set, data received on the channel grants the peer no more window.\n' +
        '    pub(crate) window_held: bool,\n}',
    },
  ],
  'src/session.rs': [
    { find: 'pending_close: false,', replace: 'pending_close: false,\n                    window_held: false,' },
    {
      find: '            if channel.sender_window_size < target / 2 {\n                debug!(',
      replace: '            if !channel.window_held && channel.sender_window_size < target / 2 {\n                debug!(',
    },
    {
      find: '    fn flush_channel(\n',
      replace:
        '    /// (ssh-spike patch) Holds or releases the window this side grants on `channel`. While held,\n' +
        '    /// data received does not grant more; on release, a window below half of `target` is\n' +
        '    /// granted back up to `target` at once (no more data may come to trigger it).\n' +
        '    pub fn hold_window(&mut self, channel: ChannelId, held: bool, target: u32) -> Result<(), crate::Error> {\n' +
        '        if let Some(channel) = self.channels.get_mut(&channel) {\n' +
        '            channel.window_held = held;\n' +
        '            if !held && channel.sender_window_size < target / 2 {\n' +
        '                push_packet!(self.write, {\n' +
        '                    self.write.push(msg::CHANNEL_WINDOW_ADJUST);\n' +
        '                    channel.recipient_channel.encode(&mut self.write)?;\n' +
        '                    (target - channel.sender_window_size).encode(&mut self.write)?;\n' +
        '                });\n' +
        '                channel.sender_window_size = target;\n' +
        '            }\n' +
        '        }\n' +
        '        Ok(())\n' +
        '    }\n\n' +
        '    fn flush_channel(\n',
    },
  ],
  'src/client/encrypted.rs': [{ find: 'pending_close: false,', replace: 'pending_close: false,\n                    window_held: false,' }],
  'src/server/encrypted.rs': [{ find: 'pending_close: false,', replace: 'pending_close: false,\n            window_held: false,' }],
  'src/channels/mod.rs': [
    {
      find: '    OpenFailure(ChannelOpenFailure),\n}',
      replace:
        '    OpenFailure(ChannelOpenFailure),\n' +
        '    /// (client only; ssh-spike patch) Hold or release the window this side grants on the channel.\n' +
        '    HoldWindow { held: bool },\n}',
    },
    {
      find: '        self.send_msg(ChannelMsg::AgentForward { want_reply }).await\n    }\n',
      replace:
        '        self.send_msg(ChannelMsg::AgentForward { want_reply }).await\n    }\n\n' +
        '    /// (ssh-spike patch) While `held`, data received on this channel grants the server no more\n' +
        '    /// window, so it stops sending once it has used the window it has; the connection and its\n' +
        '    /// other channels go on. Released, the window is granted again at once.\n' +
        '    pub async fn hold_window(&self, held: bool) -> Result<(), Error> {\n' +
        '        self.send_msg(ChannelMsg::HoldWindow { held }).await\n    }\n',
    },
  ],
  'src/client/mod.rs': [
    {
      find: '            Msg::Channel(id, ChannelMsg::Close) => self.close(id)?,\n',
      replace:
        '            Msg::Channel(id, ChannelMsg::Close) => self.close(id)?,\n' +
        '            Msg::Channel(id, ChannelMsg::HoldWindow { held }) => {\n' +
        '                let target = self.common.config.window_size;\n' +
        '                if let Some(ref mut enc) = self.common.encrypted {\n' +
        '                    enc.hold_window(id, held, target)?;\n' +
        '                }\n' +
        '            }\n',
    },
  ],
};

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'target', 'patched');
const crateDir = join(outDir, `${NAME}-${VERSION}`);
const stampPath = join(crateDir, '.ssh-spike-patch');

function fail(message) {
  throw new Error(`patch-russh: ${message}`);
}

/** What identifies this patch: the source's checksum and the edits; a change re-makes the copy. */
function stamp() {
  return createHash('sha256').update(SHA256).update(JSON.stringify(EDITS)).digest('hex');
}

function sha256(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The .crate from cargo's own download cache, when cargo has fetched it before. */
function fromCargoCache() {
  const cache = join(process.env.CARGO_HOME ?? join(homedir(), '.cargo'), 'registry', 'cache');
  if (!existsSync(cache)) return undefined;
  for (const registry of readdirSync(cache)) {
    const file = join(cache, registry, `${NAME}-${VERSION}.crate`);
    if (existsSync(file)) {
      const bytes = readFileSync(file);
      if (sha256(bytes) === SHA256) return bytes;
    }
  }
  return undefined;
}

async function download() {
  let res;
  try {
    res = await fetch(DOWNLOAD, { signal: AbortSignal.timeout(120_000) });
  } catch (err) {
    fail(`could not download ${DOWNLOAD} (${err.cause?.message ?? err.message}); the build needs crates.io`);
  }
  if (!res.ok) fail(`downloading ${DOWNLOAD} answered HTTP ${res.status}`);
  const bytes = Buffer.from(await res.arrayBuffer());
  const got = sha256(bytes);
  if (got !== SHA256) fail(`${DOWNLOAD} has SHA-256 ${got}, not crates.io's published ${SHA256}; refusing to build with it`);
  return bytes;
}

function applyEdits(dir) {
  for (const [file, edits] of Object.entries(EDITS)) {
    const path = join(dir, file);
    let text = readFileSync(path, 'utf8');
    for (const { find, replace } of edits) {
      const found = text.split(find).length - 1;
      if (found !== 1) fail(`${file}: expected one occurrence of ${JSON.stringify(find.slice(0, 60))}, found ${found}`);
      text = text.split(find).join(replace);
    }
    writeFileSync(path, text);
  }
}

/** Makes target/patched/russh-0.65.1 unless it is already this patch's; returns its path. */
export async function ensurePatchedRussh({ quiet = false } = {}) {
  const want = stamp();
  if (existsSync(stampPath) && readFileSync(stampPath, 'utf8').trim() === want) return crateDir;
  const bytes = fromCargoCache() ?? (await download());
  mkdirSync(outDir, { recursive: true });
  const staging = join(outDir, `.staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  const archive = join(staging, `${NAME}-${VERSION}.crate`);
  writeFileSync(archive, bytes);
  const tar = spawnSync('tar', ['-xzf', archive, '-C', staging], { encoding: 'utf8' });
  if (tar.error || tar.status !== 0) fail(`unpacking ${NAME}-${VERSION}.crate failed: ${tar.error?.message ?? tar.stderr.trim()}`);
  const unpacked = join(staging, `${NAME}-${VERSION}`);
  applyEdits(unpacked);
  writeFileSync(join(unpacked, '.ssh-spike-patch'), `${want}\n`);
  rmSync(crateDir, { recursive: true, force: true });
  renameSync(unpacked, crateDir);
  rmSync(staging, { recursive: true, force: true });
  if (!quiet) console.error(`ssh-spike: patched ${NAME} ${VERSION} into ${crateDir} (per-channel window hold)`);
  return crateDir;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  ensurePatchedRussh().catch((err) => {
    console.error(err.message);
    process.exit(1);
  });
}
