//! The update loop: exact integration of every neuron over one step and the spike search,
//! portable (blocks of 64, auto-vectorized) or with AVX2 intrinsics, bit-identical.

use super::params::{LifParams, timestep};

/// Precomputed per-step coefficients of one neuron (state is `u = v - v_rest`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Coef {
    pub(super) pm: f32,
    pub(super) ce: f32,
    pub(super) ci: f32,
    pub(super) pe: f32,
    pub(super) pi: f32,
    pub(super) u_th: f32,
    pub(super) u_reset: f32,
    pub(super) ref_steps: i32,
}

impl Coef {
    pub(super) fn new(p: &LifParams, dt: f64) -> Coef {
        let pm = (-dt / p.tau_m).exp();
        let pe = (-dt / p.tau_e).exp();
        let pi = (-dt / p.tau_i).exp();
        Coef {
            pm: pm as f32,
            ce: drive_coef(dt, p.tau_m, p.tau_e) as f32,
            ci: drive_coef(dt, p.tau_m, p.tau_i) as f32,
            pe: pe as f32,
            pi: pi as f32,
            u_th: (p.v_th - p.v_rest) as f32,
            u_reset: (p.v_reset - p.v_rest) as f32,
            ref_steps: timestep(p.refractory, dt) as i32,
        }
    }
}

/// Change of `u = v - v_rest` over `dt` per unit of synaptic current `g` decaying with `tau_s`:
/// `tau_s/(tau_s - tau_m) * (e^(-dt/tau_s) - e^(-dt/tau_m))`, written with `expm1` so it stays
/// accurate as `tau_s -> tau_m` (limit `dt/tau_m * e^(-dt/tau_m)`).
pub(super) fn drive_coef(dt: f64, tau_m: f64, tau_s: f64) -> f64 {
    let x = dt * (tau_s - tau_m) / (tau_m * tau_s);
    let ratio = if x == 0.0 { 1.0 } else { x.exp_m1() / x };
    (-dt / tau_m).exp() * (dt / tau_m) * ratio
}

/// Coefficient access for the update loop: broadcast scalars or per-neuron arrays.
pub(super) trait Coefs {
    fn pm(&self, i: usize) -> f32;
    fn ce(&self, i: usize) -> f32;
    fn ci(&self, i: usize) -> f32;
    fn pe(&self, i: usize) -> f32;
    fn pi(&self, i: usize) -> f32;
    fn u_th(&self, i: usize) -> f32;
}

impl Coefs for Coef {
    #[inline(always)]
    fn pm(&self, _: usize) -> f32 {
        self.pm
    }
    #[inline(always)]
    fn ce(&self, _: usize) -> f32 {
        self.ce
    }
    #[inline(always)]
    fn ci(&self, _: usize) -> f32 {
        self.ci
    }
    #[inline(always)]
    fn pe(&self, _: usize) -> f32 {
        self.pe
    }
    #[inline(always)]
    fn pi(&self, _: usize) -> f32 {
        self.pi
    }
    #[inline(always)]
    fn u_th(&self, _: usize) -> f32 {
        self.u_th
    }
}

/// Per-neuron coefficient arrays (all of length n).
#[derive(Debug, Clone)]
pub(super) struct CoefArrays {
    pub(super) pm: Vec<f32>,
    pub(super) ce: Vec<f32>,
    pub(super) ci: Vec<f32>,
    pub(super) pe: Vec<f32>,
    pub(super) pi: Vec<f32>,
    pub(super) u_th: Vec<f32>,
    pub(super) u_reset: Vec<f32>,
    pub(super) ref_steps: Vec<i32>,
}

impl CoefArrays {
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    fn len(&self) -> usize {
        self.pm.len()
    }

    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    #[inline]
    fn coef(&self, i: usize) -> Coef {
        Coef {
            pm: self.pm[i],
            ce: self.ce[i],
            ci: self.ci[i],
            pe: self.pe[i],
            pi: self.pi[i],
            u_th: self.u_th[i],
            u_reset: self.u_reset[i],
            ref_steps: self.ref_steps[i],
        }
    }
}

/// The same arrays as slices cut to one block, so the loop's bounds checks fold away.
pub(super) struct CoefSlices<'a> {
    pm: &'a [f32],
    ce: &'a [f32],
    ci: &'a [f32],
    pe: &'a [f32],
    pi: &'a [f32],
    u_th: &'a [f32],
}

impl Coefs for CoefSlices<'_> {
    #[inline(always)]
    fn pm(&self, i: usize) -> f32 {
        self.pm[i]
    }
    #[inline(always)]
    fn ce(&self, i: usize) -> f32 {
        self.ce[i]
    }
    #[inline(always)]
    fn ci(&self, i: usize) -> f32 {
        self.ci[i]
    }
    #[inline(always)]
    fn pe(&self, i: usize) -> f32 {
        self.pe[i]
    }
    #[inline(always)]
    fn pi(&self, i: usize) -> f32 {
        self.pi[i]
    }
    #[inline(always)]
    fn u_th(&self, i: usize) -> f32 {
        self.u_th[i]
    }
}

/// Neurons per block: the update of a block is one vectorized loop; the (rare) spike search
/// rescans only blocks where some neuron crossed the threshold.
pub(super) const BLOCK: usize = 64;

/// Mutable state of one block.
pub(super) struct Block<'a> {
    u: &'a mut [f32],
    ge: &'a mut [f32],
    gi: &'a mut [f32],
    ref_until: &'a [i32],
}

/// Update one block (length `b.u.len()`, every slice the same length); true if any neuron in
/// it is above threshold and not refractory.
#[inline(always)]
pub(super) fn update_block<C: Coefs>(clock: i32, b: Block<'_>, c: &C) -> bool {
    let len = b.u.len();
    let (u, ge, gi, ref_until) = (b.u, &mut b.ge[..len], &mut b.gi[..len], &b.ref_until[..len]);
    let mut any = 0u32;
    for i in 0..len {
        let active = clock >= ref_until[i];
        let (ui, gei, gii) = (u[i], ge[i], gi[i]);
        let integrated = ui * c.pm(i) + gei * c.ce(i) + gii * c.ci(i);
        // A refractory neuron keeps `u`. Written as a bitwise select: the plain
        // `if active {..} else {u[i]}` turns into a conditional (masked) store, which is
        // microcoded and slow on AMD and scalarized without AVX.
        let keep = (active as u32).wrapping_neg();
        let un = f32::from_bits((integrated.to_bits() & keep) | (ui.to_bits() & !keep));
        u[i] = un;
        ge[i] = gei * c.pe(i);
        gi[i] = gii * c.pi(i);
        any |= (active & (un > c.u_th(i))) as u32;
    }
    any != 0
}

/// State arrays the update loop works on.
pub(super) struct State<'a> {
    pub(super) clock: i32,
    pub(super) u: &'a mut [f32],
    pub(super) ge: &'a mut [f32],
    pub(super) gi: &'a mut [f32],
    pub(super) ref_until: &'a mut [i32],
    pub(super) fired: Spikes<'a>,
}

/// Spiking neurons of this step, in a buffer of length n allocated once. Writing by index
/// (never growing) keeps calls out of the update loop, so its vector constants stay in
/// registers.
pub(super) struct Spikes<'a> {
    pub(super) buf: &'a mut [u32],
    pub(super) len: usize,
}

impl Spikes<'_> {
    #[inline(always)]
    fn push(&mut self, i: usize) {
        self.buf[self.len] = i as u32;
        self.len += 1;
    }
}

/// Update every neuron, then find, reset and record (in `fired`) the ones that spiked.
#[inline(always)]
pub(super) fn update_all(mut s: State<'_>, uniform: Option<&Coef>, arrays: &CoefArrays) -> usize {
    let n = s.u.len();
    let mut start = 0;
    while start < n {
        let end = (start + BLOCK).min(n);
        let block = Block {
            u: &mut s.u[start..end],
            ge: &mut s.ge[start..end],
            gi: &mut s.gi[start..end],
            ref_until: &s.ref_until[start..end],
        };
        let any = match uniform {
            Some(c) => update_block(s.clock, block, c),
            None => {
                let r = start..end;
                let c = CoefSlices {
                    pm: &arrays.pm[r.clone()],
                    ce: &arrays.ce[r.clone()],
                    ci: &arrays.ci[r.clone()],
                    pe: &arrays.pe[r.clone()],
                    pi: &arrays.pi[r.clone()],
                    u_th: &arrays.u_th[r],
                };
                update_block(s.clock, block, &c)
            }
        };
        if any {
            for i in start..end {
                let (u_th, u_reset, ref_steps) = match uniform {
                    Some(c) => (c.u_th, c.u_reset, c.ref_steps),
                    None => (arrays.u_th[i], arrays.u_reset[i], arrays.ref_steps[i]),
                };
                if s.clock >= s.ref_until[i] && s.u[i] > u_th {
                    s.u[i] = u_reset;
                    s.ref_until[i] = s.clock + ref_steps;
                    s.fired.push(i);
                }
            }
        }
        start = end;
    }
    s.fired.len
}

pub(super) fn update_portable(s: State<'_>, uniform: Option<&Coef>, arrays: &CoefArrays) -> usize {
    update_all(s, uniform, arrays)
}

/// The update loop with AVX2 intrinsics: 8 neurons per iteration, the spike search is a
/// `movemask` of the threshold test (no rescans). Same operations in the same order as
/// `update_block` (no FMA), so the results are bit-identical to the portable loop.
#[cfg(target_arch = "x86_64")]
pub(super) mod avx2 {
    use super::{Coef, CoefArrays, State};
    use std::arch::x86_64::*;

    #[target_feature(enable = "avx2")]
    pub(in crate::apps::bench::network) fn update(
        s: State<'_>,
        uniform: Option<&Coef>,
        arrays: &CoefArrays,
    ) -> usize {
        match uniform {
            Some(c) => kernel::<true>(s, c, arrays),
            None if arrays.len() == 0 => 0,
            None => kernel::<false>(s, &arrays.coef(0), arrays),
        }
    }

    /// `UNIFORM`: coefficients from `uni` (broadcast); otherwise from `a` per neuron.
    #[target_feature(enable = "avx2")]
    #[inline]
    fn kernel<const UNIFORM: bool>(mut s: State<'_>, uni: &Coef, a: &CoefArrays) -> usize {
        let n = s.u.len();
        assert!(s.ge.len() == n && s.gi.len() == n && s.ref_until.len() == n);
        if !UNIFORM {
            assert!(a.len() == n);
        }
        let clock = _mm256_set1_epi32(s.clock);
        let [bpm, bce, bci, bpe, bpi, bth] =
            [uni.pm, uni.ce, uni.ci, uni.pe, uni.pi, uni.u_th].map(|x| _mm256_set1_ps(x));
        let (u, ge, gi, ref_until) = (s.u, s.ge, s.gi, s.ref_until);
        let mut i = 0;
        while i + 8 <= n {
            // SAFETY: i + 8 <= n and every array read or written has length n (asserted above).
            unsafe {
                let ld = |v: &[f32]| _mm256_loadu_ps(v.as_ptr().add(i));
                let (pm, ce, ci, pe, pi, th) = if UNIFORM {
                    (bpm, bce, bci, bpe, bpi, bth)
                } else {
                    (
                        ld(&a.pm),
                        ld(&a.ce),
                        ld(&a.ci),
                        ld(&a.pe),
                        ld(&a.pi),
                        ld(&a.u_th),
                    )
                };
                let uv = ld(u);
                let gev = ld(ge);
                let giv = ld(gi);
                let r = _mm256_loadu_si256(ref_until.as_ptr().add(i) as *const __m256i);
                let refractory = _mm256_castsi256_ps(_mm256_cmpgt_epi32(r, clock));
                // Refractory lanes use coefficients (1, 0, 0): `u*1 + ge*0 + gi*0` is exactly
                // `u` (up to the sign of a zero). Blending the result with `uv` instead would
                // be turned by LLVM into a masked store (vmaskmovps), microcoded on AMD.
                let pm = _mm256_blendv_ps(pm, _mm256_set1_ps(1.0), refractory);
                let ce = _mm256_andnot_ps(refractory, ce);
                let ci = _mm256_andnot_ps(refractory, ci);
                let un = _mm256_add_ps(
                    _mm256_add_ps(_mm256_mul_ps(uv, pm), _mm256_mul_ps(gev, ce)),
                    _mm256_mul_ps(giv, ci),
                );
                _mm256_storeu_ps(u.as_mut_ptr().add(i), un);
                _mm256_storeu_ps(ge.as_mut_ptr().add(i), _mm256_mul_ps(gev, pe));
                _mm256_storeu_ps(gi.as_mut_ptr().add(i), _mm256_mul_ps(giv, pi));
                let above = _mm256_cmp_ps::<_CMP_GT_OQ>(un, th);
                let mut mask = _mm256_movemask_ps(_mm256_andnot_ps(refractory, above)) as u32;
                while mask != 0 {
                    let k = i + mask.trailing_zeros() as usize;
                    mask &= mask - 1;
                    let c = if UNIFORM { *uni } else { a.coef(k) };
                    u[k] = c.u_reset;
                    ref_until[k] = s.clock + c.ref_steps;
                    s.fired.push(k);
                }
            }
            i += 8;
        }
        for k in i..n {
            let c = if UNIFORM { *uni } else { a.coef(k) };
            let active = s.clock >= ref_until[k];
            let integrated = u[k] * c.pm + ge[k] * c.ce + gi[k] * c.ci;
            if active {
                u[k] = integrated;
            }
            ge[k] *= c.pe;
            gi[k] *= c.pi;
            if active && u[k] > c.u_th {
                u[k] = c.u_reset;
                ref_until[k] = s.clock + c.ref_steps;
                s.fired.push(k);
            }
        }
        s.fired.len
    }
}

pub(super) fn detect_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}
