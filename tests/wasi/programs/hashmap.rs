/* SPDX-License-Identifier: Apache-2.0 */
// hashmap.rs: a Rust program whose std HashMap seeds its hasher with
// random_get, built for wasm32-wasi with Debian's rustc and natively; the
// two must print the same (the output does not depend on the seed).
use std::collections::HashMap;
use std::env;

fn main() {
    let n: u64 = env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let mut counts: HashMap<String, u64> = HashMap::new();
    for i in 0..n {
        *counts.entry(format!("key{}", i % 37)).or_insert(0) += i;
    }
    let mut keys: Vec<(&String, &u64)> = counts.iter().collect();
    keys.sort();
    let sum: u64 = counts.values().sum();
    println!("{} keys, sum {}", counts.len(), sum);
    for (k, v) in keys.iter().take(5) {
        println!("{} = {}", k, v);
    }
}
