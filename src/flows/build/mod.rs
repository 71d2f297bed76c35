//! `snngen build`: render a design and write its output folder atomically; with
//! `rtl_checks`, lint and synthesize what it wrote.

pub mod rtl_checks;

use crate::compiler::design::{FpgaDevice, load_design};
use crate::compiler::lower::verilog::{VerilogModel, ident};
use crate::compiler::{Rendered, emit, render_loaded, with_readout_weights, with_tile_weights};
use crate::flows::fpga::{self, FpgaReport, FpgaTarget, Implementation};
use crate::support::error::{Error, Result};
use crate::support::fs::{absolute, read_input};
use crate::support::output::write_atomic;
use crate::support::progress::Verbosity;
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
    /// Utilization and timing on the FPGA, when built with `--fpga`.
    #[serde(flatten)]
    pub fpga: Option<FpgaReport>,
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
    /// Also place and route for an FPGA and write the bitstream into `fpga/`.
    pub fpga: Option<&'a FpgaRequest>,
}

/// `build --fpga`: the device (else the design's `fpga.device`), and pins to use instead
/// of the generated ones.
#[derive(Debug, Clone, Default)]
pub struct FpgaRequest {
    pub device: Option<FpgaDevice>,
    pub pcf: Option<PathBuf>,
    pub verbosity: Verbosity,
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
    // Bad FPGA input (no device, an unreadable pin file, a missing tool) stops before
    // anything runs or is written.
    let target = match inputs.fpga {
        Some(request) => Some(fpga_target(&r, request, path)?),
        None => None,
    };
    let fpga = target.map(|t| place_and_route(&r, &t));
    // A design that does not fit still gets its folder, without fpga/: its RTL is sound.
    let (fpga_files, fpga_report) = match fpga {
        Some(Ok(imp)) => (imp.files, Some(imp.report)),
        Some(Err(e @ Error::DoesNotFit(_))) => {
            write_folder(&out, &r, &[], None)?;
            return Err(e);
        }
        Some(Err(e)) => return Err(e),
        None => (Vec::new(), None),
    };
    write_folder(&out, &r, &fpga_files, fpga_report.as_ref())?;
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
        files: r.files.len() + fpga_files.len(),
        bytes: r.files.iter().map(|f| f.contents.len()).sum::<usize>()
            + fpga_files.iter().map(|(_, b)| b.len()).sum::<usize>(),
        seconds: start.elapsed().as_secs_f64(),
        fpga: fpga_report,
    };
    Ok((summary, r))
}

/// The rendered files plus the FPGA's, with a manifest over all of them, as the whole
/// content of `out`.
fn write_folder(
    out: &Path,
    r: &Rendered,
    fpga_files: &[(String, Vec<u8>)],
    fpga: Option<&FpgaReport>,
) -> Result<()> {
    let mut files: Vec<(&str, &[u8])> = r
        .files
        .iter()
        .filter(|f| f.path != emit::MANIFEST)
        .map(|f| (f.path.as_str(), f.contents.as_bytes()))
        .chain(fpga_files.iter().map(|(p, b)| (p.as_str(), b.as_slice())))
        .collect();
    // The manifest keeps what the same design always gives: not the tools' run times.
    let fpga_json = fpga.map(|f| {
        let mut v = serde_json::to_value(f).expect("report serializes");
        if let Some(m) = v.as_object_mut() {
            m.remove("yosys_seconds");
            m.remove("nextpnr_seconds");
        }
        v
    });
    let manifest = emit::manifest_of(
        &r.verilog.prefix,
        &r.design_hash,
        &files,
        fpga_json.as_ref(),
    );
    files.push((emit::MANIFEST, manifest.contents.as_bytes()));
    write_atomic(out, files)
}

/// What `--fpga` builds for: the device asked for (else the design's), the pin file read,
/// the flow's tools found.
pub fn fpga_target(r: &Rendered, request: &FpgaRequest, design: &Path) -> Result<FpgaTarget> {
    let net = &r.compiled.network;
    let device = request.device.or(net.device).ok_or_else(|| {
        Error::Usage(format!(
            "no FPGA to build for: name one (`build --fpga ice40-hx8k` or ice40-up5k, \
             `bench fpga --device ...`), or set fpga.device in {}",
            design.display()
        ))
    })?;
    let pcf = match &request.pcf {
        Some(path) => Some((path.clone(), read_input(path)?)),
        None => None,
    };
    for tool in fpga::FLOW_TOOLS {
        crate::tools::find(tool)?;
    }
    Ok(FpgaTarget {
        device,
        clock_mhz: net.clock_mhz,
        pcf,
        verbosity: request.verbosity,
    })
}

/// Places and routes the rendered RTL for `target`.
pub fn place_and_route(r: &Rendered, target: &FpgaTarget) -> Result<Implementation> {
    let rtl_paths = emit::rtl_paths(&r.verilog);
    let rtl: Vec<(String, String)> = r
        .files
        .iter()
        .filter(|f| rtl_paths.contains(&f.path))
        .map(|f| {
            let name = f.path.rsplit('/').next().unwrap_or(&f.path).to_string();
            (name, f.contents.clone())
        })
        .collect();
    let top = r.verilog.hardware_top();
    fpga::implement(&r.verilog.prefix, &rtl, &top, target)
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
