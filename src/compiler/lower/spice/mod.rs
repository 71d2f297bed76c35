//! ngspice view models: every deck snngen runs or writes is lowered here, the chip decks of a
//! build (`chip`) and the single-cell decks of characterization and Monte-Carlo (`cells`),
//! from one neuron and one crosspoint lowering. Numbers are written as plain exponents
//! (`1e-13`), never with SPICE suffixes (`10M` is ten milliohm).

pub mod cells;
pub mod chip;
pub mod spintronic;

pub use chip::{SpiceDeck, lower};

use crate::compiler::design::WeightSigns;
use crate::compiler::ir::TileIr;
use crate::device::process::NeuronMode;
use std::fmt;

/// The one place that turns design names into SPICE node and instance names: lower case
/// (SPICE folds case), letters, digits and `_` only. A name can therefore never start a
/// dot-command such as `.control` or carry a `shell` line.
pub fn node(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() { "n_".into() } else { s }
}

/// A number as SPICE reads it, to 9 significant digits: plain decimals for everyday
/// magnitudes, exponent form (`1e-13`) otherwise; never a suffix.
pub fn num(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return "0".into();
    }
    let magnitude = x.abs().log10().floor() as i32;
    if (-3..6).contains(&magnitude) {
        let decimals = (8 - magnitude).max(0) as usize;
        trim_zeros(&format!("{x:.decimals$}"))
    } else {
        let s = format!("{x:.8e}");
        let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
        format!("{}e{exponent}", trim_zeros(mantissa))
    }
}

fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

/// Length of each input pulse (s) the chip makes from an AER event: about a regular-mode
/// Axon-Hillock spike (90 ns). The synapse calibration is measured with this width.
pub const TEST_PULSE_WIDTH: f64 = 1e-7;
pub const TEST_PULSE_EDGE: f64 = 1e-8;

/// A vector a deck saves with `wrdata`: a node voltage or a voltage source's branch current,
/// named as ngspice names it in the data file's header. Decks list the signals they save and
/// measurements look them up by the same key, so a node renamed in a template is an error
/// that names it, not a column of zeros.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Signal {
    V(String),
    I(String),
}

impl Signal {
    pub fn v(node: impl Into<String>) -> Signal {
        Signal::V(node.into())
    }
    pub fn i(source: impl Into<String>) -> Signal {
        Signal::I(source.into())
    }
    /// The signal a data file's column header names (`v(node)`, `i(source)`).
    pub fn parse(name: &str) -> Option<Signal> {
        let inner = |prefix: &str| {
            name.strip_prefix(prefix)?
                .strip_suffix(')')
                .map(str::to_string)
        };
        inner("v(")
            .map(Signal::V)
            .or_else(|| inner("i(").map(Signal::I))
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Signal::V(n) => write!(f, "v({n})"),
            Signal::I(s) => write!(f, "i({s})"),
        }
    }
}

/// The `wrdata` list of `signals`.
pub fn vector_list(signals: &[Signal]) -> String {
    signals
        .iter()
        .map(Signal::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The bias voltages and capacitors of one `lif` instance in an operating mode.
#[derive(Debug, Clone)]
pub struct NeuronCell {
    pub vleak: String,
    pub vpw: String,
    pub cmem: String,
    pub cfb: String,
}

impl NeuronCell {
    pub fn of(mode: &NeuronMode) -> NeuronCell {
        NeuronCell {
            vleak: num(mode.vleak),
            vpw: num(mode.vpw),
            cmem: num(mode.cmem_ff * 1e-15),
            cfb: num(mode.cfb_ff * 1e-15),
        }
    }
}

/// A resistor from an input line to an internal node, and a diode between that node and a
/// column membrane: forward into the membrane on an excitatory line, out of it on an
/// inhibitory one.
#[derive(Debug, Clone)]
pub struct Crosspoint {
    pub name: String,
    pub input: String,
    pub column: String,
    pub ohms: String,
    pub anode: String,
    pub cathode: String,
    /// `dsyn` (a silicon pn diode) or `drect` (the ideal rectifier of TTFS tiles).
    pub diode: &'static str,
}

/// How a tile's nodes and crosspoint elements are named in a deck.
#[derive(Debug, Clone)]
pub struct TileNodes {
    /// Before `in{i}` and `mem{j}`.
    node_prefix: String,
    /// Before `{i}_{j}` of a crosspoint's resistor and diode.
    element_prefix: String,
}

impl TileNodes {
    /// In a chip deck, every node carries the tile's name: `tile_in3`, `tile_mem0`, `tile_3_0`.
    pub fn chip(tile: &str) -> TileNodes {
        TileNodes {
            node_prefix: format!("{tile}_"),
            element_prefix: format!("{tile}_"),
        }
    }
    /// In a deck of one tile alone: `in3`, `mem0`, `x3_0`.
    pub fn alone() -> TileNodes {
        TileNodes {
            node_prefix: String::new(),
            element_prefix: "x".into(),
        }
    }
    pub fn input(&self, i: usize) -> String {
        format!("{}in{i}", self.node_prefix)
    }
    /// The inhibitory line of input i (tiles with `signs: excitatory_inhibitory`).
    pub fn inhibitory_input(&self, i: usize) -> String {
        format!("{}inh{i}", self.node_prefix)
    }
    pub fn column(&self, j: usize) -> String {
        format!("{}mem{j}", self.node_prefix)
    }
}

/// The crosspoints of a tile (weight w: a resistor of r_unit / |w|, times `r_factor(i, j)`
/// for a mismatch draw, in series with a diode); a weight of 0 has no device. A negative
/// weight sits on the input's inhibitory line with its diode reversed.
pub fn crosspoints(
    tile: &TileIr,
    nodes: &TileNodes,
    r_factor: impl Fn(usize, usize) -> f64,
) -> Vec<Crosspoint> {
    let signed = tile.signs == WeightSigns::ExcitatoryInhibitory;
    let diode = if tile.ideal_diode { "drect" } else { "dsyn" };
    let mut out = Vec::new();
    for (i, row) in tile.weights.iter().enumerate() {
        for (j, &w) in row.iter().enumerate() {
            if w > 0.0 || (signed && w < 0.0) {
                let name = format!("{}{i}_{j}", nodes.element_prefix);
                let internal = format!("{name}_x");
                let column = nodes.column(j);
                let (input, anode, cathode) = if w > 0.0 {
                    (nodes.input(i), internal, column.clone())
                } else {
                    (nodes.inhibitory_input(i), column.clone(), internal)
                };
                out.push(Crosspoint {
                    name,
                    input,
                    column,
                    ohms: num(tile.r_unit_gohm * 1e9 / w.abs() * r_factor(i, j)),
                    anode,
                    cathode,
                    diode,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_names_cannot_start_a_command() {
        assert_eq!(node("exc"), "exc");
        assert_eq!(
            node("X\n.control\nshell rm -rf /"),
            "x__control_shell_rm__rf__"
        );
        assert_eq!(num(1e-13), "1e-13");
        assert_eq!(num(2.5), "2.5");
        assert_eq!(num(1e10), "1e10");
        assert_eq!(num(20.0 * 1e-15), "2e-14");
        assert_eq!(num(200.0 * 1e-6), "2e-4");
        assert_eq!(num(0.05), "0.05");
        assert_eq!(num(27.0), "27");
        assert_eq!(num(-0.3178794), "-0.3178794");
        assert_eq!(num(1.0 / 3.0), "0.333333333");
    }

    #[test]
    fn signals_print_and_parse_as_ngspice_names_them() {
        for s in [Signal::v("lif_0_spk"), Signal::i("vdd")] {
            assert_eq!(Signal::parse(&s.to_string()), Some(s));
        }
        assert_eq!(Signal::parse("time"), None);
        assert_eq!(
            vector_list(&[Signal::v("a"), Signal::i("vb")]),
            "v(a) i(vb)"
        );
    }
}
