//! The device card: every parameter of the spintronic neuron and synapse in one YAML file
//! (designs/devices/afm_fm.yaml is the bundled one and holds the defaults), with the list of
//! numbers that are assumptions rather than taken from the source.

use crate::compiler::codes;
use crate::compiler::design::{SourceMap, load_yaml, parse_yaml};
use crate::support::diag::{Diagnostic, Diagnostics};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The bundled card, whose numbers are also every field's default.
pub const BUNDLED_CARD: &str = include_str!("../../../designs/devices/afm_fm.yaml");

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
    /// The bundled card (designs/devices/afm_fm.yaml).
    pub fn bundled() -> DeviceCard {
        parse_yaml("designs/devices/afm_fm.yaml", BUNDLED_CARD)
            .unwrap_or_else(|d| panic!("the bundled device card parses: {d}"))
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

    /// Every physically impossible number, and every `assumed` entry naming no field.
    pub fn problems(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let mut bad = |field: &str, code: &'static str, message: String| {
            out.push(Diagnostic::new(code, field, message));
        };
        for (field, value) in self.numbers() {
            let zero_ok = field.starts_with("mismatch.");
            if !value.is_finite() || value < 0.0 || (value == 0.0 && !zero_ok) {
                let expected = if zero_ok {
                    "zero or positive"
                } else {
                    "positive"
                };
                bad(
                    field,
                    codes::NOT_PHYSICAL.id,
                    format!("`{field}` is {value}; expected a finite {expected} number"),
                );
            }
        }
        let s = &self.synapse;
        if s.g_max_us <= s.g_min_us {
            bad(
                "synapse.g_max_us",
                codes::OUT_OF_RANGE.id,
                format!(
                    "g_max_us ({}) must exceed g_min_us ({})",
                    s.g_max_us, s.g_min_us
                ),
            );
        }
        if !(2..=65536).contains(&s.levels) {
            bad(
                "synapse.levels",
                codes::OUT_OF_RANGE.id,
                format!("levels is {}; expected 2 to 65536", s.levels),
            );
        }
        for (field, value) in [
            ("synapse.a_plus", s.a_plus),
            ("synapse.a_minus", s.a_minus),
            ("synapse.a_post", s.a_post),
        ] {
            if value >= 1.0 {
                bad(
                    field,
                    codes::OUT_OF_RANGE.id,
                    format!(
                        "`{field}` is {value}; a change per pair is a fraction of the range, below 1"
                    ),
                );
            }
        }
        let n = &self.neuron;
        if n.pulse_width_us * 1e-3 >= n.leak_tau_ms {
            bad(
                "neuron.pulse_width_us",
                codes::OUT_OF_RANGE.id,
                format!(
                    "a {} us pulse is not short against the {} ms leak",
                    n.pulse_width_us, n.leak_tau_ms
                ),
            );
        }
        let known: Vec<&str> = self.numbers().iter().map(|(f, _)| *f).collect();
        for (k, a) in self.assumed.iter().enumerate() {
            if !known.contains(&a.as_str()) {
                bad(
                    &format!("assumed[{k}]"),
                    codes::UNKNOWN_NAME.id,
                    format!(
                        "`{a}` names no number of the card; expected one of {}",
                        known.join(", ")
                    ),
                );
            }
        }
        out
    }
}

/// Reads a device card and checks it; problems name the file, line and field.
pub fn load_card(path: &Path) -> Result<DeviceCard, Diagnostics> {
    let (card, file, text, map): (DeviceCard, _, _, SourceMap) = load_yaml(path, "device card")?;
    let mut items = card.problems();
    if items.is_empty() {
        return Ok(card);
    }
    for d in &mut items {
        d.position = map.position(&d.field);
    }
    Err(Diagnostics {
        file,
        text,
        items,
        omitted: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_card_holds_the_documented_defaults_and_marks_its_assumptions() {
        let card = DeviceCard::bundled();
        assert_eq!(card.neuron, NeuronCard::default());
        assert_eq!(card.synapse, SynapseCard::default());
        assert_eq!(card.mismatch, MismatchCard::default());
        assert!(card.problems().is_empty(), "{:?}", card.problems());
        // The source gives no numbers: every one of them is marked.
        for (field, _) in card.numbers() {
            assert!(card.is_assumed(field), "{field} is not marked as assumed");
        }
    }

    #[test]
    fn a_card_may_leave_out_sections_and_bad_numbers_are_named() {
        let card: DeviceCard = parse_yaml(
            "c.yaml",
            "name: x\nneuron: {increment: -1}\nassumed: [neuron.nope]\n",
        )
        .unwrap();
        assert_eq!(card.synapse, SynapseCard::default());
        let fields: Vec<String> = card.problems().into_iter().map(|d| d.field).collect();
        assert_eq!(fields, ["neuron.increment", "assumed[0]"]);
    }
}
