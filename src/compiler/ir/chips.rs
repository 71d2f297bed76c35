//! A chip's populations, tiles and on-chip synapses: modes resolved, ranges checked,
//! connections expanded (seeded random or explicit).

use super::limits::MAX_SYNAPSES;
use super::matrix::resolve_matrix;
use super::validate::{self, Problems};
use super::*;
use crate::compiler::codes;
use crate::compiler::design::{Chip, Connection, Population, RcSpikeTile, WeightSigns};
use crate::device::process::builtin_modes;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::Path;

/// What every chip of a design is built with.
pub(super) struct ChipContext<'a> {
    /// Built-in and design operating modes by name.
    pub modes: &'a BTreeMap<String, NeuronMode>,
    pub vdd: f64,
    /// Where weight files are looked up.
    pub base_dir: &'a Path,
    /// False for a design past a size limit: check, but expand nothing.
    pub expand: bool,
    /// On-chip synapses the rest of the design may still have.
    pub synapse_budget: u64,
}

pub(super) fn build_chip(ci: usize, c: &Chip, cx: &mut ChipContext, p: &mut Problems) -> ChipIr {
    let field = format!("chips[{ci}]");
    p.identifier(&format!("{field}.name"), &c.name);
    if c.populations.is_empty() && c.rc_spike.is_empty() {
        p.push(
            codes::EMPTY,
            format!("{field}.populations"),
            format!(
                "chip `{}` has neither a neuron population nor a tile",
                c.name
            ),
        );
    }
    let names = c
        .populations
        .iter()
        .enumerate()
        .map(|(i, x)| (format!("{field}.populations[{i}].name"), x.name.as_str()))
        .chain(
            c.rc_spike
                .iter()
                .enumerate()
                .map(|(i, t)| (format!("{field}.rc_spike[{i}].name"), t.name.as_str())),
        );
    p.unique("population or tile", names);
    let populations = c
        .populations
        .iter()
        .enumerate()
        .map(|(pi, pop)| build_population(&format!("{field}.populations[{pi}]"), pop, cx, p))
        .collect();
    let tiles = c
        .rc_spike
        .iter()
        .enumerate()
        .map(|(ti, t)| build_tile(&format!("{field}.rc_spike[{ti}]"), t, cx, p))
        .collect();
    let mut chip = ChipIr {
        name: c.name.clone(),
        populations,
        tiles,
        synapses: Vec::new(),
    };
    for (k, conn) in c.connections.iter().enumerate().filter(|_| cx.expand) {
        let field = format!("{field}.connections[{k}]");
        let synapses = expand_connection(&chip, conn, &field, cx.synapse_budget, p);
        if synapses.len() as u64 > cx.synapse_budget {
            p.push_help(
                codes::DESIGN_SIZE,
                field,
                format!("the connections expand to more than {MAX_SYNAPSES} on-chip synapses"),
                "lower the connection probabilities, or split the network",
            );
            cx.synapse_budget = 0;
            break;
        }
        cx.synapse_budget -= synapses.len() as u64;
        chip.synapses.extend(synapses);
    }
    chip
}

/// One population checked: its name, count, mode, bias current and input weight.
fn build_population(f: &str, pop: &Population, cx: &ChipContext, p: &mut Problems) -> PopulationIr {
    let modes = cx.modes;
    p.identifier(&format!("{f}.name"), &pop.name);
    if pop.count == 0 {
        p.push_help(
            codes::EMPTY,
            format!("{f}.count"),
            format!("population `{}` is empty (count 0)", pop.name),
            "remove the population or give it at least one neuron",
        );
    } else if pop.count > validate::MAX_NEURONS_PER_POPULATION {
        p.push(
            codes::OUT_OF_RANGE,
            format!("{f}.count"),
            format!(
                "population `{}` has {} neurons, at most {} fit on a chip",
                pop.name,
                pop.count,
                validate::MAX_NEURONS_PER_POPULATION
            ),
        );
    }
    let mode = modes.get(&pop.mode).cloned().unwrap_or_else(|| {
        p.push_help(
            codes::UNKNOWN_MODE,
            format!("{f}.mode"),
            format!("unknown neuron mode `{}`", pop.mode),
            &format!(
                "known modes: {} (add more under `neuron_modes`)",
                modes.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
        );
        builtin_modes()["regular"].clone()
    });
    p.range(
        &format!("{f}.bias_current_na"),
        "bias current (nA)",
        pop.bias_current_na,
        0.0,
        100.0,
    );
    p.range(
        &format!("{f}.input_weight"),
        "input synapse weight",
        pop.input_weight,
        0.0,
        1.0,
    );
    PopulationIr {
        name: pop.name.clone(),
        count: pop.count,
        mode_name: pop.mode.clone(),
        mode,
        bias_current_na: pop.bias_current_na,
        input_weight: pop.input_weight,
    }
}

/// One tile checked, with its weights resolved (unless the design is past a size limit).
fn build_tile(f: &str, t: &RcSpikeTile, cx: &ChipContext, p: &mut Problems) -> TileIr {
    validate::check_tile(f, t, cx.vdd, p);
    let Some(matrix) = t.weights.as_ref().filter(|_| cx.expand) else {
        return tile_ir(t, Vec::new());
    };
    let weights = resolve_matrix(matrix, t.inputs as usize, t.outputs as usize, cx.base_dir)
        .unwrap_or_else(|e| {
            p.push(
                codes::MATRIX,
                format!("{f}.weights"),
                format!("tile `{}` weights: {e}", t.name),
            );
            Vec::new()
        });
    let lowest = match t.signs {
        WeightSigns::Excitatory => 0.0,
        WeightSigns::ExcitatoryInhibitory => -1.0,
    };
    if weights
        .iter()
        .flatten()
        .any(|w| !(lowest..=1.0).contains(w))
    {
        p.push_help(
            codes::WEIGHT_RANGE,
            format!("{f}.weights"),
            format!(
                "tile `{}` has crosspoint weights outside [{lowest}, 1]",
                t.name
            ),
            "a crosspoint is a resistor: weight w gives r_unit_gohm / |w|, 0 leaves it out; \
             negative weights need `signs: excitatory_inhibitory`",
        );
    }
    tile_ir(t, weights)
}

fn tile_ir(t: &RcSpikeTile, weights: Vec<Vec<f64>>) -> TileIr {
    TileIr {
        name: t.name.clone(),
        inputs: t.inputs,
        outputs: t.outputs,
        r_unit_gohm: t.r_unit_gohm,
        c_mem_ff: t.c_mem_ff,
        vsyn: t.vsyn,
        threshold_v: t.threshold_v,
        hysteresis_v: t.hysteresis_v,
        signs: t.signs,
        e_inh_v: t.e_inh_v,
        ideal_diode: false,
        bits: t.bits,
        weights,
    }
}

/// Turns one connection into chip-local synapses, stopping one past `budget` (the caller
/// then reports a design past the limit).
fn expand_connection(
    chip: &ChipIr,
    conn: &Connection,
    field: &str,
    budget: u64,
    p: &mut Problems,
) -> Vec<Synapse> {
    let mut find = |name: &str, end: &str| {
        let found = chip.populations.iter().position(|x| x.name == name);
        if found.is_none() {
            p.push_help(
                codes::UNKNOWN_NAME,
                format!("{field}.{end}"),
                format!("chip `{}` has no population `{name}`", chip.name),
                &format!(
                    "populations of `{}`: {}",
                    chip.name,
                    chip.populations
                        .iter()
                        .map(|x| x.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
        found
    };
    let (Some(from), Some(to)) = (find(&conn.from, "from"), find(&conn.to, "to")) else {
        return Vec::new();
    };
    let (n_from, n_to) = (chip.populations[from].count, chip.populations[to].count);
    let (off_from, off_to) = (chip.population_offset(from), chip.population_offset(to));
    let local = |pre: u32, post: u32, weight: f64| Synapse {
        pre: off_from + pre,
        post: off_to + post,
        weight,
    };
    match (&conn.random, &conn.explicit) {
        (Some(r), None) => {
            p.range(&format!("{field}.random.probability"), "connection probability", r.probability, 0.0, 1.0);
            p.range(&format!("{field}.random.weight_min"), "weight_min", r.weight_min, -1.0, 1.0);
            p.range(&format!("{field}.random.weight_max"), "weight_max", r.weight_max, -1.0, 1.0);
            if r.weight_min > r.weight_max {
                p.push(
                    codes::OUT_OF_RANGE,
                    format!("{field}.random.weight_min"),
                    format!("weight_min {} is above weight_max {}", r.weight_min, r.weight_max),
                );
            }
            let mut rng = ChaCha8Rng::seed_from_u64(r.seed);
            let mut out = Vec::new();
            'pairs: for pre in 0..n_from {
                for post in 0..n_to {
                    if out.len() as u64 > budget {
                        break 'pairs;
                    }
                    if from == to && pre == post && !r.self_connections {
                        continue;
                    }
                    if rng.random::<f64>() < r.probability {
                        let w = r.weight_min + (r.weight_max - r.weight_min) * rng.random::<f64>();
                        out.push(local(pre, post, w));
                    }
                }
            }
            out
        }
        (None, Some(list)) => list
            .iter()
            .take(budget.saturating_add(1).min(usize::MAX as u64) as usize)
            .enumerate()
            .filter_map(|(i, &(pre, post, w))| {
                let f = format!("{field}.explicit[{i}]");
                if pre >= n_from || post >= n_to {
                    p.push(
                        codes::INDEX_RANGE,
                        f,
                        format!(
                            "synapse [{pre}, {post}] is outside `{}` ({n_from} neurons) -> `{}` ({n_to} neurons)",
                            conn.from, conn.to
                        ),
                    );
                    return None;
                }
                if !(-1.0..=1.0).contains(&w) {
                    p.push(codes::WEIGHT_RANGE, f, format!("synapse weight {w} is outside [-1, 1]"));
                    return None;
                }
                Some(local(pre, post, w))
            })
            .collect(),
        _ => {
            p.push_help(
                codes::CONNECTION_FORM,
                field.to_string(),
                "a connection needs exactly one of `random` and `explicit`",
                "random: {probability: 0.1, seed: 1, weight_min: 0.2, weight_max: 0.8} or explicit: [[pre, post, weight], ...]",
            );
            Vec::new()
        }
    }
}
