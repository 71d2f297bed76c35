//! Device cards read and checked (the schema and the defaults are the device layer's,
//! `device::spintronic::card`): every physically impossible number, and every `assumed`
//! entry that names no number, with the file, line and field.

use super::load::{SourceMap, load_yaml};
use crate::compiler::codes;
use crate::device::spintronic::DeviceCard;
use crate::support::diag::{Diagnostic, Diagnostics};
use std::path::Path;

/// The shortest pulse the macro-model decks take (their pulses rise and fall in 10 ns).
pub const MIN_PULSE_US: f64 = 0.1;

/// The bundled card's text (designs/devices/afm_fm.yaml).
pub const BUNDLED_CARD: &str = include_str!("../../../designs/devices/afm_fm.yaml");

/// Reads a device card and checks it; problems name the file, line and field.
pub fn load_card(path: &Path) -> Result<DeviceCard, Diagnostics> {
    let (card, file, text, map): (DeviceCard, _, _, SourceMap) = load_yaml(path, "device card")?;
    let mut items = card_problems(&card);
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

/// Every physically impossible number, and every `assumed` entry naming no field.
pub fn card_problems(card: &DeviceCard) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut bad = |field: &str, code: &'static str, message: String| {
        out.push(Diagnostic::new(code, field, message));
    };
    for (field, value) in card.numbers() {
        // No spread, no depression pairing or no lone-post depression are all devices.
        let zero_ok = field.starts_with("mismatch.")
            || field == "synapse.a_minus"
            || field == "synapse.a_post";
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
    let s = &card.synapse;
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
    let n = &card.neuron;
    for (field, width) in [
        ("neuron.pulse_width_us", n.pulse_width_us),
        ("synapse.pulse_width_us", s.pulse_width_us),
    ] {
        if width < MIN_PULSE_US {
            bad(
                field,
                codes::OUT_OF_RANGE.id,
                format!(
                    "`{field}` is {width}; the macro-models' pulses have 10 ns edges, so at least {MIN_PULSE_US} us"
                ),
            );
        }
    }
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
    let known: Vec<&str> = card.numbers().iter().map(|(f, _)| *f).collect();
    for (k, a) in card.assumed.iter().enumerate() {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compiler::design::parse_yaml;
    use crate::device::spintronic::card::SynapseCard;

    #[test]
    fn the_bundled_card_file_is_the_default_card() {
        let card: DeviceCard = parse_yaml("afm_fm.yaml", BUNDLED_CARD).unwrap();
        assert_eq!(card, DeviceCard::bundled());
        assert!(
            card_problems(&card).is_empty(),
            "{:?}",
            card_problems(&card)
        );
    }

    #[test]
    fn a_card_may_leave_out_sections_and_bad_numbers_are_named() {
        let card: DeviceCard = parse_yaml(
            "c.yaml",
            "name: x\nneuron: {increment: -1}\nassumed: [neuron.nope]\n",
        )
        .unwrap();
        assert_eq!(card.synapse, SynapseCard::default());
        let fields: Vec<String> = card_problems(&card).into_iter().map(|d| d.field).collect();
        assert_eq!(fields, ["neuron.increment", "assumed[0]"]);
    }
}
