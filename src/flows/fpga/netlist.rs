//! What the mapped netlist (yosys `-json`) says about a design: its top-level ports and the
//! cells each top-level block was mapped to.

use std::collections::BTreeMap;

pub use crate::compiler::board::Port;

/// Cells of one top-level block (an instance such as `u_readout`, or `top` for the glue).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct BlockUsage {
    pub block: String,
    pub luts: u64,
    pub flip_flops: u64,
    pub carries: u64,
    pub ram_blocks: u64,
    pub dsp: u64,
}

/// The ports and per-block cells of `top` in a yosys JSON netlist.
#[derive(Debug, Clone, Default)]
pub struct NetlistSummary {
    pub ports: Vec<Port>,
    /// Largest first (by LUTs plus flip-flops).
    pub blocks: Vec<BlockUsage>,
}

impl NetlistSummary {
    pub fn parse(text: &str, top: &str) -> Option<NetlistSummary> {
        let v: serde_json::Value = serde_json::from_str(text).ok()?;
        let module = &v["modules"][top];
        let ports = module["ports"]
            .as_object()?
            .iter()
            .map(|(name, p)| Port {
                name: name.clone(),
                bits: p["bits"].as_array().map_or(1, Vec::len),
            })
            .collect();
        let mut blocks: BTreeMap<String, BlockUsage> = BTreeMap::new();
        for (name, cell) in module["cells"].as_object()? {
            // Flattening names a cell after its instance path; yosys keeps that prefix on
            // mapped cells too (their names follow the nets they drive).
            let block = block_of(name);
            let u = blocks.entry(block.clone()).or_default();
            u.block = block;
            match cell["type"].as_str().unwrap_or("") {
                "SB_LUT4" => u.luts += 1,
                "SB_CARRY" => u.carries += 1,
                "SB_MAC16" => u.dsp += 1,
                t if t.starts_with("SB_DFF") => u.flip_flops += 1,
                t if t.starts_with("SB_RAM") => u.ram_blocks += 1,
                _ => {}
            }
        }
        let mut blocks: Vec<BlockUsage> = blocks.into_values().collect();
        blocks.sort_by_key(|b| std::cmp::Reverse(b.luts + b.flip_flops));
        Some(NetlistSummary { ports, blocks })
    }

    pub fn port_bits(&self) -> u64 {
        self.ports.iter().map(|p| p.bits as u64).sum()
    }
}

/// The block a flattened cell belongs to: the instance it sits in, one level down, or two
/// inside the board's system top (`u_top.u_router`: the top is all of the design).
fn block_of(cell: &str) -> String {
    let mut path = cell.split('.');
    match (path.next(), path.next(), path.next()) {
        (Some("u_top"), Some(inner), Some(_)) if inner.starts_with("u_") => {
            format!("u_top.{inner}")
        }
        (Some(block), Some(_), _) => block.to_string(),
        _ => "top".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_and_blocks_of_the_top() {
        let text = r#"{"modules": {"t": {
            "ports": {"clk": {"direction": "input", "bits": [2]},
                      "d": {"direction": "input", "bits": [3, 4, 5]}},
            "cells": {"u_a.x": {"type": "SB_LUT4"}, "u_a.y": {"type": "SB_DFFESR"},
                      "u_a.z": {"type": "SB_LUT4"}, "glue": {"type": "SB_LUT4"},
                      "u_b.m": {"type": "SB_RAM40_4K"},
                      "u_top.u_router.g.x": {"type": "SB_LUT4"},
                      "u_top.glue": {"type": "SB_LUT4"}}}}}"#;
        let n = NetlistSummary::parse(text, "t").unwrap();
        assert_eq!(n.port_bits(), 4);
        assert_eq!(n.blocks[0].block, "u_a");
        assert_eq!((n.blocks[0].luts, n.blocks[0].flip_flops), (2, 1));
        assert_eq!(
            n.blocks
                .iter()
                .find(|b| b.block == "u_b")
                .unwrap()
                .ram_blocks,
            1
        );
        assert_eq!(n.blocks.iter().find(|b| b.block == "top").unwrap().luts, 1);
        // Inside the board's system top, a block is the instance one level further down.
        let luts = |name: &str| n.blocks.iter().find(|b| b.block == name).unwrap().luts;
        assert_eq!((luts("u_top.u_router"), luts("u_top")), (1, 1));
    }
}
