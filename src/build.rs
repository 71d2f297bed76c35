//! `snngen build` and `snngen check` as library functions: load, check, run the passes,
//! lower, render, and write the output folder atomically.

use crate::design::{LoadedDesign, load_design};
use crate::emit::{self, EmittedFile};
use crate::error::{Error, Result};
use crate::lower::{self, Header};
use crate::passes::{self, Compiled};
use crate::{ir, output};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The bundled generic 180 nm BSIM3v3.3 cards, copied into every output's `spice/models/`.
pub const GENERIC_180_MODELS: &str = include_str!("../sim/models/generic180.lib");

/// Loads and checks a design and runs every pass.
pub fn compile(path: &Path) -> Result<(LoadedDesign, Compiled)> {
    compile_loaded(load_design(path).map_err(Error::Input)?)
}

/// Checks an already loaded (possibly edited, e.g. retrained) design and runs every pass.
pub fn compile_loaded(loaded: LoadedDesign) -> Result<(LoadedDesign, Compiled)> {
    let network = ir::build(&loaded).map_err(Error::Input)?;
    Ok((loaded, passes::compile(network)))
}

/// Points a loaded design's readout at the weight matrix in `csv` (what `snngen train`
/// writes), as if the design named that file.
pub fn with_readout_weights(mut loaded: LoadedDesign, csv: &Path) -> LoadedDesign {
    loaded.design.fpga.readout.weights = crate::design::Matrix {
        file: Some(absolute(csv).display().to_string()),
        ..Default::default()
    };
    loaded
}

/// sha256 over the design text and every weight file it names, so that editing a CSV file
/// changes the hash (and invalidates anything cached under it).
pub fn design_hash(loaded: &LoadedDesign) -> String {
    let base = Path::new(&loaded.file).parent().unwrap_or(Path::new("."));
    let d = &loaded.design;
    let mut bytes = loaded.text.as_bytes().to_vec();
    let matrices = d
        .chips
        .iter()
        .flat_map(|c| c.rc_spike.iter().map(|t| &t.weights))
        .chain(std::iter::once(&d.fpga.readout.weights));
    for m in matrices {
        if let Some(f) = &m.file {
            bytes.extend_from_slice(b"\0file\0");
            bytes.extend_from_slice(f.as_bytes());
            bytes.extend_from_slice(&std::fs::read(base.join(f)).unwrap_or_default());
        }
    }
    emit::sha256_hex(&bytes)
}

/// Everything `build` writes, rendered in memory: the view models and the files.
#[derive(Debug)]
pub struct Rendered {
    pub compiled: Compiled,
    pub verilog: lower::verilog::VerilogModel,
    pub files: Vec<EmittedFile>,
}

pub fn render(path: &Path) -> Result<Rendered> {
    render_loaded(load_design(path).map_err(Error::Input)?)
}

pub fn render_loaded(loaded: LoadedDesign) -> Result<Rendered> {
    let (loaded, compiled) = compile_loaded(loaded)?;
    let hash = design_hash(&loaded);
    let header = Header {
        version: env!("CARGO_PKG_VERSION"),
        design: lower::verilog::ident(&compiled.network.name),
        design_hash: hash[..16].to_string(),
    };
    let verilog = lower::verilog::lower(&compiled, &header);
    let decks = lower::spice::lower(&compiled, &header);
    let models = [("generic180.lib".to_string(), GENERIC_180_MODELS.to_string())];
    let mut files = emit::render(&verilog, &decks, &models)?;
    files.push(emit::manifest(&header.design, &hash, &files));
    Ok(Rendered {
        compiled,
        verilog,
        files,
    })
}

/// What a build did, for the summary line.
#[derive(Debug, Clone)]
pub struct BuildSummary {
    pub out_dir: PathBuf,
    pub chips: usize,
    pub neurons: u32,
    pub synapses: usize,
    pub tiles: usize,
    pub route_destinations: usize,
    pub readout_features: u32,
    pub files: usize,
    pub bytes: usize,
    pub elapsed: Duration,
}

/// Default output folder of a design: `out/<name>`.
pub fn default_out_dir(name: &str) -> PathBuf {
    Path::new("out").join(lower::verilog::ident(name))
}

pub fn build(path: &Path, out_dir: Option<&Path>) -> Result<(BuildSummary, Rendered)> {
    build_with(path, None, out_dir)
}

/// `build`, with the readout weights taken from `weights` (a CSV file, e.g. what
/// `snngen train` wrote) instead of the design's own.
pub fn build_with(
    path: &Path,
    weights: Option<&Path>,
    out_dir: Option<&Path>,
) -> Result<(BuildSummary, Rendered)> {
    let start = Instant::now();
    let mut loaded = load_design(path).map_err(Error::Input)?;
    if let Some(w) = weights {
        loaded = with_readout_weights(loaded, w);
    }
    let r = render_loaded(loaded)?;
    let net = &r.compiled.network;
    let out = out_dir
        .map(Path::to_path_buf)
        .unwrap_or_else(|| default_out_dir(&net.name));
    output::write_atomic(&out, &r.files)?;
    let summary = BuildSummary {
        out_dir: out,
        chips: net.chips.len(),
        neurons: net.neuron_count(),
        synapses: net.synapse_count(),
        tiles: net.chips.iter().map(|c| c.tiles.len()).sum(),
        route_destinations: r.compiled.routing.destination_count(),
        readout_features: net.feature_count(),
        files: r.files.len(),
        bytes: r.files.iter().map(|f| f.contents.len()).sum(),
        elapsed: start.elapsed(),
    };
    Ok((summary, r))
}

/// Absolute paths of the RTL files of a build in `out_dir`, leaves first.
pub fn rtl_files(out_dir: &Path, v: &lower::verilog::VerilogModel) -> Vec<PathBuf> {
    emit::rtl_paths(v)
        .iter()
        .map(|p| absolute(&out_dir.join(p)))
        .collect()
}

/// Absolute form of a path (Verilator's C++ harness and tools run in other folders).
pub fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}
