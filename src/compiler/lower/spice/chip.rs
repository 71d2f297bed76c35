//! The chip deck: one per chip with its neurons, bias lines, synapses, RC-Spike tiles and a
//! stand-alone test stimulus.

use super::{
    Crosspoint, NeuronCell, TEST_PULSE_EDGE, TEST_PULSE_WIDTH, TileNodes, crosspoints, node, num,
};
use crate::compiler::design::WeightSigns;
use crate::compiler::ir::{ChipIr, Network};
use crate::compiler::lower::Header;
use crate::compiler::passes::Compiled;
use crate::device::dac::{WEIGHT_LEVELS, synapse_bias, weight_level};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone)]
pub struct Bias {
    pub name: String,
    pub volts: String,
    pub comment: String,
}

#[derive(Debug, Clone)]
pub struct NeuronInst {
    pub name: String,
    pub leak: String,
    pub pw: String,
    pub cmem: String,
    pub cfb: String,
}

#[derive(Debug, Clone)]
pub struct CurrentSource {
    pub name: String,
    pub node: String,
    pub amps: String,
}

#[derive(Debug, Clone)]
pub struct SynapseInst {
    pub name: String,
    /// Presynaptic drive: `spkb` of the neuron (excitatory) or `spk` (inhibitory), or the test input.
    pub drive: String,
    pub post: String,
    pub rail: String,
    pub bias: String,
    pub cell: String,
}

/// An input line of a tile and the value of the source that drives it.
#[derive(Debug, Clone)]
pub struct Line {
    pub name: String,
    pub source: String,
}

/// One output column of a tile: its membrane node and its spike node.
#[derive(Debug, Clone)]
pub struct Column {
    pub mem: String,
    pub spk: String,
}

#[derive(Debug, Clone)]
pub struct TileView {
    pub name: String,
    pub inputs: u32,
    pub outputs: u32,
    pub vsyn: String,
    pub cmem: String,
    pub sw_vt: String,
    pub sw_vh: String,
    /// Every input line with its source: the test pulse where a route reaches the input,
    /// else its idle level; a tile with inhibitory lines has those after the excitatory ones.
    pub lines: Vec<Line>,
    pub columns: Vec<Column>,
    pub crosspoints: Vec<Crosspoint>,
}

#[derive(Debug, Clone)]
pub struct SpiceDeck {
    pub chip: String,
    pub neuron_count: u32,
    pub synapse_count: usize,
    pub temperature: String,
    pub vdd: String,
    pub biases: Vec<Bias>,
    pub neurons: Vec<NeuronInst>,
    pub bias_currents: Vec<CurrentSource>,
    pub synapses: Vec<SynapseInst>,
    pub tiles: Vec<TileView>,
    pub test_delay: String,
    pub test_period: String,
    pub test_width: String,
    pub test_edge: String,
    pub tstep: String,
    pub tstop: String,
    pub data_file: String,
    pub vectors: String,
    /// The netlist (`<stem>.cir`: circuit, subcircuits, models included) and the ngspice
    /// run file that includes it (`<stem>.run.cir`: the transient and its data file).
    pub netlist_file: String,
    pub run_file: String,
}

pub fn lower(c: &Compiled, _h: &Header) -> Vec<SpiceDeck> {
    let net = &c.network;
    let mut routed: BTreeSet<(u32, u32)> = BTreeSet::new();
    for dests in &c.routing.by_source {
        routed.extend(dests.iter().map(|d| (d.chip, d.synapse)));
    }
    net.chips
        .iter()
        .enumerate()
        .map(|(ci, chip)| {
            let inputs: BTreeSet<u32> = routed
                .iter()
                .filter(|(c, _)| *c == ci as u32)
                .map(|(_, s)| *s)
                .collect();
            lower_chip(net, chip, &inputs)
        })
        .collect()
}

/// Node base name of every neuron of the chip, in chip-local index order.
fn neuron_names(chip: &ChipIr) -> Vec<String> {
    chip.populations
        .iter()
        .flat_map(|p| (0..p.count).map(move |i| format!("{}_{i}", node(&p.name))))
        .collect()
}

fn lower_chip(net: &Network, chip: &ChipIr, routed_inputs: &BTreeSet<u32>) -> SpiceDeck {
    let names = neuron_names(chip);
    let (mut biases, mode_lines) = mode_biases(chip);
    let (neurons, bias_currents) = lower_neurons(chip, &names, &mode_lines);
    let (synapses, levels) = lower_synapses(chip, &names, routed_inputs);
    biases.extend(levels.iter().map(|&(exc, level)| Bias {
        name: bias_line(exc, level),
        volts: num(synapse_bias(exc, net.vdd, level)),
        comment: format!(
            "{} synapse bias, level {level}/{WEIGHT_LEVELS}",
            if exc { "excitatory" } else { "inhibitory" }
        ),
    }));
    let period = 1e-3 / net.analog_sim.input_rate_khz;
    let stimulus = TestStimulus {
        delay: period / 2.0,
        edge: TEST_PULSE_EDGE,
        width: period / 2.0,
        period,
    };
    let tiles = lower_tiles(chip, routed_inputs, &stimulus);

    let mut vectors: Vec<String> = names.iter().map(|n| format!("v({n}_spk)")).collect();
    for t in &tiles {
        vectors.extend(t.columns.iter().map(|c| format!("v({})", c.spk)));
        vectors.extend(t.columns.iter().map(|c| format!("v({})", c.mem)));
    }
    vectors.push("i(vdd)".into());

    let stem = node(&chip.name);
    SpiceDeck {
        chip: stem.clone(),
        neuron_count: chip.neuron_count(),
        synapse_count: synapses.len(),
        temperature: num(net.temperature),
        vdd: num(net.vdd),
        biases,
        neurons,
        bias_currents,
        synapses,
        tiles,
        test_delay: num(period / 2.0),
        test_period: num(period),
        test_width: num(TEST_PULSE_WIDTH.min(period / 4.0)),
        test_edge: num(TEST_PULSE_EDGE),
        tstep: num(net.analog_sim.tstep_ns * 1e-9),
        tstop: num(net.analog_sim.tstop_us * 1e-6),
        data_file: format!("{stem}.dat"),
        netlist_file: format!("{stem}.cir"),
        run_file: format!("{stem}.run.cir"),
        vectors: vectors.join(" "),
    }
}

/// The leak and reset bias lines of every mode the chip uses, in population order, and
/// each mode's (leak, reset) line names.
fn mode_biases(chip: &ChipIr) -> (Vec<Bias>, BTreeMap<&str, (String, String)>) {
    let mut biases = Vec::new();
    let mut modes: BTreeMap<&str, (String, String)> = BTreeMap::new();
    for p in &chip.populations {
        let m = node(&p.mode_name);
        modes.entry(&p.mode_name).or_insert_with(|| {
            let cell = NeuronCell::of(&p.mode);
            biases.push(Bias {
                name: format!("vleak_{m}"),
                volts: cell.vleak,
                comment: format!("leak bias of mode {m}"),
            });
            biases.push(Bias {
                name: format!("vpw_{m}"),
                volts: cell.vpw,
                comment: format!("reset (pulse width) bias of mode {m}"),
            });
            (format!("vleak_{m}"), format!("vpw_{m}"))
        });
    }
    (biases, modes)
}

/// One `lif` instance per neuron, and the bias current sources of populations that have one.
fn lower_neurons(
    chip: &ChipIr,
    names: &[String],
    mode_lines: &BTreeMap<&str, (String, String)>,
) -> (Vec<NeuronInst>, Vec<CurrentSource>) {
    let mut neurons = Vec::new();
    let mut bias_currents = Vec::new();
    let mut idx = 0usize;
    for p in &chip.populations {
        let (leak, pw) = mode_lines[p.mode_name.as_str()].clone();
        let cell = NeuronCell::of(&p.mode);
        for _ in 0..p.count {
            let n = &names[idx];
            neurons.push(NeuronInst {
                name: n.clone(),
                leak: leak.clone(),
                pw: pw.clone(),
                cmem: cell.cmem.clone(),
                cfb: cell.cfb.clone(),
            });
            if p.bias_current_na > 0.0 {
                bias_currents.push(CurrentSource {
                    name: format!("ib_{n}"),
                    node: format!("{n}_mem"),
                    amps: num(p.bias_current_na * 1e-9),
                });
            }
            idx += 1;
        }
    }
    (neurons, bias_currents)
}

/// The on-chip synapses (a DAC level of 0 is no synapse), then the external input synapse
/// of every neuron some route reaches; and the (excitatory, level) bias lines they use.
fn lower_synapses(
    chip: &ChipIr,
    names: &[String],
    routed_inputs: &BTreeSet<u32>,
) -> (Vec<SynapseInst>, BTreeSet<(bool, u32)>) {
    let mut levels: BTreeSet<(bool, u32)> = BTreeSet::new();
    let mut synapses = Vec::new();
    for (k, s) in chip.synapses.iter().enumerate() {
        let level = weight_level(s.weight);
        if level == 0 {
            continue;
        }
        let exc = s.weight > 0.0;
        levels.insert((exc, level));
        synapses.push(SynapseInst {
            name: format!("s{k}"),
            drive: format!(
                "{}_{}",
                names[s.pre as usize],
                if exc { "spkb" } else { "spk" }
            ),
            post: format!("{}_mem", names[s.post as usize]),
            rail: if exc { "vdd" } else { "0" }.into(),
            bias: bias_line(exc, level),
            cell: if exc { "syn_exc" } else { "syn_inh" }.into(),
        });
    }
    // External inputs of neurons that some route reaches, driven by the test stimulus.
    let mut input_neuron = 0u32;
    for p in &chip.populations {
        let level = weight_level(p.input_weight);
        for _ in 0..p.count {
            if level > 0 && routed_inputs.contains(&input_neuron) {
                levels.insert((true, level));
                synapses.push(SynapseInst {
                    name: format!("in{input_neuron}"),
                    drive: "test_b".into(),
                    post: format!("{}_mem", names[input_neuron as usize]),
                    rail: "vdd".into(),
                    bias: bias_line(true, level),
                    cell: "syn_exc".into(),
                });
            }
            input_neuron += 1;
        }
    }
    (synapses, levels)
}

/// Every RC-Spike tile: its crosspoints, columns, and inputs driven by the test stimulus
/// where a route reaches them (the rest tied to ground).
fn lower_tiles(
    chip: &ChipIr,
    routed_inputs: &BTreeSet<u32>,
    stimulus: &TestStimulus,
) -> Vec<TileView> {
    let mut tile_input_base = chip.neuron_count();
    chip.tiles
        .iter()
        .map(|t| {
            let tn = node(&t.name);
            let nodes = TileNodes::chip(&tn);
            let column = |j: u32| nodes.column(j as usize);
            let spike = |j: u32| format!("{tn}_spk{j}");
            let driven = |i: u32| routed_inputs.contains(&(tile_input_base + i));
            let line = |name: String, idle: f64, active: f64, i: u32| Line {
                name,
                source: if driven(i) {
                    stimulus.pulse(idle, active)
                } else {
                    num(idle)
                },
            };
            let mut lines: Vec<Line> = (0..t.inputs)
                .map(|i| line(nodes.input(i as usize), 0.0, t.vsyn, i))
                .collect();
            if t.signs == WeightSigns::ExcitatoryInhibitory {
                lines.extend(
                    (0..t.inputs)
                        .map(|i| line(nodes.inhibitory_input(i as usize), t.vsyn, t.e_inh_v, i)),
                );
            }
            tile_input_base += t.inputs;
            let crosspoints = crosspoints(t, &nodes, |_, _| 1.0);
            TileView {
                name: tn.clone(),
                inputs: t.inputs,
                outputs: t.outputs,
                vsyn: num(t.vsyn),
                cmem: num(t.c_mem_ff * 1e-15),
                sw_vt: num(t.threshold_v - t.hysteresis_v / 2.0),
                sw_vh: num(t.hysteresis_v / 2.0),
                lines,
                columns: (0..t.outputs)
                    .map(|j| Column {
                        mem: column(j),
                        spk: spike(j),
                    })
                    .collect(),
                crosspoints,
            }
        })
        .collect()
}

/// The periodic test pulse on tile inputs: steps held for half a period, since RC-Spike
/// integrates for microseconds.
struct TestStimulus {
    delay: f64,
    edge: f64,
    width: f64,
    period: f64,
}

impl TestStimulus {
    fn pulse(&self, idle: f64, active: f64) -> String {
        format!(
            "pulse({} {} {} {} {} {} {})",
            num(idle),
            num(active),
            num(self.delay),
            num(self.edge),
            num(self.edge),
            num(self.width),
            num(self.period)
        )
    }
}

fn bias_line(exc: bool, level: u32) -> String {
    format!("vw_{}{level}", if exc { "e" } else { "i" })
}
