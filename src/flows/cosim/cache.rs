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
/// the cache (yosys takes seconds on small designs, minutes on the large ones). The key holds
/// the yosys script and `yosys -V`, so a changed script or an upgraded yosys synthesizes anew.
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
    let outputs = yosys::SynthOutputs {
        dsp,
        json: false,
        gate_verilog: true,
    };
    let key = format!(
        "gate-netlist-v1 {}\n{}\n",
        yosys::version(work)?,
        yosys::synth_script(files, top, work, outputs)
    );
    let slot = cache.join("gate").join(slot_name(key, files, contents));
    let kept = slot.join(yosys::GATE_VERILOG);
    let netlist = work.join(yosys::GATE_VERILOG);
    if std::fs::copy(&kept, &netlist).is_ok() {
        return Ok(netlist);
    }
    on_synthesis();
    yosys::synth_ice40_with(files, top, work, outputs)?;
    // The cache only saves time: a cache that cannot be written (a read-only home) costs the
    // next run a synthesis, not this one its result.
    let _ = store(&netlist, &slot, &kept);
    Ok(netlist)
}

/// Copies `file` to `kept` in `slot` under a temporary name first and renames it: a
/// concurrent run never reads half a file.
fn store(file: &Path, slot: &Path, kept: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(slot)?;
    let staging = tempfile::NamedTempFile::new_in(slot)?;
    std::fs::copy(file, staging.path())?;
    staging.persist(kept).map(|_| ()).map_err(|e| e.error)
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
