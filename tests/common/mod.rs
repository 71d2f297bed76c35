//! Shared test helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// True when `tool` is on PATH. When it is missing: under CI (`CI` set) the test fails,
/// elsewhere it says why and the caller returns early.
pub fn require_tool(tool: &str) -> bool {
    match snngen::tools::find(tool) {
        Ok(_) => true,
        Err(e) => {
            if std::env::var_os("CI").is_some() {
                panic!("CI is set but a required tool is missing: {e}");
            }
            eprintln!("SKIPPED (not under CI): {e}");
            false
        }
    }
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The example designs, sorted.
pub fn example_designs() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("designs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    v.sort();
    v
}

/// `designs/x.yaml` relative to the package root, so diagnostics read the same everywhere.
pub fn relative(path: &Path) -> PathBuf {
    path.strip_prefix(root()).unwrap_or(path).to_path_buf()
}

pub fn stem(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

/// The FSDD recordings (`SNNGEN_FSDD`, default ../shared/data/fsdd/recordings beside the
/// project). When missing: under CI the test fails, elsewhere it says why and returns None.
pub fn fsdd_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("SNNGEN_FSDD")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/data/fsdd/recordings"));
    if dir.is_dir() {
        return Some(dir);
    }
    let why = format!("no FSDD recordings at {} (set SNNGEN_FSDD)", dir.display());
    if std::env::var_os("CI").is_some() {
        panic!("CI is set but {why}");
    }
    eprintln!("SKIPPED (not under CI): {why}");
    None
}
