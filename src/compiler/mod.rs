//! The compiler, one folder per stage: `design` (YAML schema and its one loader) -> `ir`
//! (petgraph network, validation reporting every problem) -> `passes` (placement, routing,
//! quantization) -> `lower` (per-target view models: all naming and arithmetic) -> `emit`
//! (askama templates, no logic in them). Text in, text out: no external tools, no output
//! folder (flows::build writes it).
//!
//! This file is the pipeline: `compile` checks a design and runs the passes, `render`
//! lowers and renders every file a build writes, in memory.

pub mod board;
pub mod codes;
pub mod design;
pub mod emit;
pub mod ir;
pub mod lower;
pub mod names;
pub mod passes;

use crate::device::process::GENERIC_180_MODELS;
use crate::support::error::{Error, Result};
use crate::support::fs::absolute;
use crate::support::hash::sha256_hex;
use design::{LoadedDesign, load_design};
use emit::EmittedFile;
use lower::Header;
use passes::Compiled;
use std::path::Path;

/// Loads and checks a design and runs every pass (`snngen check` stops here).
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
    loaded.design.fpga.readout.weights = Some(design::Matrix {
        file: Some(absolute(csv).display().to_string()),
        ..Default::default()
    });
    loaded
}

/// Points the TTFS tiles of a loaded design at a trained model's weight files
/// (`<dir>/<tile>.csv`, what `snngen train` writes), as if the design named them.
pub fn with_tile_weights(mut loaded: LoadedDesign, dir: &Path) -> LoadedDesign {
    let ttfs = loaded.design.fpga.encoder.coding == design::Coding::Ttfs;
    for tile in loaded
        .design
        .chips
        .iter_mut()
        .flat_map(|c| c.rc_spike.iter_mut())
        .filter(|_| ttfs)
    {
        let file = absolute(&dir.join(format!("{}.csv", tile.name)));
        tile.weights = Some(design::Matrix {
            file: Some(file.display().to_string()),
            ..Default::default()
        });
    }
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
        .chain(std::iter::once(&d.fpga.readout.weights))
        .flatten();
    for m in matrices {
        if let Some(f) = &m.file {
            bytes.extend_from_slice(b"\0file\0");
            bytes.extend_from_slice(f.as_bytes());
            bytes.extend_from_slice(&std::fs::read(base.join(f)).unwrap_or_default());
        }
    }
    sha256_hex(&bytes)
}

/// Everything `build` writes, rendered in memory: the view models and the files.
#[derive(Debug)]
pub struct Rendered {
    pub compiled: Compiled,
    pub verilog: lower::verilog::VerilogModel,
    pub files: Vec<EmittedFile>,
    /// The design's content hash (the manifest's `design_hash`).
    pub design_hash: String,
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
    let mut clashes = names::check(&compiled.network, &files);
    clashes.extend(names::check_nodes(&compiled.network, &decks));
    if !clashes.is_empty() {
        return Err(Error::Input(loaded.diagnostics(clashes, 0)));
    }
    files.push(emit::manifest(&header.design, &hash, &files));
    Ok(Rendered {
        compiled,
        verilog,
        files,
        design_hash: hash,
    })
}
