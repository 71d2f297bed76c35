//! The YAML design format: serde structs and nothing else.
//!
//! Every struct denies unknown fields so that a typo is an error, not a silent default.
//! Semantic checks (ranges, references, names) live in `ir::validate`; this module only
//! says what shape a design has. See `docs/design-format.md` for the field-by-field guide.

pub mod device_card;
mod load;
pub mod spintronic;

pub use crate::device::process::NeuronMode;
pub use load::{
    LoadedDesign, MAX_DESIGN_BYTES, SourceMap, is_network_design, load_design, load_design_str,
    load_yaml, parse_yaml,
};

use serde::Deserialize;
use std::collections::BTreeMap;

/// A whole network: analog chips plus the FPGA that encodes inputs, routes spikes and reads out.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Design {
    /// Identifier used for module prefixes, deck titles and the output directory.
    pub name: String,
    /// Device model set; only the bundled generic 180 nm BSIM3 set exists today.
    #[serde(default)]
    pub technology: Technology,
    /// Analog supply voltage in volts (subthreshold chips run at 0.5-0.8 V).
    #[serde(default = "default_vdd")]
    pub vdd: f64,
    /// Die temperature in degrees Celsius for the analog decks.
    #[serde(default = "default_temperature")]
    pub temperature: f64,
    /// Extra or overriding neuron operating modes (bias presets), by name.
    #[serde(default)]
    pub neuron_modes: BTreeMap<String, NeuronMode>,
    /// One to six analog chips.
    pub chips: Vec<Chip>,
    pub fpga: Fpga,
    /// Settings of the stand-alone transient each chip deck runs.
    #[serde(default)]
    pub analog_sim: AnalogSim,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Technology {
    #[default]
    Generic180,
}

fn default_vdd() -> f64 {
    0.6
}
fn default_temperature() -> f64 {
    27.0
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Chip {
    pub name: String,
    /// Neuron populations (a chip of RC-Spike tiles alone may leave this out).
    #[serde(default)]
    pub populations: Vec<Population>,
    /// On-chip recurrent synapses between populations of this chip.
    #[serde(default)]
    pub connections: Vec<Connection>,
    /// Resistor/diode crossbar tiles (RC-Spike) on this chip.
    #[serde(default)]
    pub rc_spike: Vec<RcSpikeTile>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NeuronModel {
    #[default]
    SubthresholdLif,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Population {
    pub name: String,
    /// Number of neurons.
    pub count: u32,
    #[serde(default)]
    pub model: NeuronModel,
    /// Name of an operating mode (built in: `regular`, `leaky`; or one of `neuron_modes`).
    pub mode: String,
    /// Constant bias current into every membrane (nA) in the stand-alone deck.
    #[serde(default)]
    pub bias_current_na: f64,
    /// Strength in [0, 1] of each neuron's external (FPGA-driven) input synapse.
    #[serde(default = "default_input_weight")]
    pub input_weight: f64,
}

fn default_input_weight() -> f64 {
    0.5
}

/// Synapses from one population to another on the same chip.
/// Exactly one of `random` and `explicit` must be given.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Connection {
    pub from: String,
    pub to: String,
    pub random: Option<RandomConnectivity>,
    /// `[pre, post, weight]` triples; weight in [-1, 1], negative = inhibitory.
    pub explicit: Option<Vec<(u32, u32, f64)>>,
}

/// Seeded random sparse connectivity: each (pre, post) pair is connected with `probability`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RandomConnectivity {
    pub probability: f64,
    pub seed: u64,
    /// Weights drawn uniformly from [`weight_min`, `weight_max`], in [-1, 1].
    pub weight_min: f64,
    pub weight_max: f64,
    /// Allow a neuron to synapse onto itself (only meaningful when from == to).
    #[serde(default)]
    pub self_connections: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RcSpikeTile {
    pub name: String,
    pub inputs: u32,
    pub outputs: u32,
    /// Resistance of a crosspoint of weight 1, in GOhm; weight w gives r_unit_gohm / w.
    pub r_unit_gohm: f64,
    /// Membrane capacitance of each output column (fF).
    pub c_mem_ff: f64,
    /// Input drive voltage (V): smaller = stronger resistive coupling.
    pub vsyn: f64,
    /// Comparator threshold (V) on the column membrane.
    pub threshold_v: f64,
    /// Comparator hysteresis (V): the reset lets go below threshold - hysteresis.
    #[serde(default = "default_hysteresis")]
    pub hysteresis_v: f64,
    /// How a weight's sign reaches the membrane (see `WeightSigns`).
    #[serde(default)]
    pub signs: WeightSigns,
    /// Rail (V) an inhibitory line steps down to (with `signs: excitatory_inhibitory`).
    #[serde(default)]
    pub e_inh_v: f64,
    /// Conductance levels of a crosspoint: 2^bits evenly spaced levels per sign from 0 (no
    /// device) to the layer's largest weight. Omitted: weights as given (full precision).
    pub bits: Option<u32>,
    /// Crosspoint weights, `inputs` rows of `outputs` columns; 0 = no device. In [0, 1], or
    /// [-1, 1] with `signs: excitatory_inhibitory`. Omitted in a TTFS network, whose weights
    /// come from a trained model (`snngen train`, then `--model DIR`).
    pub weights: Option<Matrix>,
}

fn default_hysteresis() -> f64 {
    0.05
}

/// How signed weights map onto conductances.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeightSigns {
    /// One line per input stepping from 0 V to vsyn: weights in [0, 1], one resistor and
    /// one diode per crosspoint.
    #[default]
    Excitatory,
    /// Two lines per input: an excitatory one (0 V -> vsyn, diode into the membrane) and an
    /// inhibitory one (idles at vsyn, steps to e_inh_v, diode out of the membrane). A weight
    /// w > 0 is a crosspoint on the first, w < 0 on the second: still one resistor and one
    /// diode per non-zero weight, but two line drivers per input.
    ExcitatoryInhibitory,
}

/// A weight matrix: exactly one of `inline` (rows of numbers), `file` (a CSV file, one row per
/// line, relative to the design file) or `random` (seeded uniform draws).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Matrix {
    pub inline: Option<Vec<Vec<f64>>>,
    pub file: Option<String>,
    pub random: Option<RandomMatrix>,
}

/// Uniform weights in [min, max], seeded; `density` of the entries are non-zero.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RandomMatrix {
    pub seed: u64,
    pub min: f64,
    pub max: f64,
    #[serde(default = "default_density")]
    pub density: f64,
}

fn default_density() -> f64 {
    1.0
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fpga {
    /// FPGA clock (MHz); sets the time base of the router and readout window.
    #[serde(default = "default_clock")]
    pub clock_mhz: f64,
    /// The FPGA this side is built for (`snngen build --fpga` without a device takes it).
    pub device: Option<FpgaDevice>,
    /// A serial host link in front of the encoder: the board-level top then takes encoder
    /// samples over SPI instead of on parallel pins (`snngen build --fpga` builds that top).
    pub host_link: Option<HostLink>,
    /// How the chips' AER buses reach the FPGA's pins.
    #[serde(default)]
    pub aer_bus: AerBus,
    pub encoder: Encoder,
    pub router: Router,
    pub readout: Readout,
}

fn default_clock() -> f64 {
    50.0
}

/// The FPGAs `snngen build --fpga` places and routes for (nextpnr-ice40).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum FpgaDevice {
    /// Lattice iCE40 HX8K, ct256 package (the HX8K breakout board).
    Ice40Hx8k,
    /// Lattice iCE40 UP5K, sg48 package (the iCEBreaker board).
    Ice40Up5k,
}

impl FpgaDevice {
    pub fn name(self) -> &'static str {
        match self {
            FpgaDevice::Ice40Hx8k => "ice40-hx8k",
            FpgaDevice::Ice40Up5k => "ice40-up5k",
        }
    }
}

/// How the chips' AER buses reach the FPGA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AerBus {
    /// Each chip has its own two handshakes (chip -> FPGA events, FPGA -> chip synapses).
    #[default]
    PerChip,
    /// One bus for all chips, time-multiplexed: the FPGA selects the chip that may drive the
    /// event lines (`aer_sel`) and the chip that takes a synapse event (`aer_syn_sel`), so
    /// the pins no longer grow with the chips (packages with few IO).
    Shared,
}

/// The board's serial host link: an SPI target (mode 0) with `lanes` data lines from the
/// host. It shifts `lanes` bits of a sample row in on every SCK rise and hands a complete row
/// to the encoder; on `spi_sdo` it shifts out the latest class decision and its score.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostLink {
    /// Data lines host -> FPGA: 1 (SPI), 2 (dual) or 4 (quad); they must divide the row
    /// (channels x sample_bits).
    #[serde(default = "default_lanes")]
    pub lanes: u32,
}

fn default_lanes() -> u32 {
    1
}

/// Sigma-delta rate encoder: each channel accumulates its sample and spikes on overflow.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Encoder {
    pub channels: u32,
    pub sample_bits: u32,
    #[serde(default)]
    pub coding: Coding,
    /// Time-to-first-spike coding: clock cycles per sample level. A sample x steps its
    /// channel at cycle (2^sample_bits - 1 - x) * step_cycles; x = 0 never steps.
    pub step_cycles: Option<u32>,
}

/// How the encoder turns samples into spikes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Coding {
    /// Sigma-delta: each channel accumulates its sample and spikes on overflow.
    #[default]
    Rate,
    /// Time to first spike: each channel steps once, brighter samples earlier.
    Ttfs,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Router {
    pub routes: Vec<Route>,
}

/// Spikes of every source in `from` reach the synapse inputs in `to`.
/// Endpoints: `input[a..b]` (encoder channels), `chip.population[a..b]`,
/// `chip.tile.in[a..b]`, `chip.tile.out[a..b]`; a bare name means all of it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    pub from: String,
    pub to: String,
    #[serde(default)]
    pub pattern: RoutePattern,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoutePattern {
    /// i-th source to i-th target; a single source fans out to all targets.
    #[default]
    OneToOne,
    /// Every source to every target.
    AllToAll,
}

/// Fixed-point linear readout over spike counts in a window, then argmax.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Readout {
    /// Spike sources used as features, in order (same endpoint syntax as routes).
    pub features: Vec<String>,
    pub classes: u32,
    /// How a class is decided.
    #[serde(default)]
    pub decision: Decision,
    /// Length of the counting window (first_spike: of the decision window, from the
    /// encoder's first possible step) in FPGA clock cycles.
    pub window_cycles: u32,
    /// Time bins per decision: a frame of `bins` consecutive windows is scored as one
    /// `bins x features` vector (1..=64, default 1: one decision per window).
    #[serde(default = "default_bins")]
    pub bins: u32,
    /// Width of the saturating spike counters (linear decisions only).
    #[serde(default = "default_count_bits")]
    pub count_bits: u32,
    /// Signed weight format `Qm.n`: m integer bits (sign included), n fraction bits
    /// (linear decisions only).
    #[serde(default = "default_weight_format")]
    pub weight_format: String,
    /// `classes` rows of `bins x features` weights, bin-major (column = bin * features +
    /// feature). Needed by, and only by, a linear decision.
    pub weights: Option<Matrix>,
}

/// How the readout decides a class.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Spike counts times fixed-point weights, then argmax.
    #[default]
    Linear,
    /// The feature that spikes first is the class (ties: the lower index), as a TTFS
    /// network decides; `classes` must equal the number of features.
    FirstSpike,
}

fn default_count_bits() -> u32 {
    8
}
fn default_weight_format() -> String {
    "Q2.6".into()
}

fn default_bins() -> u32 {
    1
}

/// The stand-alone transient every chip deck runs: length, step and test stimulus.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalogSim {
    #[serde(default = "default_tstop")]
    pub tstop_us: f64,
    #[serde(default = "default_tstep")]
    pub tstep_ns: f64,
    /// Rate of the periodic test spike train on every external input (kHz).
    #[serde(default = "default_input_rate")]
    pub input_rate_khz: f64,
}

fn default_tstop() -> f64 {
    200.0
}
fn default_tstep() -> f64 {
    100.0
}
fn default_input_rate() -> f64 {
    20.0
}

impl Default for AnalogSim {
    fn default() -> Self {
        AnalogSim {
            tstop_us: default_tstop(),
            tstep_ns: default_tstep(),
            input_rate_khz: default_input_rate(),
        }
    }
}
