//! Design -> IR: resolves names, endpoints and weight matrices, expands connectivity and
//! collects every problem with its field path before giving up.

use super::chips::build_chip;
use super::endpoint::EndpointKind;
use super::graph::GraphBuilder;
use super::readout::build_readout;
use super::validate::{self, Problems};
use super::*;
use crate::compiler::codes;
use crate::compiler::design::{LoadedDesign, RoutePattern};
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
