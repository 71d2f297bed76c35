//! The synapse bias DAC: a weight |w| in [0, 1] becomes one of 15 levels, each level a gate
//! drive of the synapse's bias transistor, and so a charge per presynaptic spike.

use super::calibration::bundled_calibration;

/// Synapse strengths are set by a 4-bit bias DAC: weight |w| in [0, 1] becomes level
/// round(15 |w|); level 0 means no synapse. Synapses of one level share a bias line.
pub const WEIGHT_LEVELS: u32 = 15;
/// Gate drive (V, magnitude) of a synapse's bias transistor at the strongest level: an
/// excitatory pMOS gate at 0 V on a 0.6 V supply passes 28.6 fC per 90 ns presynaptic spike.
pub const SYNAPSE_FULL_DRIVE_V: f64 = 0.6;
/// Drive change per e-fold of weight: measured charge per spike falls about 25x from
/// vw = 0 to vw = 0.3 V (sim/README.md), i.e. one e-fold per ~0.09 V.
pub const SYNAPSE_DRIVE_PER_EFOLD_V: f64 = 0.09;

/// Gate voltage of a synapse's bias transistor for `level` (pMOS for excitatory synapses,
/// nMOS for inhibitory ones), to the microvolt.
pub fn synapse_bias(excitatory: bool, vdd: f64, level: u32) -> f64 {
    let drive = synapse_drive(level);
    round_uv(if excitatory {
        (vdd - drive).max(0.0)
    } else {
        drive.min(vdd)
    })
}

pub fn weight_level(w: f64) -> u32 {
    (w.abs() * WEIGHT_LEVELS as f64).round() as u32
}

/// Gate drive magnitude that makes the subthreshold synapse current proportional to the level.
pub fn synapse_drive(level: u32) -> f64 {
    SYNAPSE_FULL_DRIVE_V + SYNAPSE_DRIVE_PER_EFOLD_V * (level as f64 / WEIGHT_LEVELS as f64).ln()
}

/// Bias voltages are written to the microvolt: more digits only add noise to the snapshots.
fn round_uv(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// Charge a weight-1 synapse moves per presynaptic spike (28.6 fC, regular-mode spike).
pub const SYNAPSE_FULL_CHARGE: f64 = 28.6e-15;

/// Charge (C) one FPGA input pulse moves through a neuron's input synapse of weight `w`:
/// measured per DAC level when the bundled calibration covers `vdd`.
pub fn input_charge(w: f64, vdd: f64) -> f64 {
    bundled_calibration()
        .input_charge(weight_level(w), vdd)
        .unwrap_or_else(|| synapse_charge(w))
}

/// Charge (C, signed) a synapse of weight `w` in [-1, 1] moves per presynaptic spike; the
/// netlist's 4-bit bias DAC quantizes the weight the same way.
pub fn synapse_charge(w: f64) -> f64 {
    let level = weight_level(w) as f64 / WEIGHT_LEVELS as f64;
    w.signum() * level * SYNAPSE_FULL_CHARGE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synapse_charge_follows_the_bias_dac() {
        assert_eq!(synapse_charge(0.0), 0.0);
        assert_eq!(synapse_charge(1.0), SYNAPSE_FULL_CHARGE);
        assert_eq!(synapse_charge(-1.0), -SYNAPSE_FULL_CHARGE);
        assert!((synapse_charge(0.5) - SYNAPSE_FULL_CHARGE * 8.0 / 15.0).abs() < 1e-30);
    }
}
