//! The process: the bundled generic 180 nm BSIM3v3.3 model cards and the neuron's operating
//! modes (bias presets) measured on them.

use serde::Deserialize;
use std::collections::BTreeMap;

/// The bundled generic 180 nm BSIM3v3.3 cards, copied into every output's `spice/models/`.
pub const GENERIC_180_MODELS: &str = include_str!("../../sim/models/generic180.lib");

/// sha256 of the bundled cards: a calibration holds only for the cards it was measured with.
pub fn models_sha256() -> String {
    crate::support::hash::sha256_hex(GENERIC_180_MODELS.as_bytes())
}

/// Bias preset of the subthreshold Axon-Hillock neuron: an operating mode.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeuronMode {
    /// Gate voltage of the leak transistor (V): more = faster leak, higher rheobase.
    pub vleak: f64,
    /// Gate voltage of the reset transistor (V): less = longer spikes and refractory time.
    pub vpw: f64,
    /// Membrane capacitance (fF).
    pub cmem_ff: f64,
    /// Positive-feedback capacitance from the spike output to the membrane (fF).
    pub cfb_ff: f64,
}

/// The operating modes every design has: bias presets of the Axon-Hillock neuron on the
/// generic 180 nm cards at 0.6 V, measured in ngspice (see sim/README.md).
/// `regular`: rheobase below 0.15 nA, 90 ns spikes, full reset (31.8 kHz and 14.1 fJ/spike at 1 nA).
/// `leaky`: rheobase about 0.55 nA, 3.5-9 us spikes, partial reset, saturates near 67 kHz.
pub fn builtin_modes() -> BTreeMap<String, NeuronMode> {
    BTreeMap::from([
        (
            "regular".to_string(),
            NeuronMode {
                vleak: 0.0,
                vpw: 0.5,
                cmem_ff: 100.0,
                cfb_ff: 20.0,
            },
        ),
        (
            "leaky".to_string(),
            NeuronMode {
                vleak: 0.24,
                vpw: 0.30,
                cmem_ff: 100.0,
                cfb_ff: 20.0,
            },
        ),
    ])
}
