//! Design -> IR: resolves names, endpoints and weight matrices, expands connectivity and
//! collects every problem with its field path before giving up.

use super::endpoint::{ENDPOINT_HELP, Endpoint, EndpointKind};
use super::matrix::{QFormat, resolve_matrix};
use super::validate::{self, Problems};
use super::*;
use crate::compiler::codes::{self, Code};
use crate::compiler::design::{Chip, Connection, LoadedDesign, RoutePattern};
use crate::device::process::builtin_modes;
use crate::support::diag::Diagnostics;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::Path;

/// Largest routing table the router ROM holds (destinations in all).
pub const MAX_ROUTE_DESTINATIONS: usize = 65536;
/// Cycles the readout needs after a window closes beyond one per multiply-accumulate:
/// latch, per-class compare and result registers (see templates/verilog/readout.v).
pub const READOUT_OVERHEAD_CYCLES: u32 = 4;

/// Checks a loaded design and builds its IR, or returns every problem found.
pub fn build(loaded: &LoadedDesign) -> Result<Network, Diagnostics> {
    let d = &loaded.design;
    let base_dir = Path::new(&loaded.file)
        .parent()
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let mut p = Problems::default();
    validate::check_design(d, &mut p);

    let mut modes = builtin_modes();
    modes.extend(d.neuron_modes.clone());

    p.unique(
        "chip",
        d.chips
            .iter()
            .enumerate()
            .map(|(i, c)| (format!("chips[{i}].name"), c.name.as_str())),
    );
    let chips: Vec<ChipIr> = d
        .chips
        .iter()
        .enumerate()
        .map(|(ci, c)| build_chip(ci, c, &modes, d.vdd, &base_dir, &mut p))
        .collect();

    let mut b = GraphBuilder {
        graph: StableDiGraph::new(),
        names: BTreeMap::new(),
        chips: &chips,
        encoder_channels: d.fpga.encoder.channels,
    };
    b.add_nodes();

    let mut destinations = 0usize;
    for (ri, route) in d.fpga.router.routes.iter().enumerate() {
        let field = format!("fpga.router.routes[{ri}]");
        let from = b.resolve(
            &route.from,
            EndpointKind::Source,
            &format!("{field}.from"),
            &mut p,
        );
        let to = b.resolve(
            &route.to,
            EndpointKind::Target,
            &format!("{field}.to"),
            &mut p,
        );
        let (Some((src, sr)), Some((dst, dr))) = (from, to) else {
            continue;
        };
        let Some(pairs) = pair_up(route.pattern, sr, dr, &field, &mut p) else {
            continue;
        };
        destinations += pairs.len();
        b.graph.add_edge(src, dst, Edge::Route { route: ri, pairs });
    }
    if destinations > MAX_ROUTE_DESTINATIONS {
        p.push(
            codes::ROUTE_TABLE,
            "fpga.router.routes",
            format!(
                "the routes expand to {destinations} destinations; the router table holds at most {MAX_ROUTE_DESTINATIONS}"
            ),
        );
    }

    let readout = build_readout(d, &mut b, &base_dir, &mut p);

    if !p.0.is_empty() {
        return Err(loaded.diagnostics(p.0));
    }
    Ok(Network {
        name: d.name.clone(),
        technology: d.technology,
        vdd: d.vdd,
        temperature: d.temperature,
        clock_mhz: d.fpga.clock_mhz,
        encoder: EncoderIr {
            channels: d.fpga.encoder.channels,
            sample_bits: d.fpga.encoder.sample_bits,
        },
        readout,
        analog_sim: d.analog_sim.clone(),
        graph: b.graph,
        names: b.names,
        chips,
    })
}

fn build_chip(
    ci: usize,
    c: &Chip,
    modes: &BTreeMap<String, NeuronMode>,
    vdd: f64,
    base_dir: &Path,
    p: &mut Problems,
) -> ChipIr {
    let field = format!("chips[{ci}]");
    p.identifier(&format!("{field}.name"), &c.name);
    if c.populations.is_empty() {
        p.push(
            codes::EMPTY,
            format!("{field}.populations"),
            format!("chip `{}` has no neuron population", c.name),
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
        .map(|(pi, pop)| {
            let f = format!("{field}.populations[{pi}]");
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
        })
        .collect::<Vec<_>>();

    let tiles = c
        .rc_spike
        .iter()
        .enumerate()
        .map(|(ti, t)| {
            let f = format!("{field}.rc_spike[{ti}]");
            validate::check_tile(&f, t, vdd, p);
            let weights =
                resolve_matrix(&t.weights, t.inputs as usize, t.outputs as usize, base_dir)
                    .unwrap_or_else(|e| {
                        p.push(
                            codes::MATRIX,
                            format!("{f}.weights"),
                            format!("tile `{}` weights: {e}", t.name),
                        );
                        Vec::new()
                    });
            if weights.iter().flatten().any(|w| !(0.0..=1.0).contains(w)) {
                p.push_help(
                    codes::WEIGHT_RANGE,
                    format!("{f}.weights"),
                    format!("tile `{}` has crosspoint weights outside [0, 1]", t.name),
                    "a crosspoint is a resistor: weight w gives r_unit_gohm / w, 0 leaves it out",
                );
            }
            TileIr {
                name: t.name.clone(),
                inputs: t.inputs,
                outputs: t.outputs,
                r_unit_gohm: t.r_unit_gohm,
                c_mem_ff: t.c_mem_ff,
                vsyn: t.vsyn,
                threshold_v: t.threshold_v,
                hysteresis_v: t.hysteresis_v,
                weights,
            }
        })
        .collect();

    let mut chip = ChipIr {
        name: c.name.clone(),
        populations,
        tiles,
        synapses: Vec::new(),
    };
    for (k, conn) in c.connections.iter().enumerate() {
        let synapses = expand_connection(&chip, conn, &format!("{field}.connections[{k}]"), p);
        chip.synapses.extend(synapses);
    }
    chip
}

/// Turns one connection into chip-local synapses.
fn expand_connection(
    chip: &ChipIr,
    conn: &Connection,
    field: &str,
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
            for pre in 0..n_from {
                for post in 0..n_to {
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

/// Pairs source and target indices of one route.
fn pair_up(
    pattern: RoutePattern,
    sr: Range<u32>,
    dr: Range<u32>,
    field: &str,
    p: &mut Problems,
) -> Option<Vec<(u32, u32)>> {
    let (ns, nd) = (sr.len(), dr.len());
    match pattern {
        RoutePattern::AllToAll => Some(sr.flat_map(|s| dr.clone().map(move |t| (s, t))).collect()),
        RoutePattern::OneToOne if ns == nd => Some(sr.zip(dr).collect()),
        RoutePattern::OneToOne if ns == 1 => Some(dr.map(|t| (sr.start, t)).collect()),
        RoutePattern::OneToOne if nd == 1 => Some(sr.map(|s| (s, dr.start)).collect()),
        RoutePattern::OneToOne => {
            p.push_help(
                codes::ROUTE_SHAPE,
                field.to_string(),
                format!("a one_to_one route needs ranges of equal length, got {ns} sources and {nd} targets"),
                "one side may have length 1 (fan-out or fan-in); `pattern: all_to_all` connects every pair",
            );
            None
        }
    }
}

fn build_readout(
    d: &crate::compiler::design::Design,
    b: &mut GraphBuilder,
    base_dir: &Path,
    p: &mut Problems,
) -> ReadoutIr {
    let r = &d.fpga.readout;
    let readout = b.graph.add_node(Node::Readout);
    let mut features = Vec::new();
    for (i, text) in r.features.iter().enumerate() {
        if let Some((node, range)) = b.resolve(
            text,
            EndpointKind::Source,
            &format!("fpga.readout.features[{i}]"),
            p,
        ) {
            b.graph.add_edge(node, readout, Edge::Feature { order: i });
            features.push((node, range));
        }
    }
    if r.features.is_empty() {
        p.push(
            codes::EMPTY,
            "fpga.readout.features",
            "the readout needs at least one feature source",
        );
    }
    let n_features: u32 = features.iter().map(|(_, r)| r.end - r.start).sum();
    let format = QFormat::parse(&r.weight_format).unwrap_or_else(|e| {
        p.push(codes::Q_FORMAT, "fpga.readout.weight_format", e);
        QFormat {
            int_bits: 2,
            frac_bits: 6,
        }
    });
    // An out-of-range `bins` is reported by validation; the shape check then has nothing
    // sensible to compare against and stays quiet.
    let bins_valid = (1..=validate::MAX_READOUT_BINS).contains(&r.bins);
    let columns = r.bins.clamp(1, validate::MAX_READOUT_BINS) as usize * n_features as usize;
    let weights =
        resolve_matrix(&r.weights, r.classes as usize, columns, base_dir).unwrap_or_else(|e| {
            if bins_valid {
                let shape = if r.bins == 1 {
                    format!("{} classes x {n_features} features", r.classes)
                } else {
                    format!(
                        "{} classes x ({} bins x {n_features} features)",
                        r.classes, r.bins
                    )
                };
                p.push(
                    codes::MATRIX,
                    "fpga.readout.weights",
                    format!("readout weights ({shape}): {e}"),
                );
            }
            Vec::new()
        });
    let bad: Vec<String> = weights
        .iter()
        .enumerate()
        .flat_map(|(c, row)| row.iter().enumerate().map(move |(f, w)| (c, f, *w)))
        .filter_map(|(c, f, w)| {
            format
                .quantize(w)
                .err()
                .map(|e| format!("[{c}][{f}] = {e}"))
        })
        .collect();
    if let Some(first) = bad.first() {
        p.push_help(
            codes::WEIGHT_RANGE,
            "fpga.readout.weights",
            format!(
                "{} readout weight(s) out of the fixed-point range, first: {first}",
                bad.len()
            ),
            "scale the weights or give the format more integer bits",
        );
    }
    let mac_cycles = r
        .classes
        .saturating_mul(n_features)
        .saturating_add(READOUT_OVERHEAD_CYCLES);
    if r.window_cycles <= mac_cycles {
        p.push_help(
            codes::WINDOW,
            "fpga.readout.window_cycles",
            format!(
                "a window of {} cycles is too short: the readout needs {} cycles ({} classes x {n_features} features + {READOUT_OVERHEAD_CYCLES}) to score it",
                r.window_cycles, mac_cycles, r.classes
            ),
            "make the window longer than classes x features + 4 cycles",
        );
    }
    ReadoutIr {
        features,
        classes: r.classes,
        window_cycles: r.window_cycles,
        bins: r.bins,
        count_bits: r.count_bits,
        format,
        weights,
    }
}

/// What is wrong with an endpoint: its code, the message and a hint.
type EndpointError = (&'static Code, String, String);

struct GraphBuilder<'a> {
    graph: StableDiGraph<Node, Edge>,
    names: BTreeMap<String, NodeIndex>,
    chips: &'a [ChipIr],
    encoder_channels: u32,
}

impl GraphBuilder<'_> {
    fn add_nodes(&mut self) {
        let n = self.graph.add_node(Node::Encoder);
        self.names.insert("input".to_string(), n);
        for (ci, chip) in self.chips.iter().enumerate() {
            for (pi, pop) in chip.populations.iter().enumerate() {
                let n = self.graph.add_node(Node::Population {
                    chip: ci,
                    index: pi,
                });
                self.names.insert(format!("{}.{}", chip.name, pop.name), n);
            }
            for (ti, tile) in chip.tiles.iter().enumerate() {
                let i = self.graph.add_node(Node::TileInputs {
                    chip: ci,
                    index: ti,
                });
                let o = self.graph.add_node(Node::TileOutputs {
                    chip: ci,
                    index: ti,
                });
                self.names
                    .insert(format!("{}.{}.in", chip.name, tile.name), i);
                self.names
                    .insert(format!("{}.{}.out", chip.name, tile.name), o);
            }
        }
    }

    fn size(&self, node: NodeIndex) -> u32 {
        match self.graph[node] {
            Node::Encoder => self.encoder_channels,
            Node::Population { chip, index } => self.chips[chip].populations[index].count,
            Node::TileInputs { chip, index } => self.chips[chip].tiles[index].inputs,
            Node::TileOutputs { chip, index } => self.chips[chip].tiles[index].outputs,
            Node::Readout => 0,
        }
    }

    /// Resolves an endpoint to a node and index range, reporting what is wrong with it.
    fn resolve(
        &self,
        text: &str,
        kind: EndpointKind,
        field: &str,
        p: &mut Problems,
    ) -> Option<(NodeIndex, Range<u32>)> {
        match self.lookup(text, kind) {
            Ok(node) => {
                let size = self.size(node.0);
                let range = node.1.unwrap_or(0..size);
                if range.end > size {
                    p.push(
                        codes::INDEX_RANGE,
                        field.to_string(),
                        format!(
                            "index range {}..{} is outside `{text}` (it has {size})",
                            range.start, range.end
                        ),
                    );
                    return None;
                }
                Some((node.0, range))
            }
            Err((code, message, help)) => {
                p.push_help(code, field.to_string(), message, &help);
                None
            }
        }
    }

    fn lookup(
        &self,
        text: &str,
        kind: EndpointKind,
    ) -> Result<(NodeIndex, Option<Range<u32>>), EndpointError> {
        let e =
            Endpoint::parse(text).map_err(|m| (codes::ENDPOINT, m, ENDPOINT_HELP.to_string()))?;
        let chip_names = || {
            self.chips
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        if e.first == "input" && e.second.is_none() && e.port.is_none() {
            if kind == EndpointKind::Target {
                return Err((
                    codes::ENDPOINT,
                    "`input` (the encoder) sends spikes; it cannot receive them".into(),
                    "route targets are populations or tile inputs".into(),
                ));
            }
            return Ok((self.names["input"], e.range));
        }
        let Some(chip) = self.chips.iter().find(|c| c.name == e.first) else {
            return Err((
                codes::UNKNOWN_NAME,
                format!("`{text}` names no chip `{}`", e.first),
                format!("chips in this design: {}", chip_names()),
            ));
        };
        let Some(second) = &e.second else {
            return Err((
                codes::ENDPOINT,
                format!("`{text}` names a whole chip"),
                format!(
                    "name a population or tile of it, e.g. `{}.{}`",
                    chip.name,
                    chip.populations.first().map_or("exc", |p| &p.name)
                ),
            ));
        };
        let members = || {
            chip.populations
                .iter()
                .map(|p| p.name.as_str())
                .chain(chip.tiles.iter().map(|t| t.name.as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if chip.populations.iter().any(|p| &p.name == second) {
            if e.port.is_some() {
                return Err((
                    codes::ENDPOINT,
                    format!("`{text}`: a population has no `.in`/`.out` port"),
                    ENDPOINT_HELP.into(),
                ));
            }
            return Ok((self.names[&format!("{}.{second}", chip.name)], e.range));
        }
        if !chip.tiles.iter().any(|t| &t.name == second) {
            return Err((
                codes::UNKNOWN_NAME,
                format!("chip `{}` has no population or tile `{second}`", chip.name),
                format!("members of `{}`: {}", chip.name, members()),
            ));
        }
        let port = match (e.port.as_deref(), kind) {
            (None, EndpointKind::Source) | (Some("out"), EndpointKind::Source) => "out",
            (None, EndpointKind::Target) | (Some("in"), EndpointKind::Target) => "in",
            (Some(port), _) => {
                return Err((
                    codes::ENDPOINT,
                    format!(
                        "`{text}`: tile {port}puts cannot be a route {}",
                        if kind == EndpointKind::Source {
                            "source"
                        } else {
                            "target"
                        }
                    ),
                    "tile inputs receive spikes (`.in`), tile outputs send them (`.out`)".into(),
                ));
            }
        };
        Ok((
            self.names[&format!("{}.{second}.{port}", chip.name)],
            e.range,
        ))
    }
}
