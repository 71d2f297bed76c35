//! Design -> IR: resolves names, endpoints and weight matrices, expands connectivity and
//! collects every problem with its field path before giving up.

use super::chips::{ChipContext, build_chip};
use super::endpoint::EndpointKind;
use super::graph::GraphBuilder;
use super::limits;
use super::readout::build_readout;
use super::validate::{self, Problems};
use super::*;
use crate::compiler::codes;
use crate::compiler::design::{AerBus, LoadedDesign, RoutePattern};
use crate::device::process::builtin_modes;
use crate::support::diag::Diagnostics;
use std::path::Path;

/// Largest routing table the router ROM holds (destinations in all).
pub const MAX_ROUTE_DESTINATIONS: usize = 65536;

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
    // A design past a size limit is checked item by item but not expanded: its problems
    // are all reported, in milliseconds, without allocating for its sizes.
    let expand = limits::check_sizes(d, &mut p);
    let mut cx = ChipContext {
        modes: &modes,
        vdd: d.vdd,
        base_dir: &base_dir,
        expand,
        synapse_budget: limits::MAX_SYNAPSES,
    };
    let chips: Vec<ChipIr> = d
        .chips
        .iter()
        .enumerate()
        .map(|(ci, c)| build_chip(ci, c, &mut cx, &mut p))
        .collect();
    if !expand {
        return Err(p.into_diagnostics(loaded));
    }

    let mut b = GraphBuilder {
        graph: StableDiGraph::new(),
        names: BTreeMap::new(),
        chips: &chips,
        encoder_channels: d.fpga.encoder.channels,
    };
    b.add_nodes();

    let mut destinations = 0u64;
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
        // Counted before the pairs are made: an all-to-all route of two large ranges is
        // refused without allocating its pairs.
        destinations += route_size(route.pattern, &sr, &dr);
        if destinations > MAX_ROUTE_DESTINATIONS as u64 {
            continue;
        }
        let Some(pairs) = pair_up(route.pattern, sr, dr, &field, &mut p) else {
            continue;
        };
        b.graph.add_edge(src, dst, Edge::Route { route: ri, pairs });
    }
    if destinations > MAX_ROUTE_DESTINATIONS as u64 {
        p.push(
            codes::ROUTE_TABLE,
            "fpga.router.routes",
            format!(
                "the routes expand to {destinations} destinations; the router table holds at most {MAX_ROUTE_DESTINATIONS}"
            ),
        );
    }

    let readout = build_readout(d, &mut b, &base_dir, &mut p);
    let ttfs = super::ttfs::check_ttfs(d, &chips, &b.graph, &readout, &mut p);

    if p.count() > 0 {
        return Err(p.into_diagnostics(loaded));
    }
    let mut net = Network {
        name: d.name.clone(),
        technology: d.technology,
        vdd: d.vdd,
        temperature: d.temperature,
        clock_mhz: d.fpga.clock_mhz,
        device: d.fpga.device,
        host_link_lanes: d.fpga.host_link.map(|l| l.lanes),
        shared_aer_bus: d.fpga.aer_bus == AerBus::Shared,
        encoder: EncoderIr {
            channels: d.fpga.encoder.channels,
            sample_bits: d.fpga.encoder.sample_bits,
            coding: d.fpga.encoder.coding,
            step_cycles: d.fpga.encoder.step_cycles.unwrap_or(0),
        },
        readout,
        ttfs,
        analog_sim: d.analog_sim.clone(),
        graph: b.graph,
        names: b.names,
        chips,
    };
    for &(c, t) in net.ttfs.iter().flat_map(|n| &n.layers) {
        net.chips[c].tiles[t].ideal_diode = true;
    }
    Ok(net)
}

/// Destinations a route expands to (in u64: two ranges of 2^32 cannot overflow it).
fn route_size(pattern: RoutePattern, sr: &Range<u32>, dr: &Range<u32>) -> u64 {
    let (ns, nd) = (sr.len() as u64, dr.len() as u64);
    match pattern {
        RoutePattern::AllToAll => ns * nd,
        RoutePattern::OneToOne => ns.max(nd),
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
