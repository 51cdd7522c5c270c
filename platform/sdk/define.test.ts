// defineFunction checks a definition when the bundle loads, so a malformed one fails its deploy
// with a message that names the problem, not its first event.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AnyFunctionDefinition } from './index.ts';
import { counter, defineFunction, isFunctionDefinition } from './index.ts';

const good = { name: 'good-one', input: z.object({ k: z.string() }), key: (e: { k: string }) => e.k, process: () => {} };

describe('defineFunction', () => {
  it('returns a marked definition that keeps what the author wrote', () => {
    const definition = defineFunction({ ...good, state: { n: counter() } });
    expect(isFunctionDefinition(definition)).toBe(true);
    expect(isFunctionDefinition({ ...good })).toBe(false);
    expect(definition.name).toBe('good-one');
    expect(Object.isFrozen(definition)).toBe(true);
  });

  it.each([
    [{ ...good, name: 'Bad_Name' }, /name: "Bad_Name" is not 2-40/],
    [{ ...good, input: { parse: () => 1 } }, /function good-one: input must be a zod schema, a protobufjs Type/],
    [{ ...good, key: 'userId' }, /function good-one: key must be a function/],
    [{ ...good, process: undefined }, /function good-one: process must be a function/],
    [{ ...good, id: 'eventId' }, /id must be a function when given/],
    [{ ...good, state: { total: { kind: 'window' } } }, /state "total" is not value\(\), map\(\) or counter\(\)/],
    [{ ...good, state: { 'a-b': counter() } }, /state name "a-b" is not an identifier/],
    [{ ...good, config: { limit: 3 } }, /config must be a zod schema/],
    [{ ...good, outputs: ['Features'] }, /output name "Features" is not 2-40/],
  ])('refuses %#: a definition with a mistake, naming it', (spec, message) => {
    expect(() => defineFunction(spec as unknown as Parameters<typeof defineFunction>[0])).toThrow(message);
  });

  it('refuses something that is not an object', () => {
    expect(() => defineFunction(undefined as unknown as Parameters<typeof defineFunction>[0])).toThrow(/export default defineFunction/);
    expect(isFunctionDefinition(null as unknown as AnyFunctionDefinition)).toBe(false);
  });
});
