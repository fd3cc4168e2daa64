/* SPDX-License-Identifier: Apache-2.0 */
// diff_run.mjs: runs one WebAssembly module in node's V8 and prints the
// canonical transcript that tests/diff/diff_run.c prints from libwasmd-engine
// (the format is described at the top of diff_run.c), so tests/diff/run-diff
// can compare the two engines line by line.
//
// V8's JavaScript API does not say a function's parameter and result types,
// which the transcript needs (zero arguments of the right type; results and
// host arguments printed by type), so this script reads the type, import,
// function and export sections of the module itself: a small, independent
// decoder, so a decoding bug in the engine cannot hide on both sides.
// Each export is called ROUNDS times: zero arguments, then edge values.
//
// Usage: node diff_run.mjs FILE.wasm

import { readFileSync, writeSync } from 'node:fs';

const HANG_EXPORT = 'hangLimitInitializer';
const ROUNDS = 3;
// Argument values of rounds 1 and later, as bits: argument i of round r is
// entry (3r + i) % 8 of its type's row. The same table as diff_run.c's.
const EDGES = {
  i32: [0xffffffffn, 1n, 0x7fffffffn, 0x80000000n, 255n, 0x10000n, 0xffffff9cn, 32n],
  i64: [0xffffffffffffffffn, 1n, 0x7fffffffffffffffn, 0x8000000000000000n,
        0x100000000n, 255n, 0xffffffffffffff9cn, 64n],
  // -0, 1.5, inf, -inf, max, smallest denormal, -100, 2^31
  f32: [0x80000000n, 0x3fc00000n, 0x7f800000n, 0xff800000n, 0x7f7fffffn, 1n,
        0xc2c80000n, 0x4f000000n],
  f64: [0x8000000000000000n, 0x3ff8000000000000n, 0x7ff0000000000000n,
        0xfff0000000000000n, 0x7fefffffffffffffn, 1n, 0xc059000000000000n,
        0x41e0000000000000n],
};
const VALTYPES = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64',
                   0x7b: 'v128', 0x70: 'funcref', 0x6f: 'externref' };

// A cursor over the module's bytes with the LEB128 and name readers the
// sections below need.
class Reader {
  constructor(bytes, pos = 0, end = bytes.length) {
    this.b = bytes; this.pos = pos; this.end = end;
  }
  byte() {
    if (this.pos >= this.end) throw new Error('unexpected end');
    return this.b[this.pos++];
  }
  u32() {
    let result = 0, shift = 0, byte;
    do {
      byte = this.byte();
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return result;
  }
  name() {
    const len = this.u32();
    const s = Buffer.from(this.b.subarray(this.pos, this.pos + len)).toString('utf8');
    this.pos += len;
    return s;
  }
  valtype() { return VALTYPES[this.byte()] ?? 'unknown'; }
  limits() {
    const flags = this.byte();
    this.u32();
    if (flags & 1) this.u32();
  }
}

// The function types of imports and exports, in module order.
function decodeSignatures(bytes) {
  const r = new Reader(bytes, 8);
  const types = [], funcTypes = [], imports = [], exports = [];
  while (r.pos < r.end) {
    const id = r.byte(), size = r.u32(), start = r.pos;
    const s = new Reader(bytes, start, start + size);
    if (id === 1) {
      for (let n = s.u32(); n > 0; n--) {
        if (s.byte() !== 0x60) throw new Error('bad type form');
        const params = [], results = [];
        for (let k = s.u32(); k > 0; k--) params.push(s.valtype());
        for (let k = s.u32(); k > 0; k--) results.push(s.valtype());
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = s.u32(); n > 0; n--) {
        const module = s.name(), name = s.name(), kind = s.byte();
        const imp = { module, name, kind };
        if (kind === 0) { imp.type = types[s.u32()]; funcTypes.push(imp.type); }
        else if (kind === 1) { imp.elem = s.valtype(); s.limits(); }
        else if (kind === 2) { s.limits(); }
        else if (kind === 3) { imp.valtype = s.valtype(); imp.mutable = s.byte() === 1; }
        imports.push(imp);
      }
    } else if (id === 3) {
      for (let n = s.u32(); n > 0; n--) funcTypes.push(types[s.u32()]);
    } else if (id === 7) {
      for (let n = s.u32(); n > 0; n--) {
        const name = s.name(), kind = s.byte(), index = s.u32();
        exports.push({ name, kind, index });
      }
    }
    r.pos = start + size;
  }
  for (const e of exports) if (e.kind === 0) e.type = funcTypes[e.index];
  return { imports, exports };
}

const scratch = new DataView(new ArrayBuffer(8));

function hex(n, digits) { return '0x' + n.toString(16).padStart(digits, '0'); }

// A value in the transcript's spelling (see diff_run.c).
function formatValue(type, v) {
  switch (type) {
    case 'i32': return String(v | 0);
    case 'i64': return BigInt.asIntN(64, BigInt(v)).toString();
    case 'f32':
      if (Number.isNaN(v)) return 'nan';
      scratch.setFloat32(0, v);
      return hex(scratch.getUint32(0), 8);
    case 'f64':
      if (Number.isNaN(v)) return 'nan';
      scratch.setFloat64(0, v);
      return hex(scratch.getBigUint64(0), 16);
    case 'funcref': case 'externref': return v === null ? 'null' : 'ref';
    default: return '?';
  }
}

function zeroOf(type) {
  switch (type) {
    case 'i64': return 0n;
    case 'funcref': case 'externref': return null;
    default: return 0;
  }
}

// Argument i of round r (see EDGES); references are always null.
function argOf(type, round, i) {
  if (round === 0 || !(type in EDGES)) return zeroOf(type);
  const bits = EDGES[type][(3 * round + i) % 8];
  switch (type) {
    case 'i32': return Number(BigInt.asIntN(32, bits));
    case 'i64': return BigInt.asIntN(64, bits);
    case 'f32': scratch.setUint32(0, Number(bits)); return scratch.getFloat32(0);
    default: scratch.setBigUint64(0, bits); return scratch.getFloat64(0);
  }
}

function zeroResults(results) {
  if (results.length === 0) return undefined;
  if (results.length === 1) return zeroOf(results[0]);
  return results.map(zeroOf);
}

// Host objects for the imports: functions log and return zeroes, as the
// engine side's do; other kinds are fresh zeroed objects.
function makeImports(imports, out) {
  const obj = {};
  for (const imp of imports) {
    obj[imp.module] ??= {};
    let value;
    if (imp.kind === 0) {
      const label = `${imp.module}.${imp.name}`, type = imp.type;
      value = (...args) => {
        const parts = ['host', label];
        type.params.forEach((t, i) => parts.push(formatValue(t, args[i])));
        out.push(parts.join(' '));
        return zeroResults(type.results);
      };
    } else if (imp.kind === 1) {
      value = new WebAssembly.Table({ element: imp.elem === 'funcref' ? 'anyfunc' : 'externref', initial: 0 });
    } else if (imp.kind === 2) {
      value = new WebAssembly.Memory({ initial: 0 });
    } else {
      value = new WebAssembly.Global({ value: imp.valtype, mutable: imp.mutable }, zeroOf(imp.valtype));
    }
    obj[imp.module][imp.name] = value;
  }
  return obj;
}

function isStackOverflow(e) {
  return e instanceof RangeError && /call stack/i.test(e.message);
}

function callExport(instance, exp, round, out) {
  out.push(`call ${exp.name} ${round}`);
  const { params, results } = exp.type;
  try {
    const ret = instance.exports[exp.name](...params.map((t, i) => argOf(t, round, i)));
    const values = results.length === 1 ? [ret] : (results.length ? [...ret] : []);
    results.forEach((t, i) => out.push(`result ${t} ${formatValue(t, values[i])}`));
    out.push('return');
  } catch (e) {
    if (isStackOverflow(e)) out.push('skip stack');
    else if (e instanceof WebAssembly.RuntimeError) out.push('trap');
    // A v128 at the JavaScript boundary (an import with one in its
    // signature): the engine side's host function traps there.
    else if (e instanceof TypeError && /type incompatibility/.test(e.message)) out.push('trap');
    else out.push(`error ${e.message}`);
  }
}

function run(bytes, out) {
  let module, sigs;
  try {
    module = new WebAssembly.Module(bytes);
    sigs = decodeSignatures(bytes);
  } catch (e) {
    out.push('invalid');
    console.error(`diff_run.mjs: ${e.message}`);
    return;
  }
  let instance;
  try {
    instance = new WebAssembly.Instance(module, makeImports(sigs.imports, out));
  } catch (e) {
    out.push(e instanceof WebAssembly.RuntimeError ? 'instantiate trap'
             : isStackOverflow(e) ? 'skip stack' : 'link-error');
    console.error(`diff_run.mjs: ${e.message}`);
    return;
  }
  out.push('instantiate ok');
  const hang = instance.exports[HANG_EXPORT];
  for (const exp of sigs.exports) {
    if (exp.kind !== 0 || exp.name === HANG_EXPORT) continue;
    // JavaScript cannot call an export with a v128 in its signature.
    if ([...exp.type.params, ...exp.type.results].includes('v128')) continue;
    for (let round = 0; round < ROUNDS; round++) {
      if (typeof hang === 'function') {
        try { hang(); } catch (e) { /* the engine side ignores it too */ }
      }
      callExport(instance, exp, round, out);
    }
  }
}

if (process.argv.length !== 3) {
  console.error('usage: node diff_run.mjs FILE.wasm');
  process.exit(1);
}
const out = [];
run(readFileSync(process.argv[2]), out);
writeSync(1, out.join('\n') + '\n');
