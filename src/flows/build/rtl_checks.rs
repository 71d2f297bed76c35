//! The checks every emitted RTL must pass (Verilator lint, yosys structural check) and its
//! iCE40 synthesis counts, run on a build's output folder.

use super::rtl_files;
use crate::compiler::Rendered;
use crate::support::error::Result;
use crate::support::fs::scratch_dir;
use crate::tools::{verilator, yosys};
use std::path::{Path, PathBuf};

/// The RTL files of a build, the module that goes on the FPGA (the board-level top when
/// the design has a host link) and a scratch folder for a tool run.
fn rtl_job(out_dir: &Path, r: &Rendered) -> Result<(Vec<PathBuf>, String, tempfile::TempDir)> {
    let dir = scratch_dir("snngen-rtl-")?;
    let top = r.verilog.hardware_top();
    Ok((rtl_files(out_dir, &r.verilog), top, dir))
}

/// Runs the lint and structural checks every emitted RTL must pass.
pub fn lint_rtl(out_dir: &Path, r: &Rendered) -> Result<()> {
    let (files, top, dir) = rtl_job(out_dir, r)?;
    verilator::lint(&files, &top, dir.path())?;
    yosys::check(&files, &top, dir.path())?;
    Ok(())
}

/// yosys `synth_ice40` on a build's RTL: LUT, flip-flop and RAM counts.
pub fn synthesize(out_dir: &Path, r: &Rendered) -> Result<yosys::SynthStats> {
    let (files, top, dir) = rtl_job(out_dir, r)?;
    Ok(yosys::synth_ice40(&files, &top, dir.path())?)
}
