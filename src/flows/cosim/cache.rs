//! Compiled Verilator models, cached by content hash: an unchanged design does not recompile.

use crate::support::error::{Error, Result, ToolError};
use crate::support::fs::create_dir;
use crate::support::hash::sha256_hex;
use crate::tools::verilator;
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
    for (f, text) in files.iter().zip(contents) {
        let _ = writeln!(
            key,
            "{} {}",
            f.file_name().unwrap_or_default().to_string_lossy(),
            sha256_hex(text.as_bytes())
        );
    }
    let root = cache.join("verilator");
    let slot = root.join(&sha256_hex(key.as_bytes())[..24]);
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
