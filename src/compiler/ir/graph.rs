//! The graph's nodes and endpoint resolution: `input[0..4]`, `chip.population[3]`,
//! `chip.tile.in` to a node and an index range, with what is wrong when it does not resolve.

use super::endpoint::{ENDPOINT_HELP, Endpoint, EndpointKind};
use super::validate::Problems;
use super::*;
use crate::compiler::codes::{self, Code};

/// What is wrong with an endpoint: its code, the message and a hint.
type EndpointError = (&'static Code, String, String);

pub(super) struct GraphBuilder<'a> {
    pub(super) graph: StableDiGraph<Node, Edge>,
    pub(super) names: BTreeMap<String, NodeIndex>,
    pub(super) chips: &'a [ChipIr],
    pub(super) encoder_channels: u32,
}

impl GraphBuilder<'_> {
    pub(super) fn add_nodes(&mut self) {
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
    pub(super) fn resolve(
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
