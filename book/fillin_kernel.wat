;; The fill-in demo's hot loop in WebAssembly (SIMD): the recurrent products of a batch of
;; GRU states, G[i, j] = b[j] + sum_k W[j, k] H[i, k], in float64 as the JavaScript path.
;; fillin.js carries this module compiled (tools/wasm.mjs writes it; tests/test_fillin.py
;; checks that the copy is current) and falls back to plain JavaScript without SIMD.
;;
;; gemm(W, b, H, G, rows, h, n, ldg): byte offsets of W (rows x h, row-major), b (rows),
;; H (n x h) and G (n x ldg); h must be even (two float64 lanes per step).
(module
  (memory (export "memory") 1)
  (func $dot4 (param $w i32) (param $h0 i32) (param $hb i32) (param $len i32)
        (result v128 v128 v128 v128)
    ;; four dot products of one weight row with four consecutive state rows
    (local $k i32) (local $wv v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $h1 i32) (local $h2 i32) (local $h3 i32)
    (local.set $h1 (i32.add (local.get $h0) (local.get $hb)))
    (local.set $h2 (i32.add (local.get $h1) (local.get $hb)))
    (local.set $h3 (i32.add (local.get $h2) (local.get $hb)))
    (block $done
      (loop $step
        (br_if $done (i32.ge_u (local.get $k) (local.get $len)))
        (local.set $wv (v128.load (i32.add (local.get $w) (local.get $k))))
        (local.set $a0 (f64x2.add (local.get $a0)
          (f64x2.mul (local.get $wv) (v128.load (i32.add (local.get $h0) (local.get $k))))))
        (local.set $a1 (f64x2.add (local.get $a1)
          (f64x2.mul (local.get $wv) (v128.load (i32.add (local.get $h1) (local.get $k))))))
        (local.set $a2 (f64x2.add (local.get $a2)
          (f64x2.mul (local.get $wv) (v128.load (i32.add (local.get $h2) (local.get $k))))))
        (local.set $a3 (f64x2.add (local.get $a3)
          (f64x2.mul (local.get $wv) (v128.load (i32.add (local.get $h3) (local.get $k))))))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br $step)))
    (local.get $a0) (local.get $a1) (local.get $a2) (local.get $a3))

  (func $dot1 (param $w i32) (param $h0 i32) (param $len i32) (result v128)
    (local $k i32) (local $a0 v128)
    (block $done
      (loop $step
        (br_if $done (i32.ge_u (local.get $k) (local.get $len)))
        (local.set $a0 (f64x2.add (local.get $a0)
          (f64x2.mul (v128.load (i32.add (local.get $w) (local.get $k)))
                     (v128.load (i32.add (local.get $h0) (local.get $k))))))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br $step)))
    (local.get $a0))

  ;; bias + both lanes, stored at G
  (func $put (param $g i32) (param $bias f64) (param $a v128)
    (f64.store (local.get $g)
      (f64.add (local.get $bias)
               (f64.add (f64x2.extract_lane 0 (local.get $a)) (f64x2.extract_lane 1 (local.get $a))))))

  (func (export "gemm") (param $W i32) (param $b i32) (param $H i32) (param $G i32)
        (param $rows i32) (param $h i32) (param $n i32) (param $ldg i32)
    (local $j i32) (local $i i32) (local $w i32) (local $bias f64) (local $hb i32)
    (local $gb i32) (local $g i32) (local $a0 v128) (local $a1 v128) (local $a2 v128)
    (local $a3 v128)
    (local.set $hb (i32.shl (local.get $h) (i32.const 3)))    ;; bytes per state row
    (local.set $gb (i32.shl (local.get $ldg) (i32.const 3)))  ;; bytes per row of G
    (block $rows_done
      (loop $row
        (br_if $rows_done (i32.ge_u (local.get $j) (local.get $rows)))
        (local.set $w (i32.add (local.get $W) (i32.mul (local.get $j) (local.get $hb))))
        (local.set $bias (f64.load (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $i (i32.const 0))
        (local.set $g (i32.add (local.get $G) (i32.shl (local.get $j) (i32.const 3))))
        (block $quads_done
          (loop $quad
            (br_if $quads_done (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $n)))
            (call $dot4 (local.get $w)
                        (i32.add (local.get $H) (i32.mul (local.get $i) (local.get $hb)))
                        (local.get $hb) (local.get $hb))
            (local.set $a3) (local.set $a2) (local.set $a1) (local.set $a0)
            (call $put (local.get $g) (local.get $bias) (local.get $a0))
            (call $put (i32.add (local.get $g) (local.get $gb)) (local.get $bias) (local.get $a1))
            (call $put (i32.add (local.get $g) (i32.mul (local.get $gb) (i32.const 2)))
                       (local.get $bias) (local.get $a2))
            (call $put (i32.add (local.get $g) (i32.mul (local.get $gb) (i32.const 3)))
                       (local.get $bias) (local.get $a3))
            (local.set $g (i32.add (local.get $g) (i32.shl (local.get $gb) (i32.const 2))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $quad)))
        (block $singles_done
          (loop $single
            (br_if $singles_done (i32.ge_u (local.get $i) (local.get $n)))
            (call $put (local.get $g) (local.get $bias)
              (call $dot1 (local.get $w)
                          (i32.add (local.get $H) (i32.mul (local.get $i) (local.get $hb)))
                          (local.get $hb)))
            (local.set $g (i32.add (local.get $g) (local.get $gb)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $single)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $row))))
)
