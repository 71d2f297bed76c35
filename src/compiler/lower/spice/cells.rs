//! Decks of one cell alone, for characterization and Monte-Carlo: a neuron under a current
//! step, a resting neuron with idle synapses, the input synapse at every DAC level, and an
//! RC-Spike tile without its comparator under input steps. They share the neuron and
//! crosspoint lowering of the chip decks.

use super::{Crosspoint, NeuronCell, Signal, TileNodes, crosspoints, num, vector_list};

use crate::compiler::design::WeightSigns;
use crate::compiler::ir::TileIr;
use crate::device::dac::synapse_bias;
use crate::device::mismatch::{Draw, TileDraw};
use crate::device::process::NeuronMode;

/// The input current of a neuron step deck rises at this time (s); spike times are
/// reported from it.
pub const STEP_AT: f64 = 1e-6;
const STEP_RISE: f64 = 1e-9;

/// Spike times to better than 0.5 %: the default 1e-4 runs ~1.5 % fast (sim/README.md).
const SPIKE_TIME_RELTOL: &str = "1e-5";

/// What a deck saves: its `wrdata` file, the signals in it, and their list as the deck
/// writes it.
#[derive(Debug, Clone)]
pub struct Saved {
    pub file: String,
    pub signals: Vec<Signal>,
    pub vectors: String,
}

impl Saved {
    pub fn new(file: &str, signals: Vec<Signal>) -> Saved {
        Saved {
            file: file.into(),
            vectors: vector_list(&signals),
            signals,
        }
    }
}

/// One `lif` neuron driven by an ideal current step off the supply.
#[derive(Debug, Clone)]
pub struct NeuronStep {
    pub mode: String,
    pub current: String,
    pub temperature: String,
    pub reltol: String,
    pub vdd: String,
    pub cell: NeuronCell,
    /// Per-instance mismatch parameters of the `lif` subckt (empty: nominal).
    pub mismatch: String,
    pub step_at: String,
    pub step_end: String,
    pub tstep: String,
    pub tstop: String,
    pub saved: Saved,
}

/// What a neuron step deck saves.
#[derive(Debug, Clone)]
pub struct NeuronStepSignals {
    pub vmem: Signal,
    pub spk: Signal,
    /// The supply source's current (negative while it delivers).
    pub supply: Signal,
}

impl NeuronStepSignals {
    pub fn new() -> NeuronStepSignals {
        NeuronStepSignals {
            vmem: Signal::v("vmem"),
            spk: Signal::v("spk"),
            supply: Signal::i("vdd"),
        }
    }

    /// In the order the deck writes them.
    pub fn all(&self) -> Vec<Signal> {
        vec![self.vmem.clone(), self.spk.clone(), self.supply.clone()]
    }
}

impl Default for NeuronStepSignals {
    fn default() -> Self {
        NeuronStepSignals::new()
    }
}

/// A neuron of `mode` (instance draw `mismatch`) stepped to `current` (A) at STEP_AT and
/// simulated for `transient` seconds after it, at `celsius`.
pub fn neuron_step(
    mode_name: &str,
    mode: &NeuronMode,
    vdd: f64,
    current: f64,
    celsius: f64,
    transient: f64,
    mismatch: Option<&Draw>,
) -> NeuronStep {
    let signals = NeuronStepSignals::new().all();
    NeuronStep {
        mode: mode_name.to_string(),
        current: num(current),
        temperature: num(celsius),
        reltol: SPIKE_TIME_RELTOL.into(),
        vdd: num(vdd),
        cell: NeuronCell::of(mode),
        mismatch: mismatch.map(Draw::subckt_params).unwrap_or_default(),
        step_at: num(STEP_AT),
        step_end: num(STEP_AT + STEP_RISE),
        tstep: num(transient / 400.0),
        tstop: num(STEP_AT + transient),
        saved: Saved::new("neuron.dat", signals),
    }
}

/// A resting neuron with idle excitatory synapses on its membrane.
#[derive(Debug, Clone)]
pub struct RestingNeuron {
    pub mode: String,
    pub synapses: usize,
    pub temperature: String,
    pub vdd: String,
    pub cell: NeuronCell,
    pub vw: String,
    pub synapse_names: Vec<String>,
    pub saved: Saved,
}

/// Bias level of the idle synapses of a resting neuron deck (their idle current is the
/// switch's off-current, not the bias).
const REST_SYNAPSE_LEVEL: u32 = 8;

pub fn resting_neuron(
    mode_name: &str,
    mode: &NeuronMode,
    vdd: f64,
    synapses: u32,
    celsius: f64,
) -> RestingNeuron {
    let signals = vec![Signal::v("vmem")];
    RestingNeuron {
        mode: mode_name.to_string(),
        synapses: synapses as usize,
        temperature: num(celsius),
        vdd: num(vdd),
        cell: NeuronCell::of(mode),
        vw: num(synapse_bias(true, vdd, REST_SYNAPSE_LEVEL)),
        synapse_names: (0..synapses).map(|k| format!("s{k}")).collect(),
        saved: Saved::new("rest.dat", signals),
    }
}

/// The excitatory synapse at every DAC level, each into a membrane held by a source.
#[derive(Debug, Clone)]
pub struct SynapseLevels {
    pub temperature: String,
    pub vdd: String,
    pub vmem: String,
    pub delay: String,
    pub edge: String,
    pub width: String,
    pub tstep: String,
    pub tstop: String,
    pub levels: Vec<SynapseLevel>,
    pub saved: Saved,
}

#[derive(Debug, Clone)]
pub struct SynapseLevel {
    pub level: u32,
    pub bias: String,
}

/// The source holding the membrane of the synapse at `level`: its current is the synapse's.
pub fn synapse_hold_source(level: u32) -> Signal {
    Signal::i(format!("vm{level}"))
}

/// One input pulse (`width`, `edge`, after `delay`) into synapses at `levels`, each
/// membrane held at `vmem` volts, for `tstop` seconds.
#[allow(clippy::too_many_arguments)]
pub fn synapse_levels(
    vdd: f64,
    celsius: f64,
    levels: &[u32],
    vmem: f64,
    delay: f64,
    width: f64,
    edge: f64,
    tstop: f64,
) -> SynapseLevels {
    let signals: Vec<Signal> = levels.iter().map(|&l| synapse_hold_source(l)).collect();
    SynapseLevels {
        temperature: num(celsius),
        vdd: num(vdd),
        vmem: num(vmem),
        delay: num(delay),
        edge: num(edge),
        width: num(width),
        tstep: num(1e-8),
        tstop: num(tstop),
        levels: levels
            .iter()
            .map(|&l| SynapseLevel {
                level: l,
                bias: num(synapse_bias(true, vdd, l)),
            })
            .collect(),
        saved: Saved::new("synapse.dat", signals),
    }
}

/// An RC-Spike tile without its comparator, input i stepping to vsyn at its own time.
#[derive(Debug, Clone)]
pub struct TileSteps {
    pub tile: String,
    pub vsyn: String,
    pub temperature: String,
    pub inputs: Vec<TileStepInput>,
    pub crosspoints: Vec<Crosspoint>,
    pub columns: Vec<TileColumnCap>,
    pub tstep: String,
    pub tstop: String,
    pub saved: Saved,
}

#[derive(Debug, Clone)]
pub struct TileStepInput {
    pub name: String,
    /// The source's value: a constant or a pwl step.
    pub source: String,
}

#[derive(Debug, Clone)]
pub struct TileColumnCap {
    pub name: String,
    pub cmem: String,
}

/// The membrane of column `j` in a tile step deck.
pub fn tile_column(j: usize) -> Signal {
    Signal::v(TileNodes::alone().column(j))
}

/// The source driving input `i` in a tile step deck: its current is what the input delivers.
pub fn tile_input_source(i: usize) -> Signal {
    Signal::i(format!("v{}", TileNodes::alone().input(i)))
}

/// When the inputs of a tile step deck step and how long it runs.
#[derive(Debug, Clone, PartialEq)]
pub struct TileStimulus {
    /// Input i steps at `steps[i]` (s); None: never.
    pub steps: Vec<Option<f64>>,
    pub tstop: f64,
    /// The largest time step is tstop / points.
    pub points: usize,
    /// Save every excitatory input source's current too.
    pub input_currents: bool,
}

/// `tile` with input i stepping at `steps[i]`: its line from 0 V to `vsyn` and, on a tile
/// with inhibitory lines, its inhibitory line from vsyn down to the tile's e_inh_v. `draw`
/// scales every crosspoint resistor and column capacitor (mismatch).
pub fn tile_steps(
    tile: &TileIr,
    vsyn: f64,
    celsius: f64,
    stimulus: &TileStimulus,
    draw: Option<&TileDraw>,
) -> TileSteps {
    let nodes = TileNodes::alone();
    let c_factor = |j: usize| draw.map_or(1.0, |d| d.c_factor[j]);
    let columns: Vec<TileColumnCap> = (0..tile.outputs as usize)
        .map(|j| TileColumnCap {
            name: nodes.column(j),
            cmem: num(tile.c_mem_ff * 1e-15 * c_factor(j)),
        })
        .collect();
    let steps = &stimulus.steps;
    let mut signals: Vec<Signal> = (0..columns.len()).map(tile_column).collect();
    if stimulus.input_currents {
        signals.extend((0..steps.len()).map(tile_input_source));
    }
    let mut inputs: Vec<TileStepInput> = steps
        .iter()
        .enumerate()
        .map(|(i, &t)| TileStepInput {
            name: nodes.input(i),
            source: step_source(0.0, vsyn, t),
        })
        .collect();
    if tile.signs == WeightSigns::ExcitatoryInhibitory {
        inputs.extend(steps.iter().enumerate().map(|(i, &t)| TileStepInput {
            name: nodes.inhibitory_input(i),
            source: step_source(vsyn, tile.e_inh_v, t),
        }));
    }
    TileSteps {
        tile: tile.name.clone(),
        vsyn: num(vsyn),
        temperature: num(celsius),
        inputs,
        crosspoints: crosspoints(tile, &nodes, |i, j| draw.map_or(1.0, |d| d.r_factor[i][j])),
        columns,
        tstep: num(stimulus.tstop / stimulus.points.max(1) as f64),
        tstop: num(stimulus.tstop),
        saved: Saved::new("tile.dat", signals),
    }
}

/// A line source that idles at `idle` and steps to `active` at `at` (1 ns edge), or stays
/// idle when it never steps.
fn step_source(idle: f64, active: f64, at: Option<f64>) -> String {
    match at {
        None => num(idle),
        Some(t) if t <= 0.0 => format!("pwl(0 {} 1e-9 {})", num(idle), num(active)),
        Some(t) => format!(
            "pwl(0 {} {} {} {} {})",
            num(idle),
            num(t),
            num(idle),
            num(t + 1e-9),
            num(active)
        ),
    }
}
