// The author's guide shows the worked example as it is: its code blocks are example.ts and
// example.test.ts, which the unit project runs.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

const read = (file: string) => readFileSync(new URL(file, import.meta.url), 'utf8');

it('README.md carries example.ts and example.test.ts verbatim', () => {
  const blocks = [...read('./README.md').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  expect(blocks).toContain(read('./example.ts'));
  expect(blocks).toContain(read('./example.test.ts'));
});
