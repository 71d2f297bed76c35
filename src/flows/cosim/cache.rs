//! Compiled Verilator models and gate-level netlists, cached by content hash: an unchanged
//! design does not recompile or synthesize again.

use crate::support::error::{Error, Result, ToolError};
use crate::support::fs::create_dir;
use crate::support::hash::sha256_hex;
use crate::tools::{verilator, yosys};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Where compiled simulation models are kept: `$SNNGEN_CACHE_DIR`, else `~/.cache/snngen`.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SNNGEN_CACHE_DIR") {
        return PathBuf::from(dir);
    }
    match std::env::var_os("HOME") {
        Some(home) => PathBuf::from(home).join(".cache/snngen"),
        None => std::env::temp_dir().join("snngen-cache"),
    }
}

/// The cache slot of `key` over `files` (holding `contents`): their names and content hashes.
fn slot_name(mut key: String, files: &[PathBuf], contents: &[String]) -> String {
    for (f, text) in files.iter().zip(contents) {
        let _ = writeln!(
            key,
            "{} {}",
            f.file_name().unwrap_or_default().to_string_lossy(),
            sha256_hex(text.as_bytes())
        );
    }
    sha256_hex(key.as_bytes())[..24].to_string()
}

/// The gate-level netlist (`yosys::GATE_VERILOG`) that `synth_ice40` maps `files` (holding
/// `contents`) to, written into `work`: synthesized there once per content hash, and kept in
/// the cache (yosys takes seconds on small designs, minutes on the large ones). The yosys
/// binary's path, size and time are part of the key, so an upgraded yosys synthesizes anew.
/// `on_synthesis` runs before a synthesis (not for a netlist from the cache).
pub fn cached_gate_netlist(
    files: &[PathBuf],
    contents: &[String],
    top: &str,
    dsp: bool,
    work: &Path,
    cache: &Path,
    on_synthesis: impl FnOnce(),
) -> Result<PathBuf> {
    let yosys = crate::tools::find("yosys")?;
    let stamp = std::fs::metadata(&yosys)
        .map(|m| format!("{} {:?}", m.len(), m.modified().ok()))
        .unwrap_or_default();
    let key = format!(
        "gate-netlist-v1 top={top} dsp={dsp} yosys={} {stamp}\n",
        yosys.display()
    );
    let root = cache.join("gate");
    let kept = root
        .join(slot_name(key, files, contents))
        .join(yosys::GATE_VERILOG);
    let netlist = work.join(yosys::GATE_VERILOG);
    if kept.is_file() {
        copy(&kept, &netlist)?;
        return Ok(netlist);
    }
    let outputs = yosys::SynthOutputs {
        dsp,
        json: false,
        gate_verilog: true,
    };
    on_synthesis();
    yosys::synth_ice40_with(files, top, work, outputs)?;
    // Stored under a temporary name and renamed: a concurrent run never reads half a file.
    let slot = kept.parent().unwrap_or(&root);
    create_dir(slot)?;
    let staging = tempfile::NamedTempFile::new_in(slot).map_err(|source| Error::Output {
        path: slot.to_path_buf(),
        source,
    })?;
    copy(&netlist, staging.path())?;
    staging.persist(&kept).map_err(|e| Error::Output {
        path: kept.clone(),
        source: e.error,
    })?;
    Ok(netlist)
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(|source| Error::Output {
            path: to.to_path_buf(),
            source,
        })
}

/// A Verilator model of `files` (holding `contents`), compiled once per content hash and
/// kept in the cache. Returns the executable and whether it came from the cache.
pub fn cached_verilator_model(
    files: &[PathBuf],
    contents: &[String],
    top: &str,
    trace: bool,
    flags: &[&str],
    cache: &Path,
) -> Result<(PathBuf, bool)> {
    let mut key = format!("verilator-binary-v1 top={top} trace={trace}\n");
    if !flags.is_empty() {
        let _ = writeln!(key, "flags={}", flags.join(" "));
    }
    let root = cache.join("verilator");
    let slot = root.join(slot_name(key, files, contents));
    let exe = slot.join(format!("V{top}"));
    if exe.is_file() {
        return Ok((exe, true));
    }
    create_dir(&root)?;
    let staging = tempfile::Builder::new()
        .prefix(".build-")
        .tempdir_in(&root)
        .map_err(|source| Error::Output {
            path: root.clone(),
            source,
        })?;
    let mdir = staging.path().join("obj");
    let mut extra = flags.to_vec();
    if trace {
        extra.push("--trace");
    }
    verilator::build_binary_with(files, top, &mdir, &extra)?;
    // Keep only the executable; a concurrent build of the same key may have won the race.
    let built = mdir.join(format!("V{top}"));
    let keep = staging.path().join("keep");
    create_dir(&keep)?;
    std::fs::rename(&built, keep.join(format!("V{top}"))).map_err(|source| Error::Output {
        path: built.clone(),
        source,
    })?;
    if std::fs::rename(&keep, &slot).is_err() && !exe.is_file() {
        return Err(Error::Tool(ToolError::Simulation {
            tool: "verilator".into(),
            message: format!("could not store the compiled model in {}", slot.display()),
            excerpt: String::new(),
        }));
    }
    Ok((exe, false))
}
