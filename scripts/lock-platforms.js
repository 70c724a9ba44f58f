'use strict';
// The npm registry reachable from these machines serves only some platforms' native binaries, so
// `npm install` leaves the other platforms' optional packages (@swc/core-darwin-*, ...) out of
// package-lock.json, and `npm ci` then refuses the lock as out of sync. This restores those
// entries with their platform constraints, exactly as npm writes them against the full registry;
// npm ci skips them on a non-matching platform without fetching anything. Idempotent.
const fs = require('node:fs');
const path = require('node:path');

const lockPath = path.join(__dirname, '..', 'package-lock.json');
if (!fs.existsSync(lockPath)) process.exit(0);
const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
const pkgs = lock.packages || {};

function platformOf(name) {
  const n = name.split('/').pop();
  const os = ['darwin', 'linux', 'win32', 'android', 'freebsd', 'openharmony', 'sunos', 'aix'].find(
    (o) => n.includes(`-${o}-`) || n.endsWith(`-${o}`),
  );
  const cpu = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64', 'wasm32'].find((c) =>
    n.includes(`-${c}`),
  );
  const libc = os === 'linux' ? (n.includes('musl') ? 'musl' : n.includes('gnu') ? 'glibc' : null) : null;
  return { os, cpu: n.includes('wasm32') ? 'wasm32' : cpu, libc };
}

let added = 0;
for (const [key, entry] of Object.entries(pkgs)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies || {})) {
    const depKey = `node_modules/${dep}`;
    if (pkgs[depKey] || pkgs[`${key}/${depKey}`]) continue;
    const { os, cpu, libc } = platformOf(dep);
    if (!os && !cpu) continue; // not a per-platform binary: leave it to npm
    const e = { version: String(version).replace(/^[\^~]/, '') };
    if (entry.dev) e.dev = true;
    e.optional = true;
    if (cpu) e.cpu = [cpu];
    if (libc) e.libc = [libc];
    if (os) e.os = [os];
    pkgs[depKey] = e;
    added++;
  }
}
if (added > 0) {
  lock.packages = Object.fromEntries(
    Object.entries(pkgs).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
  );
  fs.writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
  process.stdout.write(`lock-platforms: recorded ${added} optional platform packages in package-lock.json\n`);
}
