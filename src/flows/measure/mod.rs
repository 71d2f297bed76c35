//! Cells measured in ngspice, the primitives characterization, Monte-Carlo and the
//! benchmarks share: a neuron under a current step, an RC-Spike tile under input steps, the
//! input synapse and the resting potential. Each lowers its deck in `compiler`, runs it with
//! `tools::ngspice` and reads the signals the deck says it saves.

pub mod neuron;
pub mod synapse;
pub mod tile;

pub use neuron::{NeuronPoint, REFERENCE_CURRENT_NA, measure_neuron, neuron_deck, run_neuron_deck};
pub use synapse::{REST_SYNAPSE_COUNTS, SynapseMeasurement, measure_input_synapse, measure_rest};
pub use tile::{MacEnergy, TileTrajectory, measure_mac_energy, measure_tile};
