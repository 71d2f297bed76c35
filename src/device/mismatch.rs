//! Pelgrom mismatch of the neuron cell: per-transistor threshold shift and current-factor
//! (mobility) variation with sigma proportional to 1 / sqrt(W L), drawn in Rust from a ChaCha
//! generator seeded by (seed, run, instance), so any run can be redrawn alone, anywhere.

use super::neuron::NeuronParams;
use super::tile::TileColumn;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// One transistor of the `lif` subckt (templates/spice/cells.cir), as its mismatch sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Transistor {
    pub name: &'static str,
    pub pmos: bool,
    pub w_um: f64,
    pub l_um: f64,
}

/// The neuron's transistors; a test checks them against the template.
pub const LIF_TRANSISTORS: [Transistor; 7] = [
    Transistor {
        name: "mp1",
        pmos: true,
        w_um: 0.22,
        l_um: 1.0,
    },
    Transistor {
        name: "mn1",
        pmos: false,
        w_um: 0.22,
        l_um: 1.0,
    },
    Transistor {
        name: "mp2",
        pmos: true,
        w_um: 0.44,
        l_um: 0.18,
    },
    Transistor {
        name: "mn2",
        pmos: false,
        w_um: 0.22,
        l_um: 0.18,
    },
    Transistor {
        name: "mr1",
        pmos: false,
        w_um: 0.5,
        l_um: 0.36,
    },
    Transistor {
        name: "mr2",
        pmos: false,
        w_um: 0.5,
        l_um: 0.36,
    },
    Transistor {
        name: "ml",
        pmos: false,
        w_um: 0.22,
        l_um: 1.0,
    },
];

/// Pelgrom coefficients of the generic 180 nm set (sim/models/generic180.lib header).
pub const A_VT_NMOS: f64 = 5.0e-3; // V um
pub const A_VT_PMOS: f64 = 5.5e-3; // V um
pub const A_BETA: f64 = 0.01; // 1 um

impl Transistor {
    pub fn sigma_vt(&self) -> f64 {
        (if self.pmos { A_VT_PMOS } else { A_VT_NMOS }) / (self.w_um * self.l_um).sqrt()
    }
    pub fn sigma_beta(&self) -> f64 {
        A_BETA / (self.w_um * self.l_um).sqrt()
    }
}

/// The mismatch of one neuron instance: threshold shifts (V) and mobility factors.
#[derive(Debug, Clone, PartialEq)]
pub struct Draw {
    pub dvt: Vec<f64>,
    pub mulu0: Vec<f64>,
}

/// A 64-bit mix of the run coordinates (SplitMix64 finalizer), the generator's seed.
pub fn mix(seed: u64, run: u64, instance: u64) -> u64 {
    let mut z = seed ^ run.rotate_left(21) ^ instance.rotate_left(42) ^ 0x9E37_79B9_7F4A_7C15;
    for _ in 0..2 {
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
    }
    z
}

/// Standard normal by Box-Muller.
pub fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// The draw of `instance` in `run` of a sweep seeded with `seed`. Run 0 is the nominal chip.
pub fn draw(seed: u64, run: u64, instance: u64) -> Draw {
    if run == 0 {
        return Draw {
            dvt: vec![0.0; LIF_TRANSISTORS.len()],
            mulu0: vec![1.0; LIF_TRANSISTORS.len()],
        };
    }
    let mut rng = ChaCha8Rng::seed_from_u64(mix(seed, run, instance));
    let mut d = Draw {
        dvt: Vec::new(),
        mulu0: Vec::new(),
    };
    for t in &LIF_TRANSISTORS {
        d.dvt.push(t.sigma_vt() * normal(&mut rng));
        d.mulu0.push(1.0 + t.sigma_beta() * normal(&mut rng));
    }
    d
}

impl Draw {
    /// Instance parameters for the `lif` subckt line, e.g. `dvt_mp1=0.0031 mu_mp1=1.012 ...`.
    pub fn subckt_params(&self) -> String {
        LIF_TRANSISTORS
            .iter()
            .zip(self.dvt.iter().zip(&self.mulu0))
            .map(|(t, (dvt, mu))| format!("dvt_{0}={1:.6e} mu_{0}={2:.8}", t.name, dvt, mu))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Relative sigma of one RC-Spike crosspoint resistor. An assumption, not a foundry figure:
/// a high-resistance poly resistor matches to A_R ~ 1-2 %um (Pelgrom-style area law, typical
/// 180 nm values); a crosspoint squeezed into ~1 um^2 then varies by ~2 %. (A GOhm element is
/// more likely a MOS pseudo-resistor in silicon, which would vary more; 2 % is the
/// passive-resistor case.)
pub const SIGMA_R_RELATIVE: f64 = 0.02;
/// MIM capacitor matching: sigma(dC/C) = A_C / sqrt(area) with A_C ~ 1 %um at 2 fF/um^2
/// (typical published 180 nm MIM values; an assumption like the resistor's): a 200 fF
/// column capacitor (100 um^2) varies by 0.1 %.
pub const A_C_MIM: f64 = 0.01; // 1 um
pub const MIM_FF_PER_UM2: f64 = 2.0;

/// Relative sigma of a column capacitor of `c_ff` femtofarads.
pub fn sigma_c_relative(c_ff: f64) -> f64 {
    A_C_MIM / (c_ff / MIM_FF_PER_UM2).sqrt()
}

/// The mismatch of one RC-Spike tile: a factor on every crosspoint resistor (by input row
/// and column) and on every column capacitor.
#[derive(Debug, Clone, PartialEq)]
pub struct TileDraw {
    pub r_factor: Vec<Vec<f64>>,
    pub c_factor: Vec<f64>,
}

/// Tile `k` of a design draws as instance TILE_INSTANCE_BASE + k: a stream of its own, apart
/// from the neurons' (instances 0, 1, ... across the design).
pub const TILE_INSTANCE_BASE: u64 = 1 << 63;

/// The draw of tile `tile` (its index in the design) in `run` of a sweep seeded with `seed`:
/// `inputs` x `outputs` resistor factors, then `outputs` capacitor factors (of `c_ff` fF
/// each). Run 0 is the nominal tile.
pub fn tile_draw(
    seed: u64,
    run: u64,
    tile: u64,
    inputs: usize,
    outputs: usize,
    c_ff: f64,
) -> TileDraw {
    if run == 0 {
        return TileDraw {
            r_factor: vec![vec![1.0; outputs]; inputs],
            c_factor: vec![1.0; outputs],
        };
    }
    let mut rng = ChaCha8Rng::seed_from_u64(mix(seed, run, TILE_INSTANCE_BASE + tile));
    let r_factor = (0..inputs)
        .map(|_| {
            (0..outputs)
                .map(|_| 1.0 + SIGMA_R_RELATIVE * normal(&mut rng))
                .collect()
        })
        .collect();
    let sigma_c = sigma_c_relative(c_ff);
    let c_factor = (0..outputs)
        .map(|_| 1.0 + sigma_c * normal(&mut rng))
        .collect();
    TileDraw { r_factor, c_factor }
}

impl TileDraw {
    /// The drawn values in a behavioural column `j` built from the nominal tile.
    pub fn apply(&self, j: usize, column: &mut TileColumn) {
        column.capacitance *= self.c_factor[j];
        for (i, x) in column.crosspoints.iter_mut().enumerate() {
            if let Some(x) = x {
                x.ohms *= self.r_factor[i][j];
            }
        }
    }
}

/// Subthreshold slope factors of the cell's devices, measured in ngspice on the bundled
/// cards (delvto = +10 mV at the cell's biases, -20..85 C): nMOS 0.22/1 at vgs 0.24 V
/// 1.49 / 1.51 / 1.53 at -20 / 27 / 85 C, nMOS 0.5/0.36 1.48-1.51, pMOS 0.22/1 1.61.
pub const SLOPE_N_NMOS: f64 = 1.51;
pub const SLOPE_N_PMOS: f64 = 1.61;

/// Index of a transistor of the cell in `LIF_TRANSISTORS` (and in a `Draw`).
fn index(name: &str) -> usize {
    LIF_TRANSISTORS
        .iter()
        .position(|t| t.name == name)
        .expect("a transistor of the cell")
}

/// ln of the subthreshold current factor of transistor `k` under draw `d`: I scales with
/// the mobility and with exp(-dvt / (n U_T)) (nMOS); a pMOS delvto > 0 makes |Vt| smaller,
/// so its current grows with exp(+dvt / (n U_T)).
fn ln_gain(d: &Draw, k: usize, ut: f64) -> f64 {
    let t = &LIF_TRANSISTORS[k];
    let n = if t.pmos { SLOPE_N_PMOS } else { SLOPE_N_NMOS };
    let sign = if t.pmos { 1.0 } else { -1.0 };
    d.mulu0[k].ln() + sign * d.dvt[k] / (n * ut)
}

/// Time constant of inverter 1's output node (s/V): its charge swing over the inverter's
/// current at the switching point times n_p U_T (~0.6 fC / (1.8 nA x 41 mV)). The reset
/// race below compares it with the reset slope.
pub const INVERTER_TAU_S_PER_V: f64 = 8e-6;
/// Share of a strong (above-threshold) reset stack's current set by the spk-gated switch
/// mr1; a weak (subthreshold) mr2 sets it alone. Measured once in ngspice (regular mode,
/// mr1 at +-20 mV moved the fitted reset level by +4.6 / -3.1 mV; 3.85 mV / (n_p U_T x
/// 20 mV / (n_n U_T)) = 0.18).
pub const STRONG_RESET_SWITCH_SHARE: f64 = 0.18;

/// The behavioural neuron of one drawn instance: `nominal` (the mode's calibrated
/// parameters at the draw's temperature) moved by the draw's transistor mismatch.
///
/// Derivation, all devices in subthreshold at VDD 0.6 V (I = mu I0 exp((Vgs - Vt)/(n U_T))):
/// - Threshold. Inverter 1 (mp1/mn1) switches where its currents are equal:
///   (Vm - Vtn)/(n_n U) + ln mu_n = (VDD - Vm - |Vtp|)/(n_p U) + ln mu_p, so its switching
///   point moves by dVm = n_n n_p U / (n_n + n_p) * ln(g_p1 / g_n1), g = mu exp(-+dvt/(nU)),
///   the current factors at a fixed gate voltage. v_threshold moves with it.
/// - Reset level. The spike ends when vmem, pulled down by the reset at slope s, is back
///   through the switching point and inverter 1 has recharged its output (charge Q_b, up
///   to inverter 2's switching point) with mp1's exponentially growing current: vmem
///   overshoots the switching point by n_p U ln(1 + x), x = s Q_b / (I_sw n_p U)
///   (= s tau_b), I_sw the inverter's current at its switching point. A faster reset
///   (larger x) overshoots more, a stronger inverter less, and a higher inverter-2
///   switching point (more Q_b) more: linearized, the overshoot moves by
///   -lambda n_p U (d ln I_sw - ln g_r - dQ_b / Q_b), lambda = x / (1 + x), g_r the reset
///   stack's current factor, dQ_b / Q_b = dVm2 / Vm2 with inverter 2's switching point
///   moving like inverter 1's and Vm2 ~ v_threshold (both inverters switch near mid-supply).
///   Then cf kicks vmem down by the same VDD cf / C as before, so v_reset moves by
///   dVm + that. A strong reset (regular mode, ~0.4 uA: x ~ 30) gives lambda ~ 1, so
///   v_reset follows mp1's threshold 1:1 and the reset current logarithmically; a weak one
///   (leaky, s = i_reset / C with i_reset 4.6 nA at 27 C: x ~ 0.3) gives lambda ~ 0.2.
/// - Reset current. mr2 (gate vpw) sets the stack's current; in subthreshold (weak reset)
///   mr1 (gate spk = VDD) is a closed switch, above threshold it takes a share of the
///   stack's voltage. mr2's part of i_reset scales by g_r; the charge to remove from the
///   spike's peak to the end level, q_reset, grows by C (dv_threshold - dv_reset).
/// - Leak. ml is a subthreshold nMOS at gate vleak: i_leak scales by g_ml.
///
/// The capacitances are not drawn (cm and cf are MIM-sized: their mismatch is far below
/// the transistors'). Against ngspice: sim/README.md ("Mismatch in the behavioural neuron").
pub fn neuron_params(nominal: &NeuronParams, draw: &Draw) -> NeuronParams {
    let ut = nominal.thermal_voltage;
    let (n_n, n_p) = (SLOPE_N_NMOS, SLOPE_N_PMOS);
    let g = |name: &str| ln_gain(draw, index(name), ut);
    let (g_p1, g_n1) = (g("mp1"), g("mn1"));
    let dvm = n_n * n_p * ut / (n_n + n_p) * (g_p1 - g_n1);
    let weak_reset = nominal.i_reset.is_finite();
    let (g_r, lambda) = if weak_reset {
        let x = INVERTER_TAU_S_PER_V * nominal.i_reset / nominal.capacitance;
        (g("mr2"), x / (1.0 + x))
    } else {
        let w = STRONG_RESET_SWITCH_SHARE;
        ((1.0 - w) * g("mr2") + w * g("mr1"), 1.0)
    };
    let ln_isw = g_n1 + dvm / (n_n * ut);
    // Inverter 2 flips when spkb has risen to its switching point, which moves like
    // inverter 1's; the charge Q_b inverter 1 must deliver moves with it.
    let dvm2 = n_n * n_p * ut / (n_n + n_p) * (g("mp2") - g("mn2"));
    let dq_b = dvm2 / nominal.v_threshold;
    let dv_reset = dvm + lambda * n_p * ut * (ln_isw - g_r - dq_b);
    let mut p = *nominal;
    p.v_threshold += dvm;
    p.v_reset += dv_reset;
    // The onset delay is inverter 1 regenerating against its output node: it scales with
    // 1 / I_sw (ngspice, mn1 +20 mV: first spike 118 ns later than the threshold shift
    // alone explains, 415 ns x (e^0.25 - 1) = 118 ns). The fixed part of the refractory
    // time would scale the same way, but the reset-level race above already carries that
    // effect: scaling it too made the rate errors over 30 draws worse (rms 0.75 -> 0.86 %).
    p.t_delay *= (-ln_isw).exp();
    p.i_leak *= g("ml").exp();
    if weak_reset {
        // The leak pulls the spiking membrane down too: the fitted i_reset is mr2's current
        // plus the leak (4.2 nA + 0.48 nA in the leaky mode at 27 C).
        p.i_reset = (nominal.i_reset - nominal.i_leak) * g_r.exp() + p.i_leak;
        p.q_reset = (p.q_reset + p.capacitance * (dvm - dv_reset)).max(0.0);
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_matches_the_cell_template() {
        let cell = include_str!("../../templates/spice/cells.cir");
        for t in &LIF_TRANSISTORS {
            let line = cell
                .lines()
                // Element names are capitalized in the template (M for a MOSFET).
                .find(|l| l.to_ascii_lowercase().starts_with(&format!("{} ", t.name)))
                .unwrap_or_else(|| panic!("no {} in cells.cir", t.name));
            assert!(
                line.contains(if t.pmos { " pch " } else { " nch " }),
                "{line}"
            );
            assert!(
                line.contains(&format!("w={}u l={}u", t.w_um, t.l_um)),
                "{line}"
            );
            assert!(
                line.contains(&format!(
                    "delvto={{dvt_{}}} mulu0={{mu_{}}}",
                    t.name, t.name
                )),
                "{line}"
            );
        }
    }

    #[test]
    fn tile_draws_are_reproducible_and_sized() {
        let d = tile_draw(7, 3, 0, 16, 4, 200.0);
        assert_eq!(d, tile_draw(7, 3, 0, 16, 4, 200.0));
        assert_ne!(d, tile_draw(7, 3, 1, 16, 4, 200.0));
        assert_eq!(tile_draw(7, 0, 0, 16, 4, 200.0).c_factor, vec![1.0; 4]);
        // Tiles draw apart from the neuron of the same number.
        assert_ne!(d.r_factor[0][0] - 1.0, draw(7, 3, 0).mulu0[0] - 1.0);
        let n = 2000;
        let r: Vec<f64> = (1..=n)
            .map(|run| tile_draw(1, run, 0, 1, 1, 200.0).r_factor[0][0])
            .collect();
        let sd = (r.iter().map(|x| (x - 1.0).powi(2)).sum::<f64>() / n as f64).sqrt();
        assert!((sd / SIGMA_R_RELATIVE - 1.0).abs() < 0.06, "{sd}");
        assert!((sigma_c_relative(200.0) - 0.001).abs() < 1e-12);
    }

    #[test]
    fn draws_are_reproducible_independent_and_pelgrom_sized() {
        assert_eq!(draw(7, 3, 5), draw(7, 3, 5));
        assert_ne!(draw(7, 3, 5), draw(7, 3, 6));
        assert_ne!(draw(7, 3, 5), draw(8, 3, 5));
        assert_eq!(draw(7, 0, 5).dvt, vec![0.0; 7]);
        // sigma over many draws: within 5 % of A_VT / sqrt(W L) for mn2 (0.22 x 0.18 um).
        let n = 4000;
        let sd = ((1..=n).map(|r| draw(1, r, 0).dvt[3].powi(2)).sum::<f64>() / n as f64).sqrt();
        let expected = LIF_TRANSISTORS[3].sigma_vt();
        assert!((sd / expected - 1.0).abs() < 0.05, "{sd} vs {expected}");
    }
}
