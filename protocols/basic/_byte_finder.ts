// Finds one byte value in a chunk: the scan that splitting bytes into lines
// spends most of its time in.
//
// Uint8Array.prototype.indexOf scans about 2.7 GB/s in Deno 2.9.6 (a byte
// loop); a 32-bit word-at-a-time loop in JavaScript about 6.5 GB/s. Copying a
// window of the chunk into a WebAssembly memory and comparing 16 bytes per
// SIMD instruction there takes 4.5 ms for 64 MiB, copy included (15 GB/s).
//
// The module, compiled with wabt's wat2wasm from this text:
//
// (module
//   (memory (export "memory") 5)
//   ;; Offsets of every byte equal to $value in memory[0, $len), written as
//   ;; i32 from $out on; returns how many.
//   (func (export "scan") (param $len i32) (param $value i32) (param $out i32)
//     (result i32)
//     (local $i i32) (local $n i32) (local $mask i32) (local $needle v128)
//     (local $end i32) (local $a v128) (local $b v128) (local $c v128)
//     (local $d v128) (local $j i32)
//     (local.set $needle (i8x16.splat (local.get $value)))
//     (local.set $end (i32.and (local.get $len) (i32.const -64)))
//     ;; 64 bytes per turn; only a turn with a match looks at each 16.
//     (block $done
//       (loop $vec
//         (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
//         (local.set $a (i8x16.eq (v128.load (local.get $i)) (local.get $needle)))
//         (local.set $b (i8x16.eq (v128.load offset=16 (local.get $i))
//           (local.get $needle)))
//         (local.set $c (i8x16.eq (v128.load offset=32 (local.get $i))
//           (local.get $needle)))
//         (local.set $d (i8x16.eq (v128.load offset=48 (local.get $i))
//           (local.get $needle)))
//         (if (v128.any_true (v128.or (v128.or (local.get $a) (local.get $b))
//               (v128.or (local.get $c) (local.get $d))))
//           (then
//             (local.set $j (local.get $i))
//             (block $ddone
//               (loop $each
//                 (br_if $ddone (i32.ge_u (local.get $j)
//                   (i32.add (local.get $i) (i32.const 64))))
//                 (local.set $mask (i8x16.bitmask (i8x16.eq
//                   (v128.load (local.get $j)) (local.get $needle))))
//                 (block $nomatch
//                   (loop $bits
//                     (br_if $nomatch (i32.eqz (local.get $mask)))
//                     (i32.store (i32.add (local.get $out)
//                         (i32.shl (local.get $n) (i32.const 2)))
//                       (i32.add (local.get $j) (i32.ctz (local.get $mask))))
//                     (local.set $n (i32.add (local.get $n) (i32.const 1)))
//                     (local.set $mask (i32.and (local.get $mask)
//                       (i32.sub (local.get $mask) (i32.const 1))))
//                     (br $bits)))
//                 (local.set $j (i32.add (local.get $j) (i32.const 16)))
//                 (br $each)))))
//         (local.set $i (i32.add (local.get $i) (i32.const 64)))
//         (br $vec)))
//     (block $tdone
//       (loop $tail
//         (br_if $tdone (i32.ge_u (local.get $i) (local.get $len)))
//         (if (i32.eq (i32.load8_u (local.get $i)) (local.get $value))
//           (then
//             (i32.store (i32.add (local.get $out)
//                 (i32.shl (local.get $n) (i32.const 2)))
//               (local.get $i))
//             (local.set $n (i32.add (local.get $n) (i32.const 1)))))
//         (local.set $i (i32.add (local.get $i) (i32.const 1)))
//         (br $tail)))
//     (local.get $n)))
import { EMPTY_BYTES } from "../../reactor/bytes.ts";

const SCAN_WASM =
  "AGFzbQEAAAABCAFgA39/fwF/AwIBAAUDAQAFBxECBm1lbW9yeQIABHNjYW4AAAqIAgGFAgUDfwF7AX8EewF/IAH9DyEGIABBQHEhBwJAA0AgAyAHTw0BIAP9AAQAIAb9IyEIIAP9AAQQIAb9IyEJIAP9AAQgIAb9IyEKIAP9AAQwIAb9IyELIAggCf1QIAogC/1Q/VD9UwRAIAMhDAJAA0AgDCADQcAAak8NASAM/QAEACAG/SP9ZCEFAkADQCAFRQ0BIAIgBEECdGogDCAFaGo2AgAgBEEBaiEEIAUgBUEBa3EhBQwACwsgDEEQaiEMDAALCwsgA0HAAGohAwwACwsCQANAIAMgAE8NASADLQAAIAFGBEAgAiAEQQJ0aiADNgIAIARBAWohBAsgA0EBaiEDDAALCyAECw==";

// The memory holds one window of input at 0 and its matches after it.
const WINDOW = 64 * 1024;
// The first window of a chunk is small: often only its first line is wanted
// (a partial line to complete, one line before a protocol switch).
const FIRST_WINDOW = 2 * 1024;
// Below this, indexOf is cheaper than a copy and a call.
const MIN_SCAN = 64;

interface Scanner {
  scan(length: number, value: number, out: number): number;
  window: Uint8Array;
  matches: Int32Array;
}

let scanner: Scanner | null | undefined;

// One module instance for the process: decode() scans and keeps its matches
// synchronously, so the memory is never shared between two scans.
function getScanner(): Scanner | null {
  if (scanner !== undefined) return scanner;
  try {
    const bytes = Uint8Array.from(atob(SCAN_WASM), (c) => c.charCodeAt(0));
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes));
    const memory = exports.memory as WebAssembly.Memory;
    scanner = {
      scan: exports.scan as Scanner["scan"],
      window: new Uint8Array(memory.buffer, 0, WINDOW),
      matches: new Int32Array(memory.buffer, WINDOW, WINDOW),
    };
  } catch {
    // No WebAssembly (--jitless): indexOf still works, only slower.
    scanner = null;
  }
  return scanner;
}

export class ByteFinder {
  #value: number;
  #bytes: Uint8Array = EMPTY_BYTES;
  // Where the value occurs in the scanned window, ascending, as offsets in
  // the chunk's buffer: they stay right when the chunk is rebased onto its tail.
  #matches: Int32Array = new Int32Array(16);
  #count = 0;
  // The first match not before the last search.
  #cursor = 0;
  // The scanned window [#from, #to), as offsets in the chunk's buffer.
  #from = 0;
  #to = 0;
  #nextWindow = FIRST_WINDOW;

  constructor(value: number) {
    this.#value = value;
  }

  // Makes `bytes` the chunk that indexOf searches.
  reset(bytes: Uint8Array): void {
    this.#bytes = bytes;
    this.#from = this.#to = 0;
    this.#count = this.#cursor = 0;
    this.#nextWindow = FIRST_WINDOW;
  }

  // Makes `tail` the chunk, when it is the end of the current chunk (the
  // same bytes, not changed since): what was already scanned is kept.
  rebase(tail: Uint8Array): void {
    this.#bytes = tail;
  }

  // Where the value first occurs in the chunk at or after `from`, or -1.
  indexOf(from: number): number {
    const bytes = this.#bytes;
    if (bytes.length - from < MIN_SCAN) return bytes.indexOf(this.#value, from);
    const scanner = getScanner();
    if (scanner === null) return bytes.indexOf(this.#value, from);
    const base = bytes.byteOffset;
    const end = base + bytes.length;
    let at = base + from;
    for (;;) {
      if (at >= this.#from && at < this.#to) {
        const matches = this.#matches;
        const count = this.#count;
        let k = this.#cursor;
        if (k > 0 && (matches[k - 1] as number) >= at) k = 0;
        while (k < count && (matches[k] as number) < at) k++;
        this.#cursor = k;
        if (k < count) return (matches[k] as number) - base;
        at = this.#to;
      }
      if (at >= end) return -1;
      this.#scan(scanner, bytes, at - base);
    }
  }

  #scan(scanner: Scanner, bytes: Uint8Array, start: number): void {
    const length = Math.min(bytes.length - start, this.#nextWindow);
    this.#nextWindow = Math.min(this.#nextWindow * 2, WINDOW);
    scanner.window.set(bytes.subarray(start, start + length));
    const count = scanner.scan(length, this.#value, WINDOW);
    if (count > this.#matches.length) {
      this.#matches = new Int32Array(Math.max(count, this.#matches.length * 2));
    }
    const from = bytes.byteOffset + start;
    const found = scanner.matches;
    const matches = this.#matches;
    for (let k = 0; k < count; k++) matches[k] = (found[k] as number) + from;
    this.#count = count;
    this.#cursor = 0;
    this.#from = from;
    this.#to = from + length;
  }
}
