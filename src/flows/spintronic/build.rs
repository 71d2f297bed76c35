//! `snngen build` of a spintronic design: the learning core's RTL and testbench, the device
//! macro-models, the device card used and a manifest, written atomically; optionally linted
//! (Verilator -Wall, yosys check) and synthesized for the iCE40.

use super::rtl::core_files;
use super::setup::SpinSetup;
use crate::compiler::emit::{EmittedFile, manifest};
use crate::flows::build::default_out_dir;
use crate::support::error::{Error, Result};
use crate::support::hash::sha256_hex;
use crate::support::output::write_atomic;
use crate::tools::yosys::SynthStats;
use crate::tools::{verilator, yosys};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// What a spintronic build wrote.
#[derive(Debug, Clone, Serialize)]
pub struct SpinBuildSummary {
    pub design: String,
    pub out_dir: PathBuf,
    pub files: usize,
    pub bytes: usize,
    pub inputs: usize,
    pub card: String,
    /// Numbers of the card that are assumptions, of all its numbers.
    pub assumed_numbers: (usize, usize),
    /// The core's top module and its RTL file, inside the output folder.
    pub top: String,
    pub rtl: String,
}

pub fn build(path: &Path, out: Option<&Path>) -> Result<(SpinBuildSummary, SpinSetup)> {
    let setup = SpinSetup::load(path)?;
    let name = setup.design.name.clone();
    let (view, mut files) = core_files(&name, &setup.card.name, &setup.core(0))?;
    let rtl = files[0].path.clone();
    files.push(EmittedFile {
        path: "device_card.yaml".into(),
        contents: setup.card_text.clone(),
    });
    let hash = sha256_hex(format!("{}\n{}", setup.design_text, setup.card_text).as_bytes());
    files.push(manifest(&name, &hash[..16], &files));
    let out_dir = out.map_or_else(|| default_out_dir(&name), Path::to_path_buf);
    write_atomic(
        &out_dir,
        files
            .iter()
            .map(|f| (f.path.as_str(), f.contents.as_bytes())),
    )?;
    let numbers = setup.card.numbers();
    let summary = SpinBuildSummary {
        design: name,
        out_dir,
        files: files.len(),
        bytes: files.iter().map(|f| f.contents.len()).sum(),
        inputs: setup.inputs(),
        card: setup.card.name.clone(),
        assumed_numbers: (
            numbers
                .iter()
                .filter(|(f, _)| setup.card.is_assumed(f))
                .count(),
            numbers.len(),
        ),
        top: format!("{}_spin_core", view.prefix),
        rtl,
    };
    Ok((summary, setup))
}

fn rtl_path(s: &SpinBuildSummary) -> Result<PathBuf> {
    std::path::absolute(s.out_dir.join(&s.rtl)).map_err(|e| Error::Read {
        path: s.out_dir.clone(),
        reason: e.to_string(),
    })
}

fn scratch() -> Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix("snngen-spin-check-")
        .tempdir()
        .map_err(|source| Error::Output {
            path: std::env::temp_dir(),
            source,
        })
}

/// Verilator -Wall lint and yosys `check -assert` of the built core.
pub fn lint(s: &SpinBuildSummary) -> Result<()> {
    let files = [rtl_path(s)?];
    let dir = scratch()?;
    verilator::lint(&files, &s.top, dir.path())?;
    yosys::check(&files, &s.top, dir.path())?;
    Ok(())
}

/// yosys `synth_ice40` of the built core.
pub fn synthesize(s: &SpinBuildSummary) -> Result<SynthStats> {
    let dir = scratch()?;
    Ok(yosys::synth_ice40(&[rtl_path(s)?], &s.top, dir.path())?)
}
