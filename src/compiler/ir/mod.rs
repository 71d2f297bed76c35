//! The network as a graph: populations, tile ports, the encoder and the readout are nodes;
//! synapse bundles, routes and readout features are edges. `build` turns a loaded design into
//! this IR, checking everything on the way and reporting all problems at once.

pub mod build;
mod chips;
mod endpoint;
mod graph;
pub mod limits;
mod matrix;
mod readout;
mod ttfs;
pub mod validate;

pub use build::build;
pub use endpoint::{Endpoint, EndpointKind};
pub use matrix::{QFormat, resolve_matrix};
pub use readout::{READOUT_OVERHEAD_CYCLES, scoring_cycles};
pub use ttfs::TtfsIr;

use crate::compiler::design::{
    AnalogSim, Coding, Decision, FpgaDevice, NeuronMode, Technology, WeightSigns,
};
use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use std::collections::BTreeMap;
use std::ops::Range;

/// A validated network, ready for the passes.
#[derive(Debug, Clone)]
pub struct Network {
    pub name: String,
    pub technology: Technology,
    pub vdd: f64,
    pub temperature: f64,
    pub clock_mhz: f64,
    /// The FPGA the design names, if any.
    pub device: Option<FpgaDevice>,
    /// The serial host link's data lines, when the design has one.
    pub host_link_lanes: Option<u32>,
    /// One time-multiplexed AER bus for all chips rather than one per chip.
    pub shared_aer_bus: bool,
    pub encoder: EncoderIr,
    pub chips: Vec<ChipIr>,
    pub readout: ReadoutIr,
    /// The layer chain, when the design is a time-to-first-spike network.
    pub ttfs: Option<TtfsIr>,
    pub analog_sim: AnalogSim,
    pub graph: StableDiGraph<Node, Edge>,
    /// `input`, `chip.population`, `chip.tile.in`, `chip.tile.out` to their nodes.
    pub names: BTreeMap<String, NodeIndex>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncoderIr {
    pub channels: u32,
    pub sample_bits: u32,
    pub coding: Coding,
    /// Cycles per sample level (TTFS coding; 0 for rate coding).
    pub step_cycles: u32,
}

#[derive(Debug, Clone)]
pub struct ChipIr {
    pub name: String,
    pub populations: Vec<PopulationIr>,
    pub tiles: Vec<TileIr>,
    /// Expanded on-chip synapses, in connection order.
    pub synapses: Vec<Synapse>,
}

impl ChipIr {
    pub fn neuron_count(&self) -> u32 {
        self.populations.iter().map(|p| p.count).sum()
    }
    pub fn tile_outputs(&self) -> u32 {
        self.tiles.iter().map(|t| t.outputs).sum()
    }
    pub fn tile_inputs(&self) -> u32 {
        self.tiles.iter().map(|t| t.inputs).sum()
    }
    /// Index of the first neuron of population `pop` within the chip.
    pub fn population_offset(&self, pop: usize) -> u32 {
        self.populations[..pop].iter().map(|p| p.count).sum()
    }
}

#[derive(Debug, Clone)]
pub struct PopulationIr {
    pub name: String,
    pub count: u32,
    pub mode_name: String,
    pub mode: NeuronMode,
    pub bias_current_na: f64,
    pub input_weight: f64,
}

/// One on-chip synapse between chip-local neuron indices; weight in [-1, 1].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Synapse {
    pub pre: u32,
    pub post: u32,
    pub weight: f64,
}

#[derive(Debug, Clone)]
pub struct TileIr {
    pub name: String,
    pub inputs: u32,
    pub outputs: u32,
    pub r_unit_gohm: f64,
    pub c_mem_ff: f64,
    pub vsyn: f64,
    pub threshold_v: f64,
    pub hysteresis_v: f64,
    pub signs: WeightSigns,
    pub e_inh_v: f64,
    /// Whether the crosspoint diodes are ideal rectifiers (the tiles of a TTFS network, as
    /// their model assumes) rather than silicon pn diodes.
    pub ideal_diode: bool,
    /// Bits per crosspoint (None: full precision).
    pub bits: Option<u32>,
    /// `inputs` rows of `outputs` weights in [0, 1] ([-1, 1] with inhibitory lines); empty
    /// when the design leaves them to a trained model.
    pub weights: Vec<Vec<f64>>,
}

#[derive(Debug, Clone)]
pub struct ReadoutIr {
    /// Feature sources in order: a node and the index range within it.
    pub features: Vec<(NodeIndex, Range<u32>)>,
    pub classes: u32,
    pub decision: Decision,
    pub window_cycles: u32,
    /// Windows (time bins) per decision.
    pub bins: u32,
    pub count_bits: u32,
    pub format: QFormat,
    /// `classes` rows of one real weight per (bin, feature), bin-major.
    pub weights: Vec<Vec<f64>>,
}

/// One route: from a source node to a target node, with its index pairs.
#[derive(Debug, Clone, Copy)]
pub struct RouteEdge<'a> {
    pub source: NodeIndex,
    pub target: NodeIndex,
    pub pairs: &'a [(u32, u32)],
}

/// What a graph node stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Encoder,
    Population { chip: usize, index: usize },
    TileInputs { chip: usize, index: usize },
    TileOutputs { chip: usize, index: usize },
    Readout,
}

/// What a graph edge stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edge {
    /// The `route`-th route of the design: (source index, target index) pairs within the nodes.
    Route {
        route: usize,
        pairs: Vec<(u32, u32)>,
    },
    /// On-chip synapses of a connection.
    Synapses { chip: usize, connection: usize },
    /// Readout feature group `order`.
    Feature { order: usize },
}

impl Network {
    pub fn neuron_count(&self) -> u32 {
        self.chips.iter().map(ChipIr::neuron_count).sum()
    }
    pub fn synapse_count(&self) -> usize {
        self.chips.iter().map(|c| c.synapses.len()).sum()
    }
    pub fn feature_count(&self) -> u32 {
        self.readout
            .features
            .iter()
            .map(|(_, r)| r.end - r.start)
            .sum()
    }
    /// Routes in design order.
    pub fn routes(&self) -> Vec<RouteEdge<'_>> {
        route_edges(&self.graph)
    }
}

/// The route edges of a graph in design order.
pub fn route_edges(graph: &StableDiGraph<Node, Edge>) -> Vec<RouteEdge<'_>> {
    let mut routes: Vec<(usize, RouteEdge<'_>)> = graph
        .edge_indices()
        .filter_map(|e| match &graph[e] {
            Edge::Route { route, pairs } => {
                let (source, target) = graph.edge_endpoints(e)?;
                Some((
                    *route,
                    RouteEdge {
                        source,
                        target,
                        pairs,
                    },
                ))
            }
            _ => None,
        })
        .collect();
    routes.sort_by_key(|r| r.0);
    routes.into_iter().map(|(_, r)| r).collect()
}
