// The sandbox child's entry (built by build.ts into one file, the only runtime code the child may
// read). It neutralises the host's network and native escape hatches before anything else, then
// answers the parent's numbered requests: init loads the bundle into its own realm and binds the
// executor; prepare and process run it; shutdown exits. A failure is answered as data (name, code,
// message, stack); only a crash, an abort or the watchdog's SIGKILL ends the process otherwise.
import { readFileSync } from 'node:fs';
import { neutraliseHost } from './neutralise-host.ts';
import { createBundleRealm } from './realm.ts';
import type { BundleRealm } from './realm.ts';
import { serializeError } from '../errors.ts';
import { EXECUTOR_EXPORT, FailureOrigin } from '../protocol.ts';
import type { ChildMessage, InitParams, RequestMessage } from '../protocol.ts';
import type { Executor, FunctionIdentity } from '../contract.ts';

/** console lines forwarded per call; more would let a function flood the worker's logs. */
const MAX_LOGS_PER_CALL = 100;

const ipcSend = process.send?.bind(process);
if (ipcSend === undefined) {
  process.stderr.write('the sandbox child must be started with an IPC channel\n');
  process.exit(2);
}
neutraliseHost();
// The parent is gone (or closed the channel): nothing can ever ask this process for work again.
process.on('disconnect', () => process.exit(0));

let realm: BundleRealm | undefined;
let executor: Executor | undefined;
let logsLeft = MAX_LOGS_PER_CALL;
let logsDropped = 0;

function send(message: ChildMessage, then?: () => void): void {
  ipcSend!(message, undefined, {}, then);
}

function fail(id: number, origin: FailureOrigin, thrown: unknown): void {
  send({ kind: 'response', id, ok: false, origin, error: serializeError(thrown) });
}

function init(params: InitParams): void {
  realm = createBundleRealm({
    allowedBuiltins: new Set(params.allowedBuiltins),
    onLog(level, msg) {
      if (logsLeft-- > 0) send({ kind: 'log', level, msg });
      else logsDropped++;
    },
    onViolation(what) {
      send({ kind: 'violation', what });
    },
  });
  const code = readFileSync(params.bundleFile, 'utf8');
  const exports = realm.load(code, params.bundleFile) as Record<string, unknown> | null;
  const factory = exports?.[EXECUTOR_EXPORT];
  if (typeof factory !== 'function') throw new TypeError(`the built bundle does not export ${EXECUTOR_EXPORT}`);
  const bound = factory(realm.adopt<FunctionIdentity>(params.identity)) as Partial<Executor> | null;
  if (bound === null || typeof bound !== 'object' || typeof bound.prepare !== 'function' || typeof bound.process !== 'function') {
    throw new TypeError('the SDK executor factory did not return an executor with prepare() and process()');
  }
  executor = bound as Executor;
}

function flushDroppedLogs(): void {
  if (logsDropped > 0) send({ kind: 'log', level: 'warn', msg: `${logsDropped} more console lines of this call were dropped` });
  logsLeft = MAX_LOGS_PER_CALL;
  logsDropped = 0;
}

async function handle(request: RequestMessage): Promise<void> {
  const { id } = request;
  if (request.method === 'shutdown') {
    send({ kind: 'response', id, ok: true, result: null }, () => process.exit(0));
    return;
  }
  if (request.method === 'init') {
    try {
      init(request.params as InitParams);
    } catch (error) {
      return fail(id, FailureOrigin.Load, error);
    }
    send({ kind: 'response', id, ok: true, result: null });
    return;
  }
  let result: unknown;
  try {
    if (executor === undefined || realm === undefined) throw new Error(`${request.method} before a successful init`);
    result = request.method === 'prepare'
      ? await executor.prepare(realm.adopt(request.params as Parameters<Executor['prepare']>[0]))
      : await executor.process(realm.adopt(request.params as Parameters<Executor['process']>[0]));
  } catch (error) {
    flushDroppedLogs();
    return fail(id, FailureOrigin.Executor, error);
  }
  flushDroppedLogs();
  try {
    send({ kind: 'response', id, ok: true, result });
  } catch (error) {
    // Structured clone refused the result (a function, a symbol, a class instance with a getter
    // that throws...): tell the parent instead of leaving the call without an answer.
    fail(id, FailureOrigin.Executor, new Error(`the ${request.method} result cannot cross the process boundary: ${(error as Error).message}`, { cause: error }));
  }
}

process.on('message', (message) => {
  void handle(message as RequestMessage);
});
