//! ngspice view model: one deck per chip with its neurons, bias lines, synapses, RC-Spike
//! tiles and a stand-alone test stimulus. Numbers are written as plain exponents (`1e-13`),
//! never with SPICE suffixes (`10M` is ten milliohm).

use super::Header;
use crate::ir::{ChipIr, Network};
use crate::passes::Compiled;
use std::collections::{BTreeMap, BTreeSet};

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

/// Synapse strengths are set by a 4-bit bias DAC: weight |w| in [0, 1] becomes level
/// round(15 |w|); level 0 means no synapse. Synapses of one level share a bias line.
pub const WEIGHT_LEVELS: u32 = 15;
/// Gate drive (V, magnitude) of a synapse's bias transistor at the strongest level: an
/// excitatory pMOS gate at 0 V on a 0.6 V supply passes 28.6 fC per 90 ns presynaptic spike.
pub const SYNAPSE_FULL_DRIVE_V: f64 = 0.6;
/// Drive change per e-fold of weight: measured charge per spike falls about 25x from
/// vw = 0 to vw = 0.3 V (sim/README.md), i.e. one e-fold per ~0.09 V.
pub const SYNAPSE_DRIVE_PER_EFOLD_V: f64 = 0.09;

/// Gate voltage of a synapse's bias transistor for `level` (pMOS for excitatory synapses,
/// nMOS for inhibitory ones), to the microvolt.
pub fn synapse_bias(excitatory: bool, vdd: f64, level: u32) -> f64 {
    let drive = synapse_drive(level);
    round_uv(if excitatory {
        (vdd - drive).max(0.0)
    } else {
        drive.min(vdd)
    })
}

pub fn weight_level(w: f64) -> u32 {
    (w.abs() * WEIGHT_LEVELS as f64).round() as u32
}

/// Gate drive magnitude that makes the subthreshold synapse current proportional to the level.
pub fn synapse_drive(level: u32) -> f64 {
    SYNAPSE_FULL_DRIVE_V + SYNAPSE_DRIVE_PER_EFOLD_V * (level as f64 / WEIGHT_LEVELS as f64).ln()
}

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

#[derive(Debug, Clone)]
pub struct Crosspoint {
    pub name: String,
    pub input: String,
    pub column: String,
    pub ohms: String,
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
    pub driven_inputs: Vec<String>,
    pub idle_inputs: Vec<String>,
    pub columns: Vec<Column>,
    pub crosspoints: Vec<Crosspoint>,
}

#[derive(Debug, Clone)]
pub struct SpiceDeck {
    pub file_stem: String,
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
    /// Tile inputs are steps held for half a period: RC-Spike integrates for microseconds.
    pub tile_test_width: String,
    pub test_edge: String,
    pub tstep: String,
    pub tstop: String,
    pub data_file: String,
    pub vectors: String,
}

/// Length of each input pulse (s) the chip makes from an AER event: about a regular-mode
/// Axon-Hillock spike (90 ns). The synapse calibration is measured with this width.
pub const TEST_PULSE_WIDTH: f64 = 1e-7;
pub const TEST_PULSE_EDGE: f64 = 1e-8;

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
    let vdd = net.vdd;
    let names = neuron_names(chip);
    let mut biases = Vec::new();
    let mut modes: BTreeMap<&str, (String, String)> = BTreeMap::new();
    for p in &chip.populations {
        let m = node(&p.mode_name);
        modes.entry(&p.mode_name).or_insert_with(|| {
            biases.push(Bias {
                name: format!("vleak_{m}"),
                volts: num(p.mode.vleak),
                comment: format!("leak bias of mode {m}"),
            });
            biases.push(Bias {
                name: format!("vpw_{m}"),
                volts: num(p.mode.vpw),
                comment: format!("reset (pulse width) bias of mode {m}"),
            });
            (format!("vleak_{m}"), format!("vpw_{m}"))
        });
    }

    let mut neurons = Vec::new();
    let mut bias_currents = Vec::new();
    let mut idx = 0usize;
    for p in &chip.populations {
        let (leak, pw) = modes[p.mode_name.as_str()].clone();
        for _ in 0..p.count {
            let n = &names[idx];
            neurons.push(NeuronInst {
                name: n.clone(),
                leak: leak.clone(),
                pw: pw.clone(),
                cmem: num(p.mode.cmem_ff * 1e-15),
                cfb: num(p.mode.cfb_ff * 1e-15),
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

    // Synapse bias lines: one per (kind, level) in use.
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
    for &(exc, level) in &levels {
        biases.push(Bias {
            name: bias_line(exc, level),
            volts: num(synapse_bias(exc, vdd, level)),
            comment: format!(
                "{} synapse bias, level {level}/{WEIGHT_LEVELS}",
                if exc { "excitatory" } else { "inhibitory" }
            ),
        });
    }

    let mut tile_input_base = chip.neuron_count();
    let tiles = chip
        .tiles
        .iter()
        .map(|t| {
            let tn = node(&t.name);
            let input = |i: u32| format!("{tn}_in{i}");
            let column = |j: u32| format!("{tn}_mem{j}");
            let spike = |j: u32| format!("{tn}_spk{j}");
            let (driven, idle): (Vec<u32>, Vec<u32>) =
                (0..t.inputs).partition(|i| routed_inputs.contains(&(tile_input_base + i)));
            tile_input_base += t.inputs;
            let mut crosspoints = Vec::new();
            for (i, row) in t.weights.iter().enumerate() {
                for (j, &w) in row.iter().enumerate() {
                    if w > 0.0 {
                        crosspoints.push(Crosspoint {
                            name: format!("{tn}_{i}_{j}"),
                            input: input(i as u32),
                            column: column(j as u32),
                            ohms: num(t.r_unit_gohm * 1e9 / w),
                        });
                    }
                }
            }
            TileView {
                name: tn.clone(),
                inputs: t.inputs,
                outputs: t.outputs,
                vsyn: num(t.vsyn),
                cmem: num(t.c_mem_ff * 1e-15),
                sw_vt: num(t.threshold_v - t.hysteresis_v / 2.0),
                sw_vh: num(t.hysteresis_v / 2.0),
                driven_inputs: driven.into_iter().map(input).collect(),
                idle_inputs: idle.into_iter().map(input).collect(),
                columns: (0..t.outputs)
                    .map(|j| Column {
                        mem: column(j),
                        spk: spike(j),
                    })
                    .collect(),
                crosspoints,
            }
        })
        .collect::<Vec<_>>();

    let mut vectors: Vec<String> = names.iter().map(|n| format!("v({n}_spk)")).collect();
    for t in &tiles {
        vectors.extend(t.columns.iter().map(|c| format!("v({})", c.spk)));
        vectors.extend(t.columns.iter().map(|c| format!("v({})", c.mem)));
    }
    vectors.push("i(vdd)".into());

    let period = 1e-3 / net.analog_sim.input_rate_khz;
    let stem = node(&chip.name);
    SpiceDeck {
        file_stem: stem.clone(),
        chip: stem.clone(),
        neuron_count: chip.neuron_count(),
        synapse_count: synapses.len(),
        temperature: num(net.temperature),
        vdd: num(vdd),
        biases,
        neurons,
        bias_currents,
        synapses,
        tiles,
        test_delay: num(period / 2.0),
        test_period: num(period),
        test_width: num(TEST_PULSE_WIDTH.min(period / 4.0)),
        tile_test_width: num(period / 2.0),
        test_edge: num(TEST_PULSE_EDGE),
        tstep: num(net.analog_sim.tstep_ns * 1e-9),
        tstop: num(net.analog_sim.tstop_us * 1e-6),
        data_file: format!("{stem}.dat"),
        vectors: vectors.join(" "),
    }
}

fn bias_line(exc: bool, level: u32) -> String {
    format!("vw_{}{level}", if exc { "e" } else { "i" })
}

/// Bias voltages are written to the microvolt: more digits only add noise to the snapshots.
fn round_uv(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
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
        assert_eq!(weight_level(0.5), 8);
        assert_eq!(weight_level(-1.0), 15);
    }
}
