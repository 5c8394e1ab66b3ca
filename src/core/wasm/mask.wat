;; WebSocket XOR masking (RFC 6455 section 5.3) with 128-bit SIMD.
;; Assembled by scripts/build-wasm.mjs (dev dependency `wabt`) into
;; src/core/wasm/mask-wasm.generated.ts; loaded by src/core/mask-wasm.ts.
;;
;; mask(ptr, len, key): XOR memory[ptr .. ptr+len) in place with `key`, the
;; four mask bytes as they fall on memory[ptr], memory[ptr+1], ... read as one
;; little-endian i32 (the caller rotates the key for the mask phase).
;; Sixteen bytes per step with v128 (four steps unrolled), then four, then one.
(module
  (memory (export "memory") 1)
  (func (export "mask") (param $ptr i32) (param $len i32) (param $key i32)
    (local $end i32) (local $end64 i32) (local $end16 i32) (local $end4 i32) (local $k v128)
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    (local.set $k (i32x4.splat (local.get $key)))
    ;; 64 bytes per iteration
    (local.set $end64 (i32.add (local.get $ptr) (i32.and (local.get $len) (i32.const -64))))
    (block $done64
      (loop $loop64
        (br_if $done64 (i32.ge_u (local.get $ptr) (local.get $end64)))
        (v128.store offset=0 (local.get $ptr) (v128.xor (v128.load offset=0 (local.get $ptr)) (local.get $k)))
        (v128.store offset=16 (local.get $ptr) (v128.xor (v128.load offset=16 (local.get $ptr)) (local.get $k)))
        (v128.store offset=32 (local.get $ptr) (v128.xor (v128.load offset=32 (local.get $ptr)) (local.get $k)))
        (v128.store offset=48 (local.get $ptr) (v128.xor (v128.load offset=48 (local.get $ptr)) (local.get $k)))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 64)))
        (br $loop64)))
    ;; 16 bytes per iteration
    (local.set $end16 (i32.sub (local.get $end) (i32.and (i32.sub (local.get $end) (local.get $ptr)) (i32.const 15))))
    (block $done16
      (loop $loop16
        (br_if $done16 (i32.ge_u (local.get $ptr) (local.get $end16)))
        (v128.store (local.get $ptr) (v128.xor (v128.load (local.get $ptr)) (local.get $k)))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 16)))
        (br $loop16)))
    ;; 4 bytes per iteration
    (local.set $end4 (i32.sub (local.get $end) (i32.and (i32.sub (local.get $end) (local.get $ptr)) (i32.const 3))))
    (block $done4
      (loop $loop4
        (br_if $done4 (i32.ge_u (local.get $ptr) (local.get $end4)))
        (i32.store (local.get $ptr) (i32.xor (i32.load (local.get $ptr)) (local.get $key)))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 4)))
        (br $loop4)))
    ;; the last 0-3 bytes
    (block $done1
      (loop $loop1
        (br_if $done1 (i32.ge_u (local.get $ptr) (local.get $end)))
        (i32.store8 (local.get $ptr) (i32.xor (i32.load8_u (local.get $ptr)) (local.get $key)))
        (local.set $key (i32.shr_u (local.get $key) (i32.const 8)))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 1)))
        (br $loop1)))))
