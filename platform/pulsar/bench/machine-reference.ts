// A fixed pure-JavaScript workload timed in the same run as the client-cost phase, so CPU µs per
// message can be read against how fast this machine runs JavaScript right now. On the same
// machine and code it moved from 0.84 to 0.51 GB/s within one day (shared host), and the client
// cost moved with it: compare µs/msg across runs only at similar reference speeds.
import { crc32cPortable } from '../protocol/crc32c.ts';

/** Portable (slicing-by-16) CRC-32C over a 100 KiB buffer, in GB/s; about half a second. */
export function referenceSpeedGBps(): number {
  const data = Buffer.allocUnsafe(100 * 1024);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + 7) & 0xff;
  let sink = 0; // results are summed so that the calls have a use
  for (let k = 0; k < 200; k++) sink = (sink + crc32cPortable(data)) >>> 0; // JIT warm-up
  const rounds = 2000;
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < rounds; k++) sink = (sink + crc32cPortable(data)) >>> 0;
  const ns = Number(process.hrtime.bigint() - t0);
  return (data.length * rounds) / ns;
}
