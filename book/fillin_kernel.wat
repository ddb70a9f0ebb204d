;; The fill-in demo's hot loop in WebAssembly (SIMD, float32 like PyTorch's models): one
;; GRU step of a batch of states, the recurrent products and the gates together.
;; fillin.js carries this module compiled (tools/wasm.mjs writes it; tests/test_fillin.py
;; checks that the copy is current) and falls back to plain JavaScript (float64) where
;; WebAssembly SIMD is missing.
;;
;; step(W, b, gi, H, G, tok, hp, n) advances the n states H (n x hp) by one step of PyTorch's
;; GRU (gates r, z, n). All are byte offsets of float32 arrays whose rows are padded with
;; zeros to hp (a multiple of 4) units: W_hh as 3 blocks of hp rows of hp (3hp x hp), b_hh
;; (3hp), the input products of every token gi (q x 3hp), the scratch G (n x 3hp), and
;; tok (n int32), the token each state reads. Zero padding stays zero: its gates are 1/2
;; and its candidate tanh(0) = 0.
(module
  (memory (export "memory") 1)

  ;; four dot products of one weight row with four consecutive state rows
  (func $dot4 (param $w i32) (param $h0 i32) (param $hb i32) (param $len i32)
        (result v128 v128 v128 v128)
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
        (local.set $a0 (f32x4.add (local.get $a0)
          (f32x4.mul (local.get $wv) (v128.load (i32.add (local.get $h0) (local.get $k))))))
        (local.set $a1 (f32x4.add (local.get $a1)
          (f32x4.mul (local.get $wv) (v128.load (i32.add (local.get $h1) (local.get $k))))))
        (local.set $a2 (f32x4.add (local.get $a2)
          (f32x4.mul (local.get $wv) (v128.load (i32.add (local.get $h2) (local.get $k))))))
        (local.set $a3 (f32x4.add (local.get $a3)
          (f32x4.mul (local.get $wv) (v128.load (i32.add (local.get $h3) (local.get $k))))))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br $step)))
    (local.get $a0) (local.get $a1) (local.get $a2) (local.get $a3))

  (func $dot1 (param $w i32) (param $h0 i32) (param $len i32) (result v128)
    (local $k i32) (local $a0 v128)
    (block $done
      (loop $step
        (br_if $done (i32.ge_u (local.get $k) (local.get $len)))
        (local.set $a0 (f32x4.add (local.get $a0)
          (f32x4.mul (v128.load (i32.add (local.get $w) (local.get $k)))
                     (v128.load (i32.add (local.get $h0) (local.get $k))))))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br $step)))
    (local.get $a0))

  ;; bias + the four lanes, stored at G
  (func $put (param $g i32) (param $bias f32) (param $a v128)
    (f32.store (local.get $g)
      (f32.add (local.get $bias)
        (f32.add (f32.add (f32x4.extract_lane 0 (local.get $a)) (f32x4.extract_lane 1 (local.get $a)))
                 (f32.add (f32x4.extract_lane 2 (local.get $a)) (f32x4.extract_lane 3 (local.get $a)))))))

  ;; G[i, j] = b[j] + sum_k W[j, k] H[i, k]: W rows x hp, H n x hp, G n x ldg (in floats)
  (func $gemm (param $W i32) (param $b i32) (param $H i32) (param $G i32)
        (param $rows i32) (param $hp i32) (param $n i32) (param $ldg i32)
    (local $j i32) (local $i i32) (local $w i32) (local $bias f32) (local $hb i32)
    (local $gb i32) (local $g i32) (local $a0 v128) (local $a1 v128) (local $a2 v128)
    (local $a3 v128)
    (local.set $hb (i32.shl (local.get $hp) (i32.const 2)))   ;; bytes per state row
    (local.set $gb (i32.shl (local.get $ldg) (i32.const 2)))  ;; bytes per row of G
    (block $rows_done
      (loop $row
        (br_if $rows_done (i32.ge_u (local.get $j) (local.get $rows)))
        (local.set $w (i32.add (local.get $W) (i32.mul (local.get $j) (local.get $hb))))
        (local.set $bias (f32.load (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $i (i32.const 0))
        (local.set $g (i32.add (local.get $G) (i32.shl (local.get $j) (i32.const 2))))
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

  ;; exp of four floats (Cephes' expf: x = k ln 2 + r, |r| <= ln 2 / 2, a degree-7
  ;; polynomial for e^r, 2^k built in the exponent bits), within about 2 ulp; the input is
  ;; clamped to [-87, 88], where 2^k stays a normal float.
  (func $exp (param $x v128) (result v128)
    (local $k v128) (local $r v128) (local $y v128)
    (local.set $x (f32x4.min (f32x4.max (local.get $x) (f32x4.splat (f32.const -87)))
                             (f32x4.splat (f32.const 88))))
    (local.set $k (f32x4.nearest (f32x4.mul (local.get $x) (f32x4.splat (f32.const 1.44269504)))))
    (local.set $r (f32x4.sub
      (f32x4.sub (local.get $x) (f32x4.mul (local.get $k) (f32x4.splat (f32.const 0.693359375))))
      (f32x4.mul (local.get $k) (f32x4.splat (f32.const -2.12194440e-4)))))
    (local.set $y (f32x4.splat (f32.const 1.9875691500e-4)))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (f32x4.splat (f32.const 1.3981999507e-3))))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (f32x4.splat (f32.const 8.3334519073e-3))))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (f32x4.splat (f32.const 4.1665795894e-2))))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (f32x4.splat (f32.const 1.6666665459e-1))))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (f32x4.splat (f32.const 5.0000001201e-1))))
    (local.set $y (f32x4.add
      (f32x4.add (f32x4.mul (local.get $y) (f32x4.mul (local.get $r) (local.get $r))) (local.get $r))
      (f32x4.splat (f32.const 1))))
    (f32x4.mul (local.get $y)
      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $k)) (i32x4.splat (i32.const 127)))
                 (i32.const 23))))

  (func $sigmoid (param $x v128) (result v128)
    (f32x4.div (f32x4.splat (f32.const 1))
               (f32x4.add (f32x4.splat (f32.const 1)) (call $exp (f32x4.neg (local.get $x))))))

  ;; tanh x = 1 - 2 / (1 + e^(2x))
  (func $tanh (param $x v128) (result v128)
    (f32x4.sub (f32x4.splat (f32.const 1))
      (f32x4.div (f32x4.splat (f32.const 2))
                 (f32x4.add (f32x4.splat (f32.const 1))
                            (call $exp (f32x4.add (local.get $x) (local.get $x)))))))

  (func (export "step") (param $W i32) (param $b i32) (param $gi i32) (param $H i32)
        (param $G i32) (param $tok i32) (param $hp i32) (param $n i32)
    (local $i i32) (local $c i32) (local $hb i32) (local $x i32) (local $g i32) (local $s i32)
    (local $r v128) (local $z v128) (local $cand v128) (local $old v128)
    (local.set $hb (i32.shl (local.get $hp) (i32.const 2)))   ;; bytes per gate block
    (call $gemm (local.get $W) (local.get $b) (local.get $H) (local.get $G)
                (i32.mul (local.get $hp) (i32.const 3)) (local.get $hp) (local.get $n)
                (i32.mul (local.get $hp) (i32.const 3)))
    (block $states_done
      (loop $state
        (br_if $states_done (i32.ge_u (local.get $i) (local.get $n)))
        ;; this state's input products, recurrent products and units
        (local.set $x (i32.add (local.get $gi)
          (i32.mul (i32.load (i32.add (local.get $tok) (i32.shl (local.get $i) (i32.const 2))))
                   (i32.mul (local.get $hb) (i32.const 3)))))
        (local.set $g (i32.add (local.get $G) (i32.mul (local.get $i) (i32.mul (local.get $hb) (i32.const 3)))))
        (local.set $s (i32.add (local.get $H) (i32.mul (local.get $i) (local.get $hb))))
        (local.set $c (i32.const 0))
        (block $units_done
          (loop $units
            (br_if $units_done (i32.ge_u (local.get $c) (local.get $hb)))
            (local.set $r (call $sigmoid (f32x4.add
              (v128.load (i32.add (local.get $x) (local.get $c)))
              (v128.load (i32.add (local.get $g) (local.get $c))))))
            (local.set $z (call $sigmoid (f32x4.add
              (v128.load (i32.add (i32.add (local.get $x) (local.get $hb)) (local.get $c)))
              (v128.load (i32.add (i32.add (local.get $g) (local.get $hb)) (local.get $c))))))
            (local.set $cand (call $tanh (f32x4.add
              (v128.load (i32.add (i32.add (local.get $x) (i32.shl (local.get $hb) (i32.const 1))) (local.get $c)))
              (f32x4.mul (local.get $r)
                (v128.load (i32.add (i32.add (local.get $g) (i32.shl (local.get $hb) (i32.const 1))) (local.get $c)))))))
            (local.set $old (v128.load (i32.add (local.get $s) (local.get $c))))
            ;; (1 - z) n + z h
            (v128.store (i32.add (local.get $s) (local.get $c))
              (f32x4.add (f32x4.mul (f32x4.sub (f32x4.splat (f32.const 1)) (local.get $z)) (local.get $cand))
                         (f32x4.mul (local.get $z) (local.get $old))))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $units)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $state))))
)
