// Runs first in the sandbox child, before any bundle code exists in the process: replaces every
// entry point to the network (and, belt and braces, to processes and threads, which the permission
// model already refuses) with a function that throws, and removes the escape hatches to native
// bindings. Builtin modules are singletons, so a later `require('node:net')` by anyone in this
// process gets the neutralised object.
//
// Why this exists although the bundle never sees `require`: the vm context is not a security
// boundary, and Node 20's permission model does not cover sockets. This is the layer that stops a
// Unix-domain socket bound to a file path, which a network namespace does not separate. It is a
// JavaScript-level patch: complete for the public modules listed here, not a kernel guarantee.
import net from 'node:net';
import tls from 'node:tls';
import http from 'node:http';
import https from 'node:https';
import http2 from 'node:http2';
import dgram from 'node:dgram';
import dns from 'node:dns';
import childProcess from 'node:child_process';
import workerThreads from 'node:worker_threads';
import cluster from 'node:cluster';
import inspector from 'node:inspector';

export const DENIED_CODE = 'ERR_SANDBOX_DENIED';

function denial(what: string): () => never {
  return function denied(): never {
    const error = new Error(`${what} is not allowed in the sandbox`) as Error & { code: string };
    error.code = DENIED_CODE;
    throw error;
  };
}

function replace(target: object | undefined, names: readonly string[], prefix: string): void {
  if (target === undefined || target === null) return;
  for (const name of names) {
    if (!(name in target)) continue;
    Object.defineProperty(target, name, { value: denial(`${prefix}${name}`), writable: false, configurable: false, enumerable: true });
  }
}

const DNS_CALLS = ['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCaa', 'resolveCname',
  'resolveMx', 'resolveNaptr', 'resolveNs', 'resolvePtr', 'resolveSoa', 'resolveSrv', 'resolveTxt', 'reverse'];

export function neutraliseHost(): void {
  replace(net, ['connect', 'createConnection', 'createServer'], 'net.');
  replace(net.Socket.prototype, ['connect'], 'net.Socket#');
  replace(net.Server.prototype, ['listen'], 'net.Server#');
  replace(tls, ['connect', 'createServer'], 'tls.');
  for (const [mod, name] of [[http, 'http'], [https, 'https']] as const) {
    replace(mod, ['request', 'get', 'createServer'], `${name}.`);
    replace(mod.Agent.prototype, ['createConnection'], `${name}.Agent#`);
  }
  replace(http2, ['connect', 'createServer', 'createSecureServer'], 'http2.');
  replace(dgram, ['createSocket'], 'dgram.');
  replace(dgram.Socket.prototype, ['bind', 'connect', 'send'], 'dgram.Socket#');
  replace(dns, DNS_CALLS, 'dns.');
  replace(dns.Resolver.prototype, DNS_CALLS, 'dns.Resolver#');
  replace(dns.promises, DNS_CALLS, 'dns.promises.');
  replace(dns.promises.Resolver.prototype, DNS_CALLS, 'dns.promises.Resolver#');
  replace(childProcess, ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'], 'child_process.');
  replace(workerThreads, ['Worker'], 'worker_threads.');
  replace(cluster, ['fork', 'setupPrimary', 'setupMaster'], 'cluster.');
  replace(inspector, ['open', 'Session', 'url'], 'inspector.');
  // The host realm's web network APIs (the bundle's realm never had them).
  for (const name of ['fetch', 'WebSocket', 'EventSource']) {
    if (name in globalThis) Object.defineProperty(globalThis, name, { value: denial(name), writable: false, configurable: false });
  }
  // Native bindings would reach sockets below every patch above (the permission model also refuses
  // process.binding, but not process._linkedBinding or getBuiltinModule).
  replace(process, ['binding', '_linkedBinding', 'dlopen', 'getBuiltinModule'], 'process.');
  // The permission model of Node 20 does not cover signals or credentials: without this, code
  // that escaped could signal the worker (process.ppid) or any process of the same user.
  replace(process, ['kill', 'setuid', 'setgid', 'seteuid', 'setegid', 'setgroups', 'initgroups', 'chdir'], 'process.');
}
