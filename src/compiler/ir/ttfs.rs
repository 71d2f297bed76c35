//! A time-to-first-spike network: the encoder steps each input once, routes chain RC-Spike
//! tiles layer by layer, and the readout takes the first output spike. This checks that the
//! graph is such a chain and that its layers share one neuron, and finds the layer order.

use super::validate::Problems;
use super::*;
use crate::compiler::codes;
use crate::compiler::design::Design;

/// The layers of a TTFS network, in order: (chip, tile) indices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TtfsIr {
    pub layers: Vec<(usize, usize)>,
}

/// What a TTFS network needs beyond what every design needs; None for a rate-coded design
/// (whose tiles must then carry their weights).
pub(super) fn check_ttfs(
    d: &Design,
    chips: &[ChipIr],
    graph: &StableDiGraph<Node, Edge>,
    readout: &ReadoutIr,
    p: &mut Problems,
) -> Option<TtfsIr> {
    let ttfs_coding = d.fpga.encoder.coding == Coding::Ttfs;
    let first_spike = readout.decision == Decision::FirstSpike;
    check_timing(d, ttfs_coding, p);
    if !ttfs_coding && !first_spike {
        require_tile_weights(d, p);
        return None;
    }
    if ttfs_coding != first_spike {
        p.push_help(
            codes::TTFS,
            if ttfs_coding {
                "fpga.readout.decision"
            } else {
                "fpga.encoder.coding"
            },
            "a TTFS network needs both `coding: ttfs` in the encoder and `decision: first_spike` in the readout",
            "set both, or neither for a rate-coded design",
        );
        return None;
    }
    let tiles: Vec<(usize, usize)> = chips
        .iter()
        .enumerate()
        .flat_map(|(c, chip)| (0..chip.tiles.len()).map(move |t| (c, t)))
        .collect();
    if !tiles.is_empty() {
        check_layers(d, chips, &tiles, p);
    }
    let layers = chain(graph, chips, d.fpga.encoder.channels, p)?;
    let last = *layers.last()?;
    let node = |n: &Node| graph.node_indices().find(|&i| graph[i] == *n);
    let last_out = node(&Node::TileOutputs {
        chip: last.0,
        index: last.1,
    })?;
    let outputs = chips[last.0].tiles[last.1].outputs;
    if readout.features != [(last_out, 0..outputs)] {
        p.push_help(
            codes::TTFS,
            "fpga.readout.features",
            format!(
                "the readout of a TTFS network takes every output of its last layer `{}.{}.out`, and nothing else",
                chips[last.0].name, chips[last.0].tiles[last.1].name
            ),
            "features: [chip.last_tile.out]",
        );
    }
    Some(TtfsIr { layers })
}

/// Follows the routes from the encoder through tiles; each hop must be the only route out of
/// its source and join all of it one to one to all of a tile's inputs.
fn chain(
    graph: &StableDiGraph<Node, Edge>,
    chips: &[ChipIr],
    channels: u32,
    p: &mut Problems,
) -> Option<Vec<(usize, usize)>> {
    let routes = route_edges(graph);
    let mut from = graph.node_indices().find(|&i| graph[i] == Node::Encoder)?;
    let mut width = channels;
    let mut layers = Vec::new();
    let mut used = 0;
    loop {
        let out: Vec<(usize, &RouteEdge)> = routes
            .iter()
            .enumerate()
            .filter(|(_, r)| r.source == from)
            .collect();
        let Some(&(ri, route)) = out.first() else {
            break;
        };
        let (to, pairs) = (route.target, route.pairs);
        let field = format!("fpga.router.routes[{ri}]");
        let whole = |n: u32| pairs.len() == n as usize && pairs.iter().all(|&(s, t)| s == t);
        let target = match graph[to] {
            Node::TileInputs { chip, index } if out.len() == 1 => (chip, index),
            _ => {
                p.push_help(
                    codes::TTFS,
                    field,
                    "in a TTFS network every route joins one layer's outputs (or the encoder) to the next tile's inputs, one route per layer",
                    "route input -> tile1.in, tile1.out -> tile2.in, ...",
                );
                return None;
            }
        };
        let tile = &chips[target.0].tiles[target.1];
        if layers.contains(&target) || !whole(width) || tile.inputs != width {
            p.push_help(
                codes::TTFS,
                field,
                "a TTFS layer takes all of the previous layer's outputs, one to one, once",
                "route whole tiles (`chip.tile.out` to `chip.next.in`) with equal widths",
            );
            return None;
        }
        layers.push(target);
        used += 1;
        from = graph.node_indices().find(|&i| {
            graph[i]
                == Node::TileOutputs {
                    chip: target.0,
                    index: target.1,
                }
        })?;
        width = tile.outputs;
    }
    if used != routes.len() || layers.is_empty() {
        p.push_help(
            codes::TTFS,
            "fpga.router.routes",
            format!(
                "{} of the {} routes are not on the chain from the encoder through the layers",
                routes.len() - used,
                routes.len()
            ),
            "a TTFS network is one chain: input -> tile1.in, tile1.out -> tile2.in, ...",
        );
        return None;
    }
    Some(layers)
}

/// Every tile runs the neuron the trainer models: one membrane, drive and weight unit.
fn check_layers(d: &Design, chips: &[ChipIr], layers: &[(usize, usize)], p: &mut Problems) {
    let tile = |&(c, t): &(usize, usize)| &chips[c].tiles[t];
    let first = tile(&layers[0]);
    let field = |(c, t): (usize, usize)| format!("chips[{c}].rc_spike[{t}]");
    for &l in &layers[1..] {
        let t = tile(&l);
        let same = t.c_mem_ff == first.c_mem_ff
            && t.vsyn == first.vsyn
            && t.threshold_v == first.threshold_v
            && t.e_inh_v == first.e_inh_v
            && t.r_unit_gohm == first.r_unit_gohm
            && t.signs == first.signs
            && t.bits == first.bits;
        if !same {
            p.push_help(
                codes::TTFS,
                field(l),
                format!(
                    "tile `{}` differs from the first tile `{}` in c_mem_ff, vsyn, threshold_v, e_inh_v, r_unit_gohm, signs or bits",
                    t.name, first.name
                ),
                "the layers of a TTFS network share one neuron and one crosspoint scale",
            );
        }
    }
    for &(c, t) in layers {
        let tile = &d.chips[c].rc_spike[t];
        if !(tile.e_inh_v >= 0.0 && tile.e_inh_v < tile.threshold_v) {
            p.push(
                codes::TILE_THRESHOLD,
                format!("{}.e_inh_v", field((c, t))),
                format!(
                    "the inhibitory rail {} V must be at least 0 and below the threshold ({} V)",
                    tile.e_inh_v, tile.threshold_v
                ),
            );
        }
    }
    let ports: Vec<String> = layers
        .iter()
        .filter(|&&(c, t)| d.chips[c].rc_spike[t].weights.is_some())
        .map(|&l| field(l))
        .collect();
    if !ports.is_empty() && ports.len() != layers.len() {
        p.push_help(
            codes::TTFS,
            format!("{}.weights", ports[0]),
            "some layers of the TTFS network give weights and others do not",
            "leave every layer's weights out (they come from `snngen train`) or give them all",
        );
    }
}

/// The encoder's step and the readout's window, checked where the design uses them.
fn check_timing(d: &Design, ttfs_coding: bool, p: &mut Problems) {
    let e = &d.fpga.encoder;
    match (ttfs_coding, e.step_cycles) {
        (true, None) => p.push_help(
            codes::TTFS,
            "fpga.encoder.coding",
            "TTFS coding needs `step_cycles` (clock cycles per sample level)",
            "e.g. step_cycles: 20 (0.4 us per level at 50 MHz)",
        ),
        (true, Some(s)) => {
            p.range(
                "fpga.encoder.step_cycles",
                "step_cycles",
                s as f64,
                1.0,
                65536.0,
            );
            let input_window = ((1u64 << e.sample_bits.min(16)) - 1) * u64::from(s);
            let window = u64::from(d.fpga.readout.window_cycles);
            if window <= input_window {
                p.push_help(
                    codes::WINDOW,
                    "fpga.readout.window_cycles",
                    format!(
                        "the decision window ({window} cycles) must outlast the input window ({input_window} cycles: (2^sample_bits - 1) x step_cycles)"
                    ),
                    "outputs fire after their inputs; a few input windows is typical",
                );
            }
        }
        (false, Some(_)) => p.push(
            codes::TTFS,
            "fpga.encoder.step_cycles",
            "`step_cycles` belongs to `coding: ttfs`",
        ),
        (false, None) => {}
    }
}

/// A rate-coded design has no trained tile weights to take: each tile gives its own.
fn require_tile_weights(d: &Design, p: &mut Problems) {
    for (c, chip) in d.chips.iter().enumerate() {
        for (t, tile) in chip.rc_spike.iter().enumerate() {
            if tile.weights.is_none() {
                p.push_help(
                    codes::MATRIX,
                    format!("chips[{c}].rc_spike[{t}].weights"),
                    format!("tile `{}` has no weights", tile.name),
                    "only the tiles of a TTFS network (coding: ttfs) take theirs from a trained model",
                );
            }
        }
    }
}
