//! The device card: every parameter of the spintronic neuron and synapse (a YAML file,
//! designs/devices/afm_fm.yaml the bundled one, whose numbers are every field's default),
//! with the list of numbers that are assumptions rather than taken from the source.
//! `compiler::design::device_card` reads and checks a card file.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceCard {
    pub name: String,
    #[serde(default)]
    pub neuron: NeuronCard,
    #[serde(default)]
    pub synapse: SynapseCard,
    #[serde(default)]
    pub mismatch: MismatchCard,
    /// Fields (`neuron.increment`) whose numbers are assumptions, not from the source.
    #[serde(default)]
    pub assumed: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct NeuronCard {
    pub pulse_width_us: f64,
    pub increment: f64,
    pub leak_tau_ms: f64,
    pub p_half_state: f64,
    pub p_width_state: f64,
}

impl Default for NeuronCard {
    fn default() -> Self {
        NeuronCard {
            pulse_width_us: 10.0,
            increment: 0.3,
            leak_tau_ms: 10.0,
            p_half_state: 1.0,
            p_width_state: 0.05,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SynapseCard {
    pub g_min_us: f64,
    pub g_max_us: f64,
    pub levels: u32,
    pub pulse_width_us: f64,
    pub a_plus: f64,
    pub a_minus: f64,
    pub a_post: f64,
    pub tau_plus_ms: f64,
    pub tau_minus_ms: f64,
    pub retention_s: f64,
}

impl Default for SynapseCard {
    fn default() -> Self {
        SynapseCard {
            g_min_us: 10.0,
            g_max_us: 20.0,
            levels: 256,
            pulse_width_us: 10.0,
            a_plus: 0.015625,
            a_minus: 0.0046875,
            a_post: 0.0055,
            tau_plus_ms: 16.8,
            tau_minus_ms: 33.7,
            retention_s: 1.0e6,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct MismatchCard {
    pub neuron_sigma: f64,
    pub synapse_sigma: f64,
}

impl Default for MismatchCard {
    fn default() -> Self {
        MismatchCard {
            neuron_sigma: 0.05,
            synapse_sigma: 0.10,
        }
    }
}

impl DeviceCard {
    /// The bundled card (designs/devices/afm_fm.yaml, which a test keeps equal to this).
    pub fn bundled() -> DeviceCard {
        let mut card = DeviceCard {
            name: "afm_fm_sot".into(),
            neuron: NeuronCard::default(),
            synapse: SynapseCard::default(),
            mismatch: MismatchCard::default(),
            assumed: Vec::new(),
        };
        // The source gives no numbers: every one is an assumption.
        card.assumed = card.numbers().iter().map(|(f, _)| f.to_string()).collect();
        card
    }

    /// Every number the card holds, by field path, in file order.
    pub fn numbers(&self) -> Vec<(&'static str, f64)> {
        let (n, s, m) = (&self.neuron, &self.synapse, &self.mismatch);
        vec![
            ("neuron.pulse_width_us", n.pulse_width_us),
            ("neuron.increment", n.increment),
            ("neuron.leak_tau_ms", n.leak_tau_ms),
            ("neuron.p_half_state", n.p_half_state),
            ("neuron.p_width_state", n.p_width_state),
            ("synapse.g_min_us", s.g_min_us),
            ("synapse.g_max_us", s.g_max_us),
            ("synapse.levels", f64::from(s.levels)),
            ("synapse.pulse_width_us", s.pulse_width_us),
            ("synapse.a_plus", s.a_plus),
            ("synapse.a_minus", s.a_minus),
            ("synapse.a_post", s.a_post),
            ("synapse.tau_plus_ms", s.tau_plus_ms),
            ("synapse.tau_minus_ms", s.tau_minus_ms),
            ("synapse.retention_s", s.retention_s),
            ("mismatch.neuron_sigma", m.neuron_sigma),
            ("mismatch.synapse_sigma", m.synapse_sigma),
        ]
    }

    /// Whether the card marks `field` as an assumption.
    pub fn is_assumed(&self, field: &str) -> bool {
        self.assumed.iter().any(|a| a == field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_card_marks_every_number_as_assumed() {
        let card = DeviceCard::bundled();
        assert_eq!(card.assumed.len(), card.numbers().len());
        assert!(card.is_assumed("synapse.a_post"));
    }
}
