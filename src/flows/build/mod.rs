//! `snngen build`: render a design and write its output folder atomically; with
//! `rtl_checks`, lint and synthesize what it wrote.

pub mod rtl_checks;

use crate::compiler::design::load_design;
use crate::compiler::lower::verilog::{VerilogModel, ident};
use crate::compiler::{Rendered, emit, render_loaded, with_readout_weights, with_tile_weights};
use crate::support::error::{Error, Result};
use crate::support::fs::absolute;
use crate::support::output::write_atomic;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// One tile as the netlist holds it.
#[derive(Debug, Clone, Serialize)]
pub struct CrossbarSummary {
    pub tile: String,
    pub inputs: u32,
    pub outputs: u32,
    /// Resistor + diode pairs (non-zero weights on the tile's levels).
    pub crosspoints: usize,
    /// Smallest and largest crosspoint resistance (GOhm).
    pub r_min_gohm: f64,
    pub r_max_gohm: f64,
}

impl CrossbarSummary {
    fn of(t: &crate::compiler::ir::TileIr) -> CrossbarSummary {
        let weights: Vec<f64> = t
            .weights
            .iter()
            .flatten()
            .map(|w| w.abs())
            .filter(|&w| w > 0.0)
            .collect();
        let (lo, hi) = weights
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(lo, hi), &w| {
                (lo.min(w), hi.max(w))
            });
        CrossbarSummary {
            tile: t.name.clone(),
            inputs: t.inputs,
            outputs: t.outputs,
            crosspoints: weights.len(),
            r_min_gohm: t.r_unit_gohm / hi,
            r_max_gohm: t.r_unit_gohm / lo,
        }
    }
}

/// What a build did, for the summary lines.
#[derive(Debug, Clone, Serialize)]
pub struct BuildSummary {
    pub design: String,
    pub out_dir: PathBuf,
    pub chips: usize,
    pub neurons: u32,
    pub synapses: usize,
    pub tiles: usize,
    /// Each tile's devices and resistor range.
    pub crossbars: Vec<CrossbarSummary>,
    pub route_sources: u32,
    pub route_destinations: usize,
    pub readout_features: u32,
    pub readout_classes: u32,
    pub readout_bins: u32,
    pub files: usize,
    pub bytes: usize,
    pub seconds: f64,
}

pub fn build(path: &Path, out_dir: Option<&Path>) -> Result<(BuildSummary, Rendered)> {
    build_with(path, &BuildInputs::default(), out_dir)
}

/// Trained weights that replace the design's own in a build.
#[derive(Debug, Clone, Copy, Default)]
pub struct BuildInputs<'a> {
    /// Readout weights (a CSV file, e.g. what `snngen train` wrote for a reservoir).
    pub readout_weights: Option<&'a Path>,
    /// A TTFS model folder: its `<tile>.csv` weights go onto the crossbars.
    pub model: Option<&'a Path>,
}

/// `build`, with trained weights instead of the design's own.
pub fn build_with(
    path: &Path,
    inputs: &BuildInputs,
    out_dir: Option<&Path>,
) -> Result<(BuildSummary, Rendered)> {
    let start = Instant::now();
    let mut loaded = load_design(path).map_err(Error::Input)?;
    if let Some(w) = inputs.readout_weights {
        loaded = with_readout_weights(loaded, w);
    }
    if let Some(m) = inputs.model {
        loaded = with_tile_weights(loaded, m);
    }
    let unweighted = loaded
        .design
        .chips
        .iter()
        .flat_map(|c| &c.rc_spike)
        .find(|t| t.weights.is_none());
    if let Some(t) = unweighted {
        return Err(Error::Usage(format!(
            "tile `{}` of {} has no weights: give `--model DIR`, a folder `snngen train` wrote for this design",
            t.name,
            path.display()
        )));
    }
    let r = render_loaded(loaded)?;
    let net = &r.compiled.network;
    let out = out_dir
        .map(Path::to_path_buf)
        .unwrap_or_else(|| default_out_dir(&net.name));
    write_atomic(
        &out,
        r.files
            .iter()
            .map(|f| (f.path.as_str(), f.contents.as_str())),
    )?;
    let summary = BuildSummary {
        design: net.name.clone(),
        out_dir: out,
        chips: net.chips.len(),
        neurons: net.neuron_count(),
        synapses: net.synapse_count(),
        tiles: net.chips.iter().map(|c| c.tiles.len()).sum(),
        crossbars: net
            .chips
            .iter()
            .flat_map(|c| &c.tiles)
            .map(CrossbarSummary::of)
            .collect(),
        route_sources: r.compiled.layout.total_sources,
        route_destinations: r.compiled.routing.destination_count(),
        readout_features: net.feature_count(),
        readout_classes: net.readout.classes,
        readout_bins: net.readout.bins,
        files: r.files.len(),
        bytes: r.files.iter().map(|f| f.contents.len()).sum(),
        seconds: start.elapsed().as_secs_f64(),
    };
    Ok((summary, r))
}

/// Default output folder of a design: `out/<name>`.
pub fn default_out_dir(name: &str) -> PathBuf {
    Path::new("out").join(ident(name))
}

/// Absolute paths of the RTL files of a build in `out_dir`, leaves first.
pub fn rtl_files(out_dir: &Path, v: &VerilogModel) -> Vec<PathBuf> {
    emit::rtl_paths(v)
        .iter()
        .map(|p| absolute(&out_dir.join(p)))
        .collect()
}
