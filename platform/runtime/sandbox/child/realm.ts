// The realm the bundle runs in: a vm context whose globals hold no `process`, no `require` of its
// own, no timers, no fetch. It takes away ambient authority, so `process.env.X` or
// `require('node:fs')` in a function fails at once with a clear error instead of depending on the
// layers below. It is not a security boundary by itself (Node says so of vm); the child process,
// the permission model, the empty environment, the network namespace and neutralise-host.ts are.
// eval and new Function are off in this context too (codeGeneration), as in the host realm.
import vm from 'node:vm';
import { createRequire } from 'node:module';

export interface RealmHooks {
  /** Builtins the bundle may require, without the `node:` prefix (e.g. crypto for id hashing). */
  allowedBuiltins: ReadonlySet<string>;
  onLog(level: 'debug' | 'info' | 'warn' | 'error', msg: string): void;
  onViolation(what: string): void;
}

export interface BundleRealm {
  /** Runs the built bundle (CommonJS text) and returns its module.exports. */
  load(code: string, filename: string): unknown;
  /** Copies plain data (objects, arrays, Uint8Array, primitives) into the realm's own objects. */
  adopt<T>(value: T): T;
}

// Evaluated inside the context: builds console, require and the data copier from the realm's own
// intrinsics, so the bundle's code sees its own Error, Object and Uint8Array everywhere.
const BOOTSTRAP = `(function bootstrap(hostLog, hostRequire) {
  'use strict';
  const show = (v) => {
    if (typeof v === 'string') return v;
    if (v instanceof Error) return v.stack || String(v);
    try { return JSON.stringify(v) ?? String(v); } catch { return String(v); }
  };
  const log = (level) => (...args) => hostLog(level, args.map(show).join(' '));
  const console = Object.freeze({ log: log('info'), info: log('info'), debug: log('debug'), trace: log('debug'), warn: log('warn'), error: log('error') });
  Object.defineProperty(globalThis, 'console', { value: console, writable: false, configurable: false });
  function require(name) {
    const found = hostRequire(String(name));
    if (found.ok) return found.module;
    const error = new Error(found.message);
    error.code = 'ERR_SANDBOX_DENIED';
    throw error;
  }
  function adopt(v) {
    if (v === null || typeof v !== 'object') return v;
    if (ArrayBuffer.isView(v)) return new Uint8Array(v);
    if (Array.isArray(v)) return v.map(adopt);
    const out = {};
    for (const k of Object.keys(v)) out[k] = adopt(v[k]);
    return out;
  }
  return { require, adopt };
})`;

export function createBundleRealm(hooks: RealmHooks): BundleRealm {
  const hostRequire = createRequire('/');
  // Host web APIs a decoder may need; they carry no authority (no I/O, no clock).
  const globals = { TextEncoder, TextDecoder, URL, URLSearchParams, atob, btoa };
  const context = vm.createContext({ ...globals }, { name: 'lodestar-bundle', codeGeneration: { strings: false, wasm: false } });
  const requireFromHost = (name: string): { ok: true; module: unknown } | { ok: false; message: string } => {
    const bare = name.startsWith('node:') ? name.slice(5) : name;
    if (hooks.allowedBuiltins.has(bare)) return { ok: true, module: hostRequire(`node:${bare}`) };
    hooks.onViolation(`require('${name}')`);
    return { ok: false, message: `require('${name}') is not allowed in the sandbox: a function may import only @lodestar/sdk and zod, and does no I/O` };
  };
  const bootstrap = new vm.Script(BOOTSTRAP, { filename: 'lodestar:realm' }).runInContext(context) as
    (hostLog: RealmHooks['onLog'], hostRequire: typeof requireFromHost) => { require: (name: string) => unknown; adopt: <T>(value: T) => T };
  const inner = bootstrap(hooks.onLog, requireFromHost);

  return {
    load(code, filename) {
      const wrapper = new vm.Script(`(function (exports, require, module) {${code}\n})`, { filename });
      const run = wrapper.runInContext(context) as (exports: unknown, require: unknown, module: unknown) => void;
      const module = inner.adopt({ exports: {} }) as { exports: unknown };
      run.call(module.exports, module.exports, inner.require, module);
      return module.exports;
    },
    adopt: inner.adopt,
  };
}
