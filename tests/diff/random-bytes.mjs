/* SPDX-License-Identifier: Apache-2.0 */
// random-bytes.mjs: writes reproducible pseudo-random input files for
// binaryen's `wasm-opt -ttf` (tests/diff/run-diff). File I of seed S is the
// same bytes on every machine and every run, so a mismatch is reported as
// "seed S, module I" and regenerated from those two numbers alone.
//
// Usage: node random-bytes.mjs --seed S --start I --count N --out DIR
// writes DIR/I.bin ... DIR/(I+N-1).bin, each 512..8191 bytes long.

import { writeFileSync } from 'node:fs';

// mulberry32: a small 32-bit generator; quality is ample for fuzz input.
function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

function bytesFor(seed, index) {
  const next = generator(Math.imul(seed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca77));
  const len = 512 + (next() % 7680);
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i += 4) {
    const w = next();
    for (let k = 0; k < 4 && i + k < len; k++) out[i + k] = (w >>> (8 * k)) & 0xff;
  }
  return out;
}

const opts = { seed: 1, start: 0, count: 1, out: '.' };
const argv = process.argv.slice(2);
for (let i = 0; i + 1 < argv.length; i += 2) {
  const key = argv[i].replace(/^--/, '');
  if (!(key in opts)) {
    console.error(`random-bytes.mjs: unknown option ${argv[i]}`);
    process.exit(1);
  }
  opts[key] = key === 'out' ? argv[i + 1] : Number(argv[i + 1]);
}
for (let i = opts.start; i < opts.start + opts.count; i++)
  writeFileSync(`${opts.out}/${i}.bin`, bytesFor(opts.seed, i));
