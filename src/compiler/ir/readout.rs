//! The readout: feature endpoints, weight matrix and format, and whether a window is long
//! enough to score it.

use super::graph::GraphBuilder;
use super::limits;
use super::matrix::{QFormat, resolve_matrix};
use super::validate::{self, Problems};
use super::*;
use crate::compiler::codes;
use crate::compiler::design::{Decision, Design};
use std::path::Path;

/// Cycles the readout needs after a window closes beyond one per multiply and one per
/// class compare: one for the last count to land in its RAM lane, the first count's fetch,
/// adding the last product, and the output register (see templates/verilog/readout.v).
/// (A lane's walk reads come once per class count of cycles: the validator's two classes
/// at least keep them apart, as the lane needs.)
pub const READOUT_OVERHEAD_CYCLES: u32 = 4;

/// Cycles from a window's last cycle until its decision (the frame's last bin's) is on the
/// outputs: `classes x features` multiplies, `classes` compares and the overhead. A window
/// must be at least this long, so that scoring ends before the next window closes.
pub fn scoring_cycles(classes: u32, features: u32) -> u64 {
    u64::from(classes) * (u64::from(features) + 1) + u64::from(READOUT_OVERHEAD_CYCLES)
}

pub(super) fn build_readout(
    d: &Design,
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
    let features_total: u64 = features.iter().map(|(_, r)| (r.end - r.start) as u64).sum();
    let fits = limits::check_readout_size(r.classes, r.bins, features_total, p);
    let n_features = features_total.min(u32::MAX as u64) as u32;
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
    let matrix = match (r.decision, &r.weights) {
        (Decision::Linear, None) => {
            p.push_help(
                codes::MATRIX,
                "fpga.readout.weights",
                "a linear readout needs its weights",
                "give `weights:` (inline, file or random), or `decision: first_spike` for a TTFS network",
            );
            None
        }
        (Decision::FirstSpike, Some(_)) => {
            p.push_help(
                codes::MATRIX,
                "fpga.readout.weights",
                "a first_spike readout has no weights",
                "leave `weights:` out: the first feature to spike is the class",
            );
            None
        }
        (Decision::FirstSpike, None) => {
            if u64::from(r.classes) != features_total && features.len() == r.features.len() {
                p.push_help(
                    codes::MATRIX,
                    "fpga.readout.classes",
                    format!(
                        "a first_spike readout has one class per feature: {} classes, {features_total} features",
                        r.classes
                    ),
                    "make `classes` the number of output neurons",
                );
            }
            None
        }
        (Decision::Linear, Some(m)) => Some(m),
    };
    let weights = match matrix {
        Some(m) if fits => {
            resolve_matrix(m, r.classes as usize, columns, base_dir).unwrap_or_else(|e| {
                // A shape is worth checking only against features that all resolved.
                if bins_valid && features.len() == r.features.len() {
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
            })
        }
        _ => Vec::new(),
    };
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
    let scoring = scoring_cycles(r.classes, n_features);
    if r.decision == Decision::Linear && u64::from(r.window_cycles) < scoring {
        p.push_help(
            codes::WINDOW,
            "fpga.readout.window_cycles",
            format!(
                "a window of {} cycles is too short: the readout needs {scoring} cycles ({} classes x ({n_features} features + 1) + {READOUT_OVERHEAD_CYCLES}) to score it",
                r.window_cycles, r.classes
            ),
            "make the window at least classes x (features + 1) + 4 cycles",
        );
    }
    ReadoutIr {
        features,
        classes: r.classes,
        decision: r.decision,
        window_cycles: r.window_cycles,
        bins: r.bins,
        count_bits: r.count_bits,
        format,
        weights,
    }
}
