//! Field-level checks: names, physical ranges and counts. Each check pushes a diagnostic
//! with the field path; nothing stops at the first problem.

use crate::compiler::codes::{self, Code};
use crate::compiler::design::LoadedDesign;
use crate::compiler::design::{AnalogSim, Design, Encoder, HostLink, NeuronMode, RcSpikeTile};
use crate::support::diag::{Diagnostic, Diagnostics, MAX_LISTED};
use regex::Regex;
use std::collections::BTreeMap;
use std::sync::LazyLock;

pub const MAX_CHIPS: usize = 6;
pub const MAX_NEURONS_PER_POPULATION: u32 = 4096;
pub const MAX_TILE_SIDE: u32 = 1024;
/// Most time bins (windows) one readout decision may span.
pub const MAX_READOUT_BINS: u32 = 64;
pub const VDD_RANGE: (f64, f64) = (0.3, 1.8);
pub const TEMPERATURE_RANGE: (f64, f64) = (-55.0, 150.0);
/// Shortest transient step of a chip deck (ns).
pub const MIN_TSTEP_NS: f64 = 1e-6;

static IDENTIFIER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z][A-Za-z0-9_]{0,39}$").unwrap());

/// A number as a message shows it: plain where that is short, else with an exponent
/// (`5e-324`, not 324 digits).
pub fn shown(x: f64) -> String {
    let plain = format!("{x}");
    if plain.len() > 12 && x.is_finite() {
        format!("{x:e}")
    } else {
        plain
    }
}

/// Collects problems with their field paths.
/// The first `MAX_LISTED` are kept, the rest counted: a design with a million bad synapses
/// gets a short answer.
#[derive(Default)]
pub struct Problems {
    pub items: Vec<Diagnostic>,
    pub omitted: usize,
}

impl Problems {
    pub fn push(&mut self, code: &Code, field: impl Into<String>, message: impl Into<String>) {
        self.add(Diagnostic::new(code.id, field, message));
    }

    pub fn push_help(
        &mut self,
        code: &Code,
        field: impl Into<String>,
        message: impl Into<String>,
        help: &str,
    ) {
        self.add(Diagnostic::new(code.id, field, message).help(help));
    }

    fn add(&mut self, d: Diagnostic) {
        if self.items.len() < MAX_LISTED {
            self.items.push(d);
        } else {
            self.omitted += 1;
        }
    }

    /// Problems found, listed or not.
    pub fn count(&self) -> usize {
        self.items.len() + self.omitted
    }

    /// The problems as the design file's diagnostics.
    pub fn into_diagnostics(self, loaded: &LoadedDesign) -> Diagnostics {
        loaded.diagnostics(self.items, self.omitted)
    }

    /// Checks `lo <= value <= hi`; `what` names the quantity and its unit.
    pub fn range(&mut self, field: &str, what: &str, value: f64, lo: f64, hi: f64) {
        if !(lo..=hi).contains(&value) {
            self.push(
                codes::OUT_OF_RANGE,
                field,
                format!(
                    "{what} must be between {} and {}, got {}",
                    shown(lo),
                    shown(hi),
                    shown(value)
                ),
            );
        }
    }

    /// Checks `value > 0` for physical quantities such as capacitance.
    pub fn positive(&mut self, field: &str, what: &str, value: f64) {
        if !(value > 0.0 && value.is_finite()) {
            self.push_help(
                codes::NOT_PHYSICAL,
                field,
                format!("{what} must be positive, got {}", shown(value)),
                "a non-positive value is not physical",
            );
        }
    }

    pub fn identifier(&mut self, field: &str, name: &str) {
        if !IDENTIFIER.is_match(name) {
            self.push_help(
                codes::NAME,
                field,
                format!("`{}` is not a valid name", name.escape_debug()),
                "names start with a letter and hold only letters, digits and `_` (at most 40); \
                 they become Verilog module names and SPICE node names",
            );
        }
    }

    /// Reports names that occur twice in `names` (field path, name), ignoring case:
    /// names become SPICE nodes and SPICE folds case.
    pub fn unique<'a>(&mut self, what: &str, names: impl IntoIterator<Item = (String, &'a str)>) {
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for (field, name) in names {
            let key = name.to_ascii_lowercase();
            if let Some(first) = seen.get(&key) {
                self.push(
                    codes::DUPLICATE,
                    field,
                    format!("duplicate {what} name `{name}` (first defined at {first})"),
                );
            } else {
                seen.insert(key, field);
            }
        }
    }
}

pub fn check_design(d: &Design, p: &mut Problems) {
    p.identifier("name", &d.name);
    p.range(
        "vdd",
        "supply voltage vdd (V)",
        d.vdd,
        VDD_RANGE.0,
        VDD_RANGE.1,
    );
    p.range(
        "temperature",
        "temperature (C)",
        d.temperature,
        TEMPERATURE_RANGE.0,
        TEMPERATURE_RANGE.1,
    );
    for (name, mode) in &d.neuron_modes {
        check_mode(&format!("neuron_modes.{name}"), name, mode, d.vdd, p);
    }
    if d.chips.is_empty() || d.chips.len() > MAX_CHIPS {
        p.push_help(
            codes::CHIP_COUNT,
            "chips",
            format!(
                "a design has 1 to {MAX_CHIPS} chips, this one has {}",
                d.chips.len()
            ),
            "the motherboard takes at most six daughterboards; split the network",
        );
    }
    check_analog_sim(&d.analog_sim, p);
    let f = &d.fpga;
    p.range(
        "fpga.clock_mhz",
        "FPGA clock (MHz)",
        f.clock_mhz,
        1.0,
        1000.0,
    );
    p.range(
        "fpga.encoder.channels",
        "encoder channels",
        f.encoder.channels as f64,
        1.0,
        1024.0,
    );
    p.range(
        "fpga.encoder.sample_bits",
        "encoder sample bits",
        f.encoder.sample_bits as f64,
        1.0,
        16.0,
    );
    if let Some(link) = f.host_link {
        check_host_link(link, &f.encoder, p);
    }
    let r = &f.readout;
    p.range(
        "fpga.readout.classes",
        "readout classes",
        r.classes as f64,
        2.0,
        256.0,
    );
    p.range(
        "fpga.readout.bins",
        "readout time bins",
        r.bins as f64,
        1.0,
        MAX_READOUT_BINS as f64,
    );
    p.range(
        "fpga.readout.count_bits",
        "readout counter bits",
        r.count_bits as f64,
        1.0,
        16.0,
    );
}

/// Data lines the host link takes.
pub const HOST_LINK_LANES: [u32; 3] = [1, 2, 4];

fn check_host_link(link: HostLink, e: &Encoder, p: &mut Problems) {
    // u64: the ranges of channels and bits are checked apart and may have failed.
    let row = e.channels as u64 * e.sample_bits as u64;
    if !HOST_LINK_LANES.contains(&link.lanes) {
        p.push(
            codes::OUT_OF_RANGE,
            "fpga.host_link.lanes",
            format!("the host link has 1, 2 or 4 data lines, not {}", link.lanes),
        );
    } else if !row.is_multiple_of(link.lanes as u64) {
        p.push_help(
            codes::OUT_OF_RANGE,
            "fpga.host_link.lanes",
            format!(
                "{} data lines do not divide a sample row of {} channels x {} bits = {row} bits",
                link.lanes, e.channels, e.sample_bits
            ),
            "every rising SCK edge shifts one bit per line, so a row must be a whole number of edges",
        );
    }
}

fn check_mode(field: &str, name: &str, m: &NeuronMode, vdd: f64, p: &mut Problems) {
    p.identifier(field, name);
    p.range(
        &format!("{field}.vleak"),
        "leak bias vleak (V)",
        m.vleak,
        0.0,
        vdd,
    );
    p.range(
        &format!("{field}.vpw"),
        "reset bias vpw (V)",
        m.vpw,
        0.0,
        vdd,
    );
    p.positive(
        &format!("{field}.cmem_ff"),
        "membrane capacitance cmem_ff",
        m.cmem_ff,
    );
    if !(m.cfb_ff.is_finite() && m.cfb_ff >= 0.0) {
        p.push(
            codes::NOT_PHYSICAL,
            format!("{field}.cfb_ff"),
            format!(
                "feedback capacitance cfb_ff must be finite and not negative, got {}",
                shown(m.cfb_ff)
            ),
        );
    }
}

fn check_analog_sim(a: &AnalogSim, p: &mut Problems) {
    p.range(
        "analog_sim.tstop_us",
        "transient length (us)",
        a.tstop_us,
        0.001,
        1e5,
    );
    p.positive("analog_sim.tstep_ns", "transient step tstep_ns", a.tstep_ns);
    // Below a femtosecond the step is no step for ngspice (5e-324 ns is written as 0).
    if a.tstep_ns > 0.0 && a.tstep_ns < MIN_TSTEP_NS {
        p.push(
            codes::OUT_OF_RANGE,
            "analog_sim.tstep_ns",
            format!(
                "transient step {} ns is below {} ns",
                shown(a.tstep_ns),
                shown(MIN_TSTEP_NS)
            ),
        );
    }
    if a.tstep_ns * 1e-3 >= a.tstop_us {
        p.push(
            codes::OUT_OF_RANGE,
            "analog_sim.tstep_ns",
            format!(
                "transient step {} ns is not shorter than the transient ({} us)",
                a.tstep_ns, a.tstop_us
            ),
        );
    }
    p.range(
        "analog_sim.input_rate_khz",
        "test input rate (kHz)",
        a.input_rate_khz,
        0.001,
        1000.0,
    );
}

pub fn check_tile(field: &str, t: &RcSpikeTile, vdd: f64, p: &mut Problems) {
    p.identifier(&format!("{field}.name"), &t.name);
    for (what, v) in [("inputs", t.inputs), ("outputs", t.outputs)] {
        p.range(
            &format!("{field}.{what}"),
            &format!("tile {what}"),
            v as f64,
            1.0,
            MAX_TILE_SIDE as f64,
        );
    }
    if let Some(bits) = t.bits {
        p.range(
            &format!("{field}.bits"),
            "bits per crosspoint",
            bits as f64,
            1.0,
            16.0,
        );
    }
    p.positive(
        &format!("{field}.r_unit_gohm"),
        "unit resistance r_unit_gohm",
        t.r_unit_gohm,
    );
    p.positive(
        &format!("{field}.c_mem_ff"),
        "membrane capacitance c_mem_ff",
        t.c_mem_ff,
    );
    p.range(
        &format!("{field}.vsyn"),
        "drive voltage vsyn (V)",
        t.vsyn,
        0.05,
        VDD_RANGE.1.max(vdd),
    );
    if !(t.threshold_v > 0.0 && t.threshold_v < t.vsyn) {
        p.push_help(
            codes::TILE_THRESHOLD,
            format!("{field}.threshold_v"),
            format!(
                "comparator threshold {} V must be above 0 and below vsyn ({} V)",
                t.threshold_v, t.vsyn
            ),
            "the membrane relaxes towards vsyn minus a diode drop and never passes it",
        );
    }
    if !(t.hysteresis_v >= 0.0 && t.hysteresis_v < t.threshold_v) {
        p.push(
            codes::TILE_THRESHOLD,
            format!("{field}.hysteresis_v"),
            format!(
                "hysteresis {} V must be at least 0 and below the threshold ({} V)",
                t.hysteresis_v, t.threshold_v
            ),
        );
    }
}
