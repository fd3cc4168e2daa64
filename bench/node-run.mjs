/* SPDX-License-Identifier: Apache-2.0 */
// node-run.mjs: runs one benchmark module in node's V8 for bench/run-engine.
//
//   node node-run.mjs FILE.wasm N
//
// Compiles and instantiates FILE (no imports), calls run(N) once and prints
// the checksum as a signed 32-bit decimal, then the wall seconds and the
// CPU seconds (user + system, all of node's threads) spent in that call
// alone: node's start-up and the module's compilation are not counted,
// and V8 compiles nothing more during the call when started with
// --no-liftoff, as bench/run-engine does (TurboFan code from the start).
//
//   node node-run.mjs --load FILE.wasm
//
// Prints the wall seconds, then the CPU seconds (all threads), that
// new WebAssembly.Module() takes on FILE (V8 validates and compiles it;
// the bytes are read before the clocks start).
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const [first, second] = process.argv.slice(2);
if (first === '--load' && second) {
  const bytes = readFileSync(second);
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  new WebAssembly.Module(bytes);
  const cpu = process.cpuUsage(cpu0);
  console.log(((performance.now() - start) / 1000).toFixed(9));
  console.log(((cpu.user + cpu.system) / 1e6).toFixed(9));
  process.exit(0);
}
const [file, nArg] = [first, second];
if (!file || nArg === undefined) {
  console.error('usage: node node-run.mjs FILE.wasm N | --load FILE.wasm');
  process.exit(2);
}
const module = new WebAssembly.Module(readFileSync(file));
const instance = new WebAssembly.Instance(module, {});
const n = Number.parseInt(nArg, 10);
const cpu0 = process.cpuUsage();
const start = performance.now();
const sum = instance.exports.run(n);
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpu0);
console.log(String(sum | 0));
console.log(seconds.toFixed(9));
console.log(((cpu.user + cpu.system) / 1e6).toFixed(9));
