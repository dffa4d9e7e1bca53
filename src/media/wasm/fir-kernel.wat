;; The resampler's inner loops and G.711 next to them, in WebAssembly SIMD (see ../resampler-simd.ts and
;; scripts/build-wasm.ts, which turns this file into fir-kernel-bytes.ts).
;;
;; The caller lays everything out in this module's memory: float32 sample regions, int16
;; staging buffers and term tables. Nothing here allocates or keeps state between calls.
(module
  (memory (export "memory") 1)

  ;; int16 → float32: $n samples from $src (int16) to $dst (float32), in blocks of 8
  ;; (the caller pads both regions to a multiple of 8 samples).
  (func (export "widen") (param $src i32) (param $dst i32) (param $n i32)
    (local $end i32) (local $v v128)
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 1))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (local.set $v (v128.load (local.get $src)))
        (v128.store (local.get $dst) (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $v))))
        (v128.store offset=16 (local.get $dst) (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $v))))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
        (br $next))))

  ;; G.711 → float32: $dst[i] = $table[$src[i]] for i < $n ($table: 256 float32, the decoder's
  ;; values), so a caller's frame is decoded on its way into the filter.
  (func (export "expand") (param $src i32) (param $n i32) (param $table i32) (param $dst i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $src) (local.get $n)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (f32.store (local.get $dst)
          (f32.load (i32.add (local.get $table) (i32.shl (i32.load8_u (local.get $src)) (i32.const 2)))))
        (local.set $src (i32.add (local.get $src) (i32.const 1)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (br $next))))

  ;; int16 → G.711: $dst[i] = $table[($src[i] >> $shift) + $bias] for i < $n ($table: the
  ;; encoder's, indexed by the sample's top bits), so the filter's output leaves encoded.
  (func (export "compress") (param $src i32) (param $n i32) (param $table i32) (param $shift i32) (param $bias i32) (param $dst i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $dst) (local.get $n)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $dst) (local.get $end)))
        (i32.store8 (local.get $dst)
          (i32.load8_u (i32.add (local.get $table)
            (i32.add (i32.shr_s (i32.load16_s (local.get $src)) (local.get $shift)) (local.get $bias)))))
        (local.set $src (i32.add (local.get $src) (i32.const 2)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
        (br $next))))

  ;; float32 deinterleave: stream r (r < $d) gets $src[r], $src[r + d], $src[r + 2d], ... at
  ;; $dst + r × $stride bytes, for the $n samples of $src.
  (func (export "deinterleave") (param $src i32) (param $n i32) (param $d i32) (param $dst i32) (param $stride i32)
    (local $r i32) (local $i i32) (local $out i32)
    (local.set $r (i32.const 0))
    (block $streams
      (loop $stream
        (br_if $streams (i32.ge_u (local.get $r) (local.get $d)))
        (local.set $i (local.get $r))
        (local.set $out (i32.add (local.get $dst) (i32.mul (local.get $r) (local.get $stride))))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
            (f32.store (local.get $out) (f32.load (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 2)))))
            (local.set $out (i32.add (local.get $out) (i32.const 4)))
            (local.set $i (i32.add (local.get $i) (local.get $d)))
            (br $next)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $stream))))

  ;; One phase of a polyphase FIR, sixteen outputs at a time (four accumulators: each term's
  ;; coefficient and offset are loaded once for sixteen outputs):
  ;;   out[m × outStride] = saturate16(round(Σ_t coef[t] · S[m + off[t]]))   for m < count
  ;; S is float32 at $src; term t has its coefficient splat in four lanes at $coefs + 16 t and
  ;; its byte offset into S at $offs + 4 t. Outputs are int16 at $out, $outStride apart (in
  ;; samples). Blocks of sixteen read up to fifteen samples past the last output's and write up
  ;; to fifteen outputs past count: the caller's regions have that room.
  (func (export "fir") (param $src i32) (param $coefs i32) (param $offs i32) (param $terms i32)
                       (param $out i32) (param $count i32) (param $outStride i32)
    (local $m i32) (local $t i32) (local $c v128) (local $p i32)
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128)
    (local $lo v128) (local $hi v128) (local $step i32)
    (local.set $step (i32.shl (local.get $outStride) (i32.const 1)))
    (block $blocks
      (loop $block
        (br_if $blocks (i32.ge_s (local.get $m) (local.get $count)))
        (local.set $acc0 (v128.const f32x4 0 0 0 0))
        (local.set $acc1 (v128.const f32x4 0 0 0 0))
        (local.set $acc2 (v128.const f32x4 0 0 0 0))
        (local.set $acc3 (v128.const f32x4 0 0 0 0))
        (local.set $t (i32.const 0))
        (block $sum
          (loop $term
            (br_if $sum (i32.ge_u (local.get $t) (local.get $terms)))
            (local.set $c (v128.load (i32.add (local.get $coefs) (i32.shl (local.get $t) (i32.const 4)))))
            (local.set $p (i32.add
              (i32.add (local.get $src) (i32.shl (local.get $m) (i32.const 2)))
              (i32.load (i32.add (local.get $offs) (i32.shl (local.get $t) (i32.const 2))))))
            (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul (local.get $c) (v128.load (local.get $p)))))
            (local.set $acc1 (f32x4.add (local.get $acc1) (f32x4.mul (local.get $c) (v128.load offset=16 (local.get $p)))))
            (local.set $acc2 (f32x4.add (local.get $acc2) (f32x4.mul (local.get $c) (v128.load offset=32 (local.get $p)))))
            (local.set $acc3 (f32x4.add (local.get $acc3) (f32x4.mul (local.get $c) (v128.load offset=48 (local.get $p)))))
            (local.set $t (i32.add (local.get $t) (i32.const 1)))
            (br $term)))
        (local.set $lo (i16x8.narrow_i32x4_s
          (i32x4.trunc_sat_f32x4_s (f32x4.nearest (local.get $acc0)))
          (i32x4.trunc_sat_f32x4_s (f32x4.nearest (local.get $acc1)))))
        (local.set $hi (i16x8.narrow_i32x4_s
          (i32x4.trunc_sat_f32x4_s (f32x4.nearest (local.get $acc2)))
          (i32x4.trunc_sat_f32x4_s (f32x4.nearest (local.get $acc3)))))
        (if (i32.eq (local.get $outStride) (i32.const 1))
          (then
            (v128.store (local.get $out) (local.get $lo))
            (v128.store offset=16 (local.get $out) (local.get $hi)))
          (else
            (call $scatter8 (local.get $out) (local.get $step) (local.get $lo))
            (call $scatter8 (i32.add (local.get $out) (i32.shl (local.get $step) (i32.const 3))) (local.get $step) (local.get $hi))))
        (local.set $out (i32.add (local.get $out) (i32.shl (local.get $step) (i32.const 4))))
        (local.set $m (i32.add (local.get $m) (i32.const 16)))
        (br $block))))

  ;; Eight int16 lanes of $r to $out, $out + $step, ..., $out + 7 × $step (bytes).
  (func $scatter8 (param $out i32) (param $step i32) (param $r v128)
    (i32.store16 (local.get $out) (i16x8.extract_lane_s 0 (local.get $r)))
    (local.set $out (i32.add (local.get $out) (local.get $step)))
    (i32.store16 (local.get $out) (i16x8.extract_lane_s 1 (local.get $r)))
    (local.set $out (i32.add (local.get $out) (local.get $step)))
    (i32.store16 (local.get $out) (i16x8.extract_lane_s 2 (local.get $r)))
    (local.set $out (i32.add (local.get $out) (local.get $step)))
    (i32.store16 (local.get $out) (i16x8.extract_lane_s 3 (local.get $r)))
    (local.set $out (i32.add (local.get $out) (local.get $step)))
    (i32.store16 (local.get $out) (i16x8.extract_lane_s 4 (local.get $r)))
    (local.set $out (i32.add (local.get $out) (local.get $step)))
    (i32.store16 (local.get $out) (i16x8.extract_lane_s 5 (local.get $r)))
    (local.set $out (i32.add (local.get $out) (local.get $step)))
    (i32.store16 (local.get $out) (i16x8.extract_lane_s 6 (local.get $r)))
    (local.set $out (i32.add (local.get $out) (local.get $step)))
    (i32.store16 (local.get $out) (i16x8.extract_lane_s 7 (local.get $r))))
)
