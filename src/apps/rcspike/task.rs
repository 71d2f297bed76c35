//! A TTFS design as a learning task: the layer sizes, the neuron and the time windows the
//! compiled design fixes, and the scale between the trainer's weights and the crossbar's.

use super::train::TrainConfig;
use crate::compiler::compile_loaded;
use crate::compiler::design::{Coding, Design, WeightSigns, load_design};
use crate::compiler::ir::{Network, TileIr};
use crate::model::ttfs::RcNeuron;
use crate::model::ttfs_network::Sparsity;
use crate::support::error::{Error, Result};
use crate::support::hash::sha256_hex;
use std::path::Path;

/// What a TTFS design fixes for training and evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub design: String,
    /// Tile names, first layer first (the model's weight files are named after them).
    pub layer_names: Vec<String>,
    /// Layer sizes, input first.
    pub sizes: Vec<usize>,
    pub neuron: RcNeuron,
    /// Pixels step within [0, input_window) seconds.
    pub input_window: f64,
    /// Outputs may fire within [0, window) seconds.
    pub window: f64,
    /// Conductance (S) of a design weight of 1: 1 / r_unit.
    pub g_unit: f64,
    /// Bits per crosspoint (None: full precision).
    pub bits: Option<u32>,
    /// Whether weights may be negative (inhibitory lines).
    pub signed: bool,
}

/// Training choices that are not the hardware's: they go on the command line.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Hyper {
    pub epochs: usize,
    pub batch: usize,
    pub learning_rate: f64,
    pub final_learning_rate: f64,
    /// Softmax temperature as a fraction of the input window.
    pub softmax_tau: f64,
    pub silent_penalty: f64,
    /// Weight of the penalty on each silent hidden neuron's distance to the threshold.
    #[serde(default)]
    pub hidden_silent_penalty: f64,
    /// Weight of the same pull on only the hidden neurons that fired on no image of the
    /// previous mini-batch: it revives dead neurons without pushing every neuron to fire.
    #[serde(default)]
    pub dead_neuron_penalty: f64,
    /// Sparse-firing regularization of the hidden neurons (SEEDS.md §4): the form, its
    /// weight, and for F-SSR and the membrane penalty the margin below the threshold (a
    /// fraction of it) from which they count.
    #[serde(default)]
    pub sparsity: Sparsity,
    #[serde(default)]
    pub sparsity_strength: f64,
    #[serde(default)]
    pub sparsity_margin: f64,
    /// Train (and evaluate) the ideal charge-domain neuron (`RcNeuron::ideal`) instead of
    /// the design's RC neuron: the seed's continuous-time TTFS model. Its netlists are not
    /// the RC crossbar's, so `sim spice` refuses such a model.
    #[serde(default)]
    pub ideal_neuron: bool,
    /// Training images move by up to this many pixels each way (augmentation).
    pub shift: usize,
    pub seed: u64,
}

impl Default for Hyper {
    fn default() -> Self {
        Hyper {
            epochs: 20,
            batch: 32,
            learning_rate: 1e-3,
            final_learning_rate: 2e-5,
            softmax_tau: 0.05,
            silent_penalty: 1.0,
            hidden_silent_penalty: 0.0,
            dead_neuron_penalty: 0.0,
            sparsity: Sparsity::None,
            sparsity_strength: 0.0,
            sparsity_margin: 0.0,
            ideal_neuron: false,
            shift: 0,
            seed: 1,
        }
    }
}

impl Task {
    /// The task of the TTFS design in `file`, after `edit` (e.g. another vsyn), or None for
    /// any other design. The tiles' own weights (e.g. a shipped model the design names) play
    /// no part in the task and are not read: training may be writing them anew.
    pub fn load(file: &Path, edit: impl FnOnce(&mut Design)) -> Result<Option<Task>> {
        let mut loaded = load_design(file).map_err(Error::Input)?;
        edit(&mut loaded.design);
        if loaded.design.fpga.encoder.coding == Coding::Ttfs {
            for tile in loaded.design.chips.iter_mut().flat_map(|c| &mut c.rc_spike) {
                tile.weights = None;
            }
        }
        let (_, compiled) = compile_loaded(loaded)?;
        if compiled.network.ttfs.is_none() {
            return Ok(None);
        }
        Task::new(&compiled.network, file).map(Some)
    }

    /// The task of a compiled TTFS design; a usage error names `file` when it is not one.
    pub fn new(net: &Network, file: &Path) -> Result<Task> {
        let ttfs = net.ttfs.as_ref().ok_or_else(|| {
            Error::Usage(format!(
                "{} is not a TTFS network (encoder `coding: ttfs`, readout `decision: first_spike`)",
                file.display()
            ))
        })?;
        let tiles: Vec<&TileIr> = ttfs
            .layers
            .iter()
            .map(|&(c, t)| &net.chips[c].tiles[t])
            .collect();
        let first = tiles[0];
        let clock = net.clock_mhz * 1e6;
        let levels = (1u64 << net.encoder.sample_bits) - 1;
        let mut sizes = vec![first.inputs as usize];
        sizes.extend(tiles.iter().map(|t| t.outputs as usize));
        Ok(Task {
            design: net.name.clone(),
            layer_names: tiles.iter().map(|t| t.name.clone()).collect(),
            sizes,
            neuron: RcNeuron {
                capacitance: first.c_mem_ff * 1e-15,
                threshold: first.threshold_v,
                e_exc: first.vsyn,
                e_inh: first.e_inh_v,
                v_start: 0.0,
                ideal: false,
            },
            input_window: levels as f64 * f64::from(net.encoder.step_cycles) / clock,
            window: f64::from(net.readout.window_cycles) / clock,
            g_unit: 1.0 / (first.r_unit_gohm * 1e9),
            bits: first.bits,
            signed: first.signs == WeightSigns::ExcitatoryInhibitory,
        })
    }

    /// This task with the ideal charge-domain neuron if `ideal` (see `Hyper::ideal_neuron`).
    pub fn with_ideal_neuron(&self, ideal: bool) -> Task {
        let mut task = self.clone();
        task.neuron.ideal = ideal;
        task
    }

    /// The conductance the trainer calls 1: C / (2 T_in) at vsyn = 2 Vth, scaled by
    /// Vth / (vsyn - Vth) so that a weight of 1 charges a membrane at the same rate at any
    /// drive voltage; a handful of early inputs then reach the threshold within the input
    /// window whatever the units of the design. Trainer weight x is design weight
    /// x * trainer_unit / g_unit.
    pub fn trainer_unit(&self) -> f64 {
        let n = self.neuron;
        n.capacitance / (2.0 * self.input_window) * n.threshold / (n.e_exc - n.threshold)
    }

    /// Mean of the initial weights (in standard deviations): 0.5 at vsyn = 2 Vth, more as
    /// vsyn nears the threshold, where a membrane reaches it only if nearly all of its
    /// inputs excite (its resting level is vsyn G_exc / (G_exc + G_inh)).
    fn init_mean(&self) -> f64 {
        let n = self.neuron;
        0.5 * n.threshold / (n.e_exc - n.threshold)
    }

    pub fn config(&self, h: &Hyper, workers: usize) -> TrainConfig {
        TrainConfig {
            sizes: self.sizes.clone(),
            neuron: self.neuron,
            input_window: self.input_window,
            window: self.window,
            g_unit: self.trainer_unit(),
            softmax_tau: h.softmax_tau * self.input_window,
            silent_penalty: h.silent_penalty,
            sparsity: h.sparsity,
            sparsity_level: (1.0 - h.sparsity_margin) * self.neuron.threshold,
            sparsity_strength: h.sparsity_strength,
            shift: h.shift,
            hidden_silent_penalty: h.hidden_silent_penalty,
            dead_neuron_penalty: h.dead_neuron_penalty,
            init_mean: self.init_mean(),
            weight_limit: self.g_unit / self.trainer_unit(),
            signed: self.signed,
            learning_rate: h.learning_rate,
            final_learning_rate: h.final_learning_rate,
            batch: h.batch,
            epochs: h.epochs,
            seed: h.seed,
            workers,
        }
    }

    /// Trainer weights ([out][in] per layer) as design weights (inputs rows x outputs).
    pub fn to_design(&self, weights: &[Vec<f64>]) -> Vec<Vec<Vec<f64>>> {
        let scale = self.trainer_unit() / self.g_unit;
        weights
            .iter()
            .zip(self.sizes.windows(2))
            .map(|(w, s)| {
                (0..s[0])
                    .map(|i| (0..s[1]).map(|o| w[o * s[0] + i] * scale).collect())
                    .collect()
            })
            .collect()
    }

    /// Design weights back as trainer weights.
    pub fn from_design(&self, layers: &[Vec<Vec<f64>>]) -> Vec<Vec<f64>> {
        let scale = self.g_unit / self.trainer_unit();
        layers
            .iter()
            .zip(self.sizes.windows(2))
            .map(|(m, s)| {
                let mut w = vec![0.0; s[0] * s[1]];
                for (i, row) in m.iter().enumerate() {
                    for (o, x) in row.iter().enumerate() {
                        w[o * s[0] + i] = x * scale;
                    }
                }
                w
            })
            .collect()
    }

    /// A digest of everything a trained model depends on: a model trained for another
    /// network (sizes, neuron, timing, crosspoint scale) does not fit this one.
    pub fn structure(&self) -> String {
        let text = format!(
            "sizes {:?} layers {:?} C {:e} Vth {:e} Vsyn {:e} Einh {:e} Tin {:e} T {:e} g {:e} signed {}",
            self.sizes,
            self.layer_names,
            self.neuron.capacitance,
            self.neuron.threshold,
            self.neuron.e_exc,
            self.neuron.e_inh,
            self.input_window,
            self.window,
            self.g_unit,
            self.signed
        );
        // The RC neuron's digest is the one models carried before the ideal neuron existed.
        let neuron = if self.neuron.ideal { " ideal" } else { "" };
        sha256_hex(format!("{text}{neuron}").as_bytes())[..16].to_string()
    }
}
