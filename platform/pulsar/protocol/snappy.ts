// Snappy raw-block decoding (the format Pulsar's SNAPPY codec writes: a varint uncompressed length,
// then literal and copy elements; github.com/google/snappy format_description.txt). Our own,
// because snappyjs's decoder loops forever on a forged 4-byte literal length (it goes negative
// and moves the read position backwards), and the network is hostile: every length and offset
// here is checked against the input and the output before it is used.

export class SnappyFormatError extends Error {
  override name = 'SnappyFormatError';
}

function readVarint32(input: Uint8Array, start: number): { value: number; next: number } {
  let value = 0;
  for (let shift = 0, pos = start; shift <= 28; shift += 7, pos++) {
    if (pos >= input.length) throw new SnappyFormatError('truncated length');
    const byte = input[pos]!;
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) {
      if (value > 0xffffffff) throw new SnappyFormatError('length over 32 bits');
      return { value, next: pos + 1 };
    }
  }
  throw new SnappyFormatError('length varint too long');
}

/** Decodes one raw block into exactly `expectedLength` bytes, or throws SnappyFormatError. */
export function snappyDecompressBlock(input: Uint8Array, expectedLength: number): Uint8Array {
  const { value: declared, next } = readVarint32(input, 0);
  if (declared !== expectedLength) throw new SnappyFormatError(`block declares ${declared} bytes, expected ${expectedLength}`);
  const out = new Uint8Array(declared);
  let inPos = next;
  let outPos = 0;
  while (inPos < input.length) {
    const tag = input[inPos++]!;
    const kind = tag & 0x3;
    if (kind === 0) {
      let length = (tag >>> 2) + 1;
      if (length > 60) {
        const bytes = length - 60;
        if (inPos + bytes > input.length) throw new SnappyFormatError('truncated literal length');
        length = 0;
        for (let i = 0; i < bytes; i++) length += input[inPos + i]! * 2 ** (8 * i);
        length += 1;
        inPos += bytes;
      }
      if (inPos + length > input.length) throw new SnappyFormatError('literal runs past the input');
      if (outPos + length > out.length) throw new SnappyFormatError('literal runs past the declared length');
      out.set(input.subarray(inPos, inPos + length), outPos);
      inPos += length;
      outPos += length;
      continue;
    }
    let length: number;
    let offset: number;
    if (kind === 1) {
      if (inPos + 1 > input.length) throw new SnappyFormatError('truncated copy');
      length = ((tag >>> 2) & 0x7) + 4;
      offset = ((tag >>> 5) << 8) | input[inPos]!;
      inPos += 1;
    } else if (kind === 2) {
      if (inPos + 2 > input.length) throw new SnappyFormatError('truncated copy');
      length = (tag >>> 2) + 1;
      offset = input[inPos]! | (input[inPos + 1]! << 8);
      inPos += 2;
    } else {
      if (inPos + 4 > input.length) throw new SnappyFormatError('truncated copy');
      length = (tag >>> 2) + 1;
      offset = input[inPos]! + input[inPos + 1]! * 0x100 + input[inPos + 2]! * 0x10000 + input[inPos + 3]! * 0x1000000;
      inPos += 4;
    }
    if (offset === 0 || offset > outPos) throw new SnappyFormatError(`copy offset ${offset} outside the ${outPos} bytes written`);
    if (outPos + length > out.length) throw new SnappyFormatError('copy runs past the declared length');
    // Byte by byte: a copy may overlap what it is producing (offset < length repeats a pattern).
    for (let i = 0; i < length; i++, outPos++) out[outPos] = out[outPos - offset]!;
  }
  if (outPos !== out.length) throw new SnappyFormatError(`block holds ${outPos} bytes, declares ${out.length}`);
  return out;
}
