// Keyed state: what a definition declares (`state: { total: counter() }`) and the handles the
// function gets on `ctx.state`, bound to the event's key. Every kind stores one JSON value per
// (key, name) — what the runtime writes to the changelog and Redis:
//   value   the value itself (absent = the declared initial value)
//   map     an object of entry -> value (absent or {} = empty)
//   counter a number (absent = 0)
// Windows (event-time issue) add kinds here: a spec with its own `kind` and a cell that loads,
// mutates with undo records, and saves to JSON.
import { SdkError, SdkErrorCode } from './errors.ts';
import { frozenJson } from './json.ts';
import type { StateSnapshot } from './protocol.ts';

export interface ValueSpec<T> { readonly kind: 'value'; readonly initial: T }
// The phantom field carries the entry type; it is never set.
export interface MapSpec<V> { readonly kind: 'map'; readonly entry?: V }
export interface CounterSpec { readonly kind: 'counter' }
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a spec of any value type
export type StateSpec = ValueSpec<any> | MapSpec<any> | CounterSpec;
export type StateSpecs = Record<string, StateSpec>;

/** One value per key. `get()` returns a frozen value: change it by `set()`ing a new one. */
export interface ValueState<T> {
  get(): T;
  set(value: T): void;
  /** Back to the initial value. */
  clear(): void;
}

/** Entries per key (entry names are strings). Values are frozen like ValueState's. */
export interface MapState<V> {
  get(entry: string): V | undefined;
  has(entry: string): boolean;
  set(entry: string, value: V): void;
  delete(entry: string): boolean;
  readonly size: number;
  /** Entry names in insertion order (the order replays reproduce, since it is the event order). */
  keys(): string[];
  entries(): Array<[string, V]>;
  clear(): void;
}

/** A number per key: counts, sums. */
export interface CounterState {
  get(): number;
  /** Adds `by` (default 1, any finite number) and returns the new total. */
  add(by?: number): number;
  clear(): void;
}

export type StateHandle<S> = S extends ValueSpec<infer T> ? ValueState<T> : S extends MapSpec<infer V> ? MapState<V> : S extends CounterSpec ? CounterState : never;
export type StateHandles<S extends StateSpecs> = { readonly [K in keyof S]: StateHandle<S[K]> };

/** A value per key, starting at `initial` (which must be JSON). */
export function value<T>(initial: T): ValueSpec<T> {
  return Object.freeze({ kind: 'value', initial: frozenJson(initial, 'initial value') });
}

export function map<V>(): MapSpec<V> {
  return Object.freeze({ kind: 'map' });
}

export function counter(): CounterSpec {
  return Object.freeze({ kind: 'counter' });
}

export const STATE_KINDS: ReadonlySet<string> = new Set(['value', 'map', 'counter']);

type Undo = () => void;

/**
 * The live state of one (key, name) during a batch. Mutations push an undo record, so an event
 * that throws is rolled back entry by entry without copying whole values (a page's set of
 * distinct users can be large).
 */
abstract class Cell {
  dirty = false;
  constructor(
    protected readonly label: string,
    protected readonly journal: Undo[],
  ) {}

  protected touch(undo: Undo): void {
    const wasDirty = this.dirty;
    this.journal.push(() => {
      undo();
      this.dirty = wasDirty;
    });
    this.dirty = true;
  }

  /** The JSON the changelog gets; null = cleared (the initial value). */
  abstract save(): unknown;
  abstract handle(check: () => void): unknown;
}

class ValueCell extends Cell {
  #current: unknown;
  constructor(label: string, journal: Undo[], readonly spec: ValueSpec<unknown>, stored: unknown) {
    super(label, journal);
    this.#current = stored === undefined ? undefined : frozenJson(stored, label);
  }

  #replace(next: unknown): void {
    const previous = this.#current;
    this.touch(() => (this.#current = previous));
    this.#current = next;
  }

  save(): unknown {
    return this.#current ?? null;
  }

  handle(check: () => void): ValueState<unknown> {
    return {
      get: () => (check(), this.#current === undefined ? this.spec.initial : this.#current),
      set: (next) => {
        check();
        // null is how the changelog says "cleared"; storing it as a value would read back as the initial value.
        if (next === null && this.spec.initial !== null) throw new SdkError(SdkErrorCode.INVALID_STATE, `${this.label}: null is the cleared marker; call clear() to go back to the initial value`);
        this.#replace(next === null ? undefined : frozenJson(next, this.label));
      },
      clear: () => (check(), this.#replace(undefined)),
    };
  }
}

class MapCell extends Cell {
  readonly #entries = new Map<string, unknown>();
  constructor(label: string, journal: Undo[], stored: unknown) {
    super(label, journal);
    if (stored === undefined || stored === null) return;
    if (typeof stored !== 'object' || Array.isArray(stored)) throw new SdkError(SdkErrorCode.CORRUPT_STATE, `${label}: stored map is not an object`);
    for (const [entry, item] of Object.entries(stored)) this.#entries.set(entry, frozenJson(item, `${label}[${entry}]`));
  }

  #put(entry: string, next: unknown): void {
    const had = this.#entries.has(entry);
    const previous = this.#entries.get(entry);
    this.touch(() => {
      // Re-inserting at the end would change the entries' order, which a replay must reproduce.
      if (had) this.#entries.set(entry, previous);
      else this.#entries.delete(entry);
    });
    this.#entries.set(entry, next);
  }

  save(): unknown {
    return this.#entries.size === 0 ? null : Object.fromEntries(this.#entries);
  }

  handle(check: () => void): MapState<unknown> {
    const entries = this.#entries;
    const entryName = (entry: unknown): string => {
      if (typeof entry !== 'string') throw new SdkError(SdkErrorCode.INVALID_STATE, `${this.label}: entry names are strings, got ${typeof entry}`);
      return entry;
    };
    const restore = (snapshot: Array<[string, unknown]>) => () => {
      entries.clear();
      for (const [k, v] of snapshot) entries.set(k, v);
    };
    return {
      get: (entry) => (check(), entries.get(entry)),
      has: (entry) => (check(), entries.has(entry)),
      set: (entry, next) => (check(), this.#put(entryName(entry), frozenJson(next, `${this.label}[${entry}]`))),
      delete: (entry) => {
        check();
        if (!entries.has(entry)) return false;
        const snapshot = [...entries];
        this.touch(restore(snapshot));
        return entries.delete(entry);
      },
      get size() {
        check();
        return entries.size;
      },
      keys: () => (check(), [...entries.keys()]),
      entries: () => (check(), [...entries.entries()]),
      clear: () => {
        check();
        this.touch(restore([...entries]));
        entries.clear();
      },
    };
  }
}

class CounterCell extends Cell {
  #total = 0;
  constructor(label: string, journal: Undo[], stored: unknown) {
    super(label, journal);
    if (stored === undefined || stored === null) return;
    if (typeof stored !== 'number' || !Number.isFinite(stored)) throw new SdkError(SdkErrorCode.CORRUPT_STATE, `${label}: stored counter is not a finite number`);
    this.#total = stored;
  }

  #set(next: number): number {
    const previous = this.#total;
    this.touch(() => (this.#total = previous));
    this.#total = next;
    return next;
  }

  save(): unknown {
    return this.#total === 0 ? null : this.#total;
  }

  handle(check: () => void): CounterState {
    return {
      get: () => (check(), this.#total),
      add: (by = 1) => {
        check();
        if (typeof by !== 'number' || !Number.isFinite(by)) throw new SdkError(SdkErrorCode.INVALID_STATE, `${this.label}: add() takes a finite number, got ${String(by)}`);
        const next = this.#total + by;
        if (!Number.isFinite(next)) throw new SdkError(SdkErrorCode.INVALID_STATE, `${this.label}: the total would overflow`);
        return this.#set(next);
      },
      clear: () => (check(), this.#set(0)),
    };
  }
}

/**
 * The state of one batch: cells load lazily from the snapshot the runtime passed, events mutate
 * them in order, `rollback()` undoes the current event, `changes()` is what the batch changed.
 * Handles are made once per key and batch; each call checks that an event of that key is running,
 * so a handle kept in a closure cannot change another key's state (which another worker may own).
 */
export class BatchState {
  readonly #specs: StateSpecs;
  readonly #snapshot: StateSnapshot;
  readonly #cells = new Map<string, Map<string, Cell>>();
  readonly #handles = new Map<string, Record<string, unknown>>();
  readonly #journal: Undo[] = [];
  #active: string | undefined;

  constructor(specs: StateSpecs, snapshot: StateSnapshot) {
    this.#specs = specs;
    this.#snapshot = snapshot;
  }

  #cell(key: string, name: string): Cell {
    let cells = this.#cells.get(key);
    if (!cells) this.#cells.set(key, (cells = new Map()));
    let cell = cells.get(name);
    if (cell) return cell;
    const spec = this.#specs[name] as StateSpec;
    const stored = Object.hasOwn(this.#snapshot, key) && Object.hasOwn(this.#snapshot[key] as object, name) ? (this.#snapshot[key] as Record<string, unknown>)[name] : undefined;
    const label = `state "${name}"`;
    if (spec.kind === 'value') cell = new ValueCell(label, this.#journal, spec, stored ?? undefined);
    else if (spec.kind === 'map') cell = new MapCell(label, this.#journal, stored);
    else cell = new CounterCell(label, this.#journal, stored);
    cells.set(name, cell);
    return cell;
  }

  /** The handles of `key`'s state, usable while an event of that key runs (between begin and commit/rollback). */
  handles(key: string): Record<string, unknown> {
    let handles = this.#handles.get(key);
    if (handles) return handles;
    const check = () => {
      if (this.#active !== key) throw new SdkError(SdkErrorCode.CONTEXT_CLOSED, `the state of key ${JSON.stringify(key)} was used outside its event; keep no ctx or state handle beyond process()`);
    };
    handles = {};
    for (const name of Object.keys(this.#specs)) {
      let handle: unknown;
      Object.defineProperty(handles, name, { enumerable: true, get: () => (handle ??= this.#cell(key, name).handle(check)) });
    }
    this.#handles.set(key, Object.freeze(handles));
    return handles;
  }

  /** An event of `key` starts: its state may be used and changed until commit or rollback. */
  begin(key: string): void {
    this.#active = key;
  }

  /** The current event succeeded: its mutations stay. */
  commit(): void {
    this.#journal.length = 0;
    this.#active = undefined;
  }

  /** The current event failed: undo its mutations, newest first. */
  rollback(): void {
    for (let i = this.#journal.length - 1; i >= 0; i--) this.#journal[i]!();
    this.#journal.length = 0;
    this.#active = undefined;
  }

  changes(): Record<string, Record<string, unknown>> {
    // Built from entries, not by assignment: keys are the function's strings, and `__proto__` is one.
    const changed: Array<[string, Record<string, unknown>]> = [];
    for (const [key, cells] of this.#cells) {
      const names = [...cells].filter(([, cell]) => cell.dirty).map(([name, cell]): [string, unknown] => [name, cell.save()]);
      if (names.length > 0) changed.push([key, Object.fromEntries(names)]);
    }
    return Object.fromEntries(changed);
  }
}
