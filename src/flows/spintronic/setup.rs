//! A spintronic design read and checked, its device card resolved, and the core constants of
//! any fabricated copy of it (draw 0 nominal, others with the card's device variation).

use crate::compiler::codes;
use crate::compiler::design::device_card::{BUNDLED_CARD, load_card};
use crate::compiler::design::spintronic::SpinDesign;
use crate::compiler::design::{MAX_DESIGN_BYTES, SourceMap, is_network_design, load_yaml};
use crate::device::spintronic::variation::network_draw;
use crate::device::spintronic::{DeviceCard, SpinNeuron, SpinSynapse};
use crate::model::spin_core::{CoreParams, CorePhysics, GAIN_MAX, STATE_FRAC, WEIGHT_MAX};
use crate::support::diag::{Diagnostic, Diagnostics};
use crate::support::error::{Error, Result};
use crate::support::fs::read_text;
use regex::Regex;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

static NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z][A-Za-z0-9_]{0,39}$").unwrap());

/// Whether the YAML file at `path` is a spintronic network design (it has a `network`
/// section) rather than a chip design; a file that cannot be read or parsed is not.
pub fn is_spin_design(path: &Path) -> bool {
    // The design reader's own limits: a FIFO or a huge file is not read here either.
    read_text(path, MAX_DESIGN_BYTES).is_ok_and(|text| is_network_design(&text))
}

/// A design with its device card.
#[derive(Debug, Clone)]
pub struct SpinSetup {
    pub design: SpinDesign,
    pub card: DeviceCard,
    /// Where the card came from (the bundled card when the design names none).
    pub card_path: Option<PathBuf>,
    /// The design's and the card's text (the build hashes both).
    pub design_text: String,
    pub card_text: String,
}

/// The largest state one full-conductance input may add: the core's 16-bit gain.
pub const MAX_STATE_PER_INPUT: f64 =
    GAIN_MAX as f64 * WEIGHT_MAX as f64 / (1u64 << (STATE_FRAC + 8)) as f64;

/// The most input spikes of training and test together (200 MB).
pub const MAX_SPIKES: u64 = 50_000_000;

/// The most ticks of training and test together, and of a pattern.
pub const MAX_TICKS: u64 = 2_000_000;
pub const MAX_PATTERN_TICKS: u64 = 10_000;

/// The largest network the core is built for (the RTL's address width and a test's time).
pub const MAX_INPUTS: u32 = 4096;

impl SpinSetup {
    pub fn load(path: &Path) -> Result<SpinSetup> {
        let (design, file, text, map) =
            load_yaml::<SpinDesign>(path, "design file").map_err(Error::Input)?;
        let mut items = problems(&design);
        if !items.is_empty() {
            for d in &mut items {
                d.position = map.position(&d.field);
            }
            return Err(Error::Input(Diagnostics {
                file,
                text,
                items,
                omitted: 0,
            }));
        }
        let text = text.clone();
        let card_path = design
            .card
            .as_ref()
            .map(|c| path.parent().unwrap_or(Path::new(".")).join(c));
        let (card, card_text) = match &card_path {
            Some(p) => {
                let card = load_card(p).map_err(Error::Input)?;
                let text = read_text(p, MAX_DESIGN_BYTES).map_err(|reason| Error::Read {
                    path: p.clone(),
                    reason,
                })?;
                (card, text)
            }
            None => (DeviceCard::bundled(), BUNDLED_CARD.to_string()),
        };
        let setup = SpinSetup {
            design,
            card,
            card_path,
            design_text: text,
            card_text,
        };
        if let Some(mut d) = core_limits(&setup.card) {
            let (file, text) = match &setup.card_path {
                Some(p) => (p.display().to_string(), setup.card_text.clone()),
                None => (file.clone(), setup.design_text.clone()),
            };
            d.position = SourceMap::build(&text).position(&d.field);
            return Err(Error::Input(Diagnostics::single(&file, &text, d)));
        }
        let per_input = setup.physics(0).state_per_full_input;
        if per_input > MAX_STATE_PER_INPUT {
            let mut d = Diagnostic::new(
                codes::OUT_OF_RANGE.id,
                "network.drive",
                format!(
                    "drive {} makes one input spike add {per_input:.3} to the neuron's state; the core's \
                     gain holds at most {MAX_STATE_PER_INPUT:.1}",
                    setup.design.network.drive
                ),
            );
            d.position = map.position(&d.field);
            return Err(Error::Input(Diagnostics::single(
                &file,
                &setup.design_text,
                d,
            )));
        }
        Ok(setup)
    }

    pub fn tick_s(&self) -> f64 {
        self.design.network.tick_ms * 1e-3
    }

    pub fn inputs(&self) -> usize {
        self.design.network.inputs as usize
    }

    /// The physics of fabricated copy `draw` (0 = nominal).
    pub fn physics(&self, draw: u64) -> CorePhysics {
        let net = &self.design.network;
        let d = network_draw(&self.card, net.seed, draw, self.inputs());
        let neuron = SpinNeuron::new(&d.neuron);
        let synapse = SpinSynapse::new(&self.card.synapse);
        CorePhysics {
            inputs: self.inputs(),
            tick_s: self.tick_s(),
            leak_tau_s: neuron.leak_tau_s,
            // One tick holds one pulse of the summed input: what the pulse delivers (the
            // leak acts during it too).
            state_per_full_input: neuron.after_pulse(0.0) * net.drive,
            p_half: neuron.p_half,
            p_width: neuron.p_width,
            pulse_width_s: synapse.pulse_width_s,
            tau_plus_s: synapse.tau_plus_s,
            tau_minus_s: synapse.tau_minus_s,
            a_plus: d.plus_factor.iter().map(|f| f * synapse.a_plus).collect(),
            a_minus: d.minus_factor.iter().map(|f| f * synapse.a_minus).collect(),
            a_post: d.minus_factor.iter().map(|f| f * synapse.a_post).collect(),
            initial_weight: net.initial_weight,
            // The neuron's draws differ per fabricated copy as its devices do.
            seed: (net.seed as u32) ^ (draw as u32).wrapping_mul(0x9E37_79B9),
        }
    }

    pub fn core(&self, draw: u64) -> CoreParams {
        CoreParams::quantize(&self.physics(draw))
    }
}

/// What of a card the learning core cannot hold: synapses of other than 256 levels, a
/// neuron whose switching happens beyond the state's Q4.12 range (below 16).
fn core_limits(card: &DeviceCard) -> Option<Diagnostic> {
    let n = &card.neuron;
    if card.synapse.levels != WEIGHT_MAX + 1 {
        return Some(Diagnostic::new(
            codes::OUT_OF_RANGE.id,
            "synapse.levels",
            format!(
                "the learning core writes synapses of {} levels; the card's have {}",
                WEIGHT_MAX + 1,
                card.synapse.levels
            ),
        ));
    }
    // The state saturates at 16: p there must be all but certain.
    let top = n.p_half_state + 10.0 * n.p_width_state;
    if top >= STATE_LIMIT {
        return Some(Diagnostic::new(
            codes::OUT_OF_RANGE.id,
            "neuron.p_half_state",
            format!(
                "p_half_state + 10 p_width_state is {top}; the learning core's state reaches {STATE_LIMIT}"
            ),
        ));
    }
    None
}

/// The neuron state's range in the core (Q4.12 in 16 bits).
const STATE_LIMIT: f64 = 16.0;

/// Numbers of a design outside what the core and the task allow.
fn problems(d: &SpinDesign) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if !NAME.is_match(&d.name) {
        out.push(Diagnostic::new(
            codes::NAME.id,
            "name",
            format!(
                "name `{}` is not an identifier (a letter, then letters, digits or `_`, at most 40)",
                d.name
            ),
        ));
    }
    let mut need = |ok: bool, field: &str, message: String| {
        if !ok {
            out.push(Diagnostic::new(codes::OUT_OF_RANGE.id, field, message));
        }
    };
    let n = &d.network;
    need(
        (1..=MAX_INPUTS).contains(&n.inputs),
        "network.inputs",
        format!("inputs is {}; expected 1 to {MAX_INPUTS}", n.inputs),
    );
    need(
        n.tick_ms.is_finite() && n.tick_ms > 0.0,
        "network.tick_ms",
        format!("tick_ms is {}; expected a positive number", n.tick_ms),
    );
    need(
        n.drive.is_finite() && n.drive > 0.0,
        "network.drive",
        format!("drive is {}; expected a positive number", n.drive),
    );
    need(
        (0.0..=1.0).contains(&n.initial_weight),
        "network.initial_weight",
        format!("initial_weight is {}; expected 0 to 1", n.initial_weight),
    );
    let t = &d.task;
    for (field, value) in [
        ("task.rate_hz", t.rate_hz),
        ("task.jitter_noise_hz", t.jitter_noise_hz),
    ] {
        need(
            value.is_finite() && value >= 0.0 && value * n.tick_ms * 1e-3 <= 1.0,
            field,
            format!("{field} is {value}; expected 0 up to one spike per tick"),
        );
    }
    need(
        t.pattern_ms.is_finite() && t.pattern_ms >= n.tick_ms,
        "task.pattern_ms",
        format!("pattern_ms is {}; expected at least one tick", t.pattern_ms),
    );
    need(
        (0.0..=1.0).contains(&t.pattern_inputs),
        "task.pattern_inputs",
        format!(
            "pattern_inputs is {}; expected a fraction, 0 to 1",
            t.pattern_inputs
        ),
    );
    need(
        (0.0..=0.5).contains(&t.pattern_share),
        "task.pattern_share",
        format!(
            "pattern_share is {}; expected 0 to 0.5 (patterns never come two in a row)",
            t.pattern_share
        ),
    );
    for (field, value) in [("task.train_s", t.train_s), ("task.test_s", t.test_s)] {
        need(
            value.is_finite() && value * 1e3 >= t.pattern_ms,
            field,
            format!(
                "{field} is {value}; expected at least one pattern ({} ms)",
                t.pattern_ms
            ),
        );
    }
    // The streams are held in memory, 4 bytes a spike.
    let spikes = (t.train_s + t.test_s) * f64::from(n.inputs) * (t.rate_hz + t.jitter_noise_hz);
    need(
        spikes.is_nan() || spikes <= MAX_SPIKES as f64,
        "task.train_s",
        format!(
            "train_s + test_s hold about {spikes:.2e} input spikes; snngen holds at most {MAX_SPIKES:.0e}"
        ),
    );
    // Every tick holds a list, even an empty one.
    let ticks = (t.train_s + t.test_s) / (n.tick_ms * 1e-3);
    need(
        // NaN lengths are reported by the checks above.
        ticks.is_nan() || ticks <= MAX_TICKS as f64,
        "task.train_s",
        format!(
            "train_s + test_s is {ticks:.0} ticks of {} ms; snngen runs at most {MAX_TICKS}",
            n.tick_ms
        ),
    );
    let pattern_ticks = t.pattern_ms / n.tick_ms;
    need(
        pattern_ticks.is_nan() || pattern_ticks <= MAX_PATTERN_TICKS as f64,
        "task.pattern_ms",
        format!("pattern_ms is {pattern_ticks:.0} ticks; at most {MAX_PATTERN_TICKS}"),
    );
    out
}
