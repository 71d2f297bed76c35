//! Pelgrom mismatch of the neuron cell: per-transistor threshold shift and current-factor
//! (mobility) variation with sigma proportional to 1 / sqrt(W L), drawn in Rust from a ChaCha
//! generator seeded by (seed, run, instance), so any run can be redrawn alone, anywhere.

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
fn mix(seed: u64, run: u64, instance: u64) -> u64 {
    let mut z = seed ^ run.rotate_left(21) ^ instance.rotate_left(42) ^ 0x9E37_79B9_7F4A_7C15;
    for _ in 0..2 {
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
    }
    z
}

/// Standard normal by Box-Muller.
fn normal(rng: &mut ChaCha8Rng) -> f64 {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_matches_the_cell_template() {
        let cell = include_str!("../templates/spice/cells.cir");
        for t in &LIF_TRANSISTORS {
            let line = cell
                .lines()
                .find(|l| l.starts_with(&format!("{} ", t.name)))
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
