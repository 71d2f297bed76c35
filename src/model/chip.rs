//! One analog chip in behaviour: its neurons, on-chip synapses and RC-Spike tiles, advanced
//! in fixed time steps and driven by AER synapse events from the FPGA.
//! Addresses are the chip's own (see passes::place): synapse inputs are one per neuron, then
//! tile inputs; sources are the neurons, then tile outputs.

use crate::compiler::ir::{ChipIr, PopulationIr};
use crate::device::calibration::bundled_calibration;
use crate::device::dac::{input_charge, synapse_charge, weight_level};
use crate::device::mismatch::TileDraw;
use crate::device::neuron::{Neuron, NeuronParams, thermal_voltage};
use crate::device::process::NeuronMode;
use crate::device::tile::{ResistorDiode, TileColumn, crosspoint_saturation_current};
use std::collections::BTreeSet;

/// How long an RC-Spike input is driven at vsyn after an event reaches it (s).
pub const TILE_INPUT_PULSE: f64 = 10e-6;

#[derive(Debug, Clone)]
struct Tile {
    vsyn: f64,
    columns: Vec<TileColumn>,
    v: Vec<f64>,
    /// Time until which each input is driven.
    driven_until: Vec<f64>,
}

#[derive(Debug, Clone)]
pub struct ChipModel {
    /// Per-neuron parameters (replace entries to simulate a mismatched chip).
    pub params: Vec<NeuronParams>,
    neurons: Vec<Neuron>,
    bias: Vec<f64>,
    /// Charge an external (FPGA) input event delivers to each neuron.
    input_charge: Vec<f64>,
    /// Outgoing synapses of each neuron: (post, charge per spike).
    fanout: Vec<Vec<(u32, f64)>>,
    tiles: Vec<Tile>,
    pending_charge: Vec<f64>,
    time: f64,
}

impl ChipModel {
    /// `routed_inputs`: the synapse input addresses some route reaches (the decks only build
    /// those input synapses, and an idle synapse's off-current lifts the resting membrane).
    pub fn new(chip: &ChipIr, vdd: f64, celsius: f64, routed_inputs: &BTreeSet<u32>) -> ChipModel {
        let per_neuron = |f: &dyn Fn(&PopulationIr) -> f64| -> Vec<f64> {
            chip.populations
                .iter()
                .flat_map(|p| std::iter::repeat_n(f(p), p.count as usize))
                .collect()
        };
        let params = chip
            .populations
            .iter()
            .flat_map(|p| {
                std::iter::repeat_n(
                    NeuronParams::from_mode(&p.mode, vdd, celsius),
                    p.count as usize,
                )
            })
            .collect::<Vec<_>>();
        let mut fanout = vec![Vec::new(); params.len()];
        for s in &chip.synapses {
            let q = synapse_charge(s.weight);
            if q != 0.0 {
                fanout[s.pre as usize].push((s.post, q));
            }
        }
        let n_vt = thermal_voltage(celsius);
        let tiles = chip
            .tiles
            .iter()
            .map(|t| Tile {
                vsyn: t.vsyn,
                columns: (0..t.outputs as usize)
                    .map(|j| TileColumn {
                        capacitance: t.c_mem_ff * 1e-15,
                        threshold: t.threshold_v,
                        hysteresis: t.hysteresis_v,
                        crosspoints: t
                            .weights
                            .iter()
                            .map(|row| {
                                (row[j] > 0.0).then(|| ResistorDiode {
                                    ohms: t.r_unit_gohm * 1e9 / row[j],
                                    saturation_current: crosspoint_saturation_current(celsius),
                                    n_vt,
                                })
                            })
                            .collect(),
                        diodes: true,
                    })
                    .collect(),
                v: vec![0.0; t.outputs as usize],
                driven_until: vec![f64::NEG_INFINITY; t.inputs as usize],
            })
            .collect();
        // Idle excitatory synapses per neuron, for its resting potential.
        let mut idle = vec![0u32; params.len()];
        for s in chip
            .synapses
            .iter()
            .filter(|s| weight_level(s.weight) > 0 && s.weight > 0.0)
        {
            idle[s.post as usize] += 1;
        }
        let modes: Vec<&NeuronMode> = chip
            .populations
            .iter()
            .flat_map(|p| std::iter::repeat_n(&p.mode, p.count as usize))
            .collect();
        let inputs: Vec<f64> = chip
            .populations
            .iter()
            .flat_map(|p| std::iter::repeat_n(p.input_weight, p.count as usize))
            .collect();
        let calibration = bundled_calibration();
        let neurons = (0..params.len())
            .map(|i| {
                let input = routed_inputs.contains(&(i as u32)) && weight_level(inputs[i]) > 0;
                Neuron {
                    v: calibration.rest_potential(modes[i], vdd, idle[i] + input as u32),
                    ..Neuron::new()
                }
            })
            .collect();
        ChipModel {
            neurons,
            bias: per_neuron(&|p| p.bias_current_na * 1e-9),
            input_charge: per_neuron(&|p| input_charge(p.input_weight, vdd)),
            pending_charge: vec![0.0; params.len()],
            params,
            fanout,
            tiles,
            time: 0.0,
        }
    }

    /// Gives tile `tile` (its index on this chip) the resistors and capacitors of a
    /// mismatch draw (`mismatch::tile_draw`, numbered by the tile's index in the design), as
    /// `snngen mc` writes them into the tile's deck.
    pub fn apply_tile_draw(&mut self, tile: usize, draw: &TileDraw) {
        for (j, column) in self.tiles[tile].columns.iter_mut().enumerate() {
            draw.apply(j, column);
        }
    }

    /// Charge (C) neuron `i`'s excitatory on-chip synapses draw from the supply per spike.
    pub fn excitatory_fanout_charge(&self, i: usize) -> f64 {
        self.fanout[i].iter().map(|&(_, q)| q.max(0.0)).sum()
    }

    /// Charge (C) one external input event delivers through neuron `i`'s input synapse.
    pub fn input_event_charge(&self, i: usize) -> f64 {
        self.input_charge[i]
    }

    pub fn neuron_count(&self) -> usize {
        self.neurons.len()
    }

    /// Advances by `dt`. `events` are synapse input addresses that received an AER event
    /// since the last step; returns the source addresses that fired during this step.
    pub fn step(&mut self, dt: f64, events: &[u32]) -> Vec<u32> {
        let n = self.neurons.len();
        for &e in events {
            let e = e as usize;
            if e < n {
                self.pending_charge[e] += self.input_charge[e];
            } else {
                let mut k = e - n;
                for tile in &mut self.tiles {
                    if k < tile.driven_until.len() {
                        tile.driven_until[k] = self.time + TILE_INPUT_PULSE;
                        break;
                    }
                    k -= tile.driven_until.len();
                }
            }
        }
        let mut fired = Vec::new();
        for i in 0..n {
            let charge = std::mem::take(&mut self.pending_charge[i]);
            if self.neurons[i].step(&self.params[i], self.bias[i], charge, dt) {
                fired.push(i as u32);
            }
        }
        for &i in &fired {
            for &(post, q) in &self.fanout[i as usize] {
                self.pending_charge[post as usize] += q;
            }
        }
        let mut source = n as u32;
        for tile in &mut self.tiles {
            let inputs: Vec<f64> = tile
                .driven_until
                .iter()
                .map(|&until| if until > self.time { tile.vsyn } else { 0.0 })
                .collect();
            for (col, v) in tile.columns.iter().zip(&mut tile.v) {
                if col.step(v, &inputs, dt) {
                    fired.push(source);
                }
                source += 1;
            }
        }
        self.time += dt;
        fired
    }
}
