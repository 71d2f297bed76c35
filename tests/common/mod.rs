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

/// True when `python3` imports `module` (scripts/test installs the Python packages the tests
/// use in its venv, first on PATH); when it does not, as `require_tool`.
pub fn require_python_module(module: &str) -> bool {
    if !require_tool("python3") {
        return false;
    }
    let ok = std::process::Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        if std::env::var_os("CI").is_some() {
            panic!("CI is set but python3 cannot import {module} (scripts/test installs it)");
        }
        eprintln!("SKIPPED (not under CI): python3 cannot import {module}");
    }
    ok
}

/// Runs the snngen binary in the package root: exit code, stdout, stderr.
pub fn snngen(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_snngen"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
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

/// Whether a design file is a TTFS network.
pub fn is_ttfs(design: &Path) -> bool {
    snngen::compiler::compile(design).is_ok_and(|(_, c)| c.network.ttfs.is_some())
}

/// `designs/x.yaml` relative to the package root, so diagnostics read the same everywhere.
pub fn relative(path: &Path) -> PathBuf {
    path.strip_prefix(root()).unwrap_or(path).to_path_buf()
}

pub fn stem(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

/// The FSDD recordings (`SNNGEN_FSDD`, default ../shared/data/fsdd/recordings).
pub fn fsdd_dir() -> Option<PathBuf> {
    dataset_dir("SNNGEN_FSDD", "fsdd/recordings", "FSDD recordings")
}

/// MNIST's training split in IDX files (`SNNGEN_MNIST`, default ../shared/data/mnist).
pub fn mnist_dir() -> Option<PathBuf> {
    dataset_dir("SNNGEN_MNIST", "mnist", "MNIST files")
}

/// Fashion-MNIST's training split (`SNNGEN_FASHION`, default ../shared/data/fashion-mnist).
pub fn fashion_dir() -> Option<PathBuf> {
    dataset_dir("SNNGEN_FASHION", "fashion-mnist", "Fashion-MNIST files")
}

/// A dataset folder: `$var`, else `shared` under ../shared/data beside the project. When
/// missing: under CI the test fails, elsewhere it says why and returns None.
fn dataset_dir(var: &str, shared: &str, what: &str) -> Option<PathBuf> {
    let dir = std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/data").join(shared));
    if dir.is_dir() {
        return Some(dir);
    }
    let why = format!("no {what} at {} (set {var})", dir.display());
    if std::env::var_os("CI").is_some() {
        panic!("CI is set but {why}");
    }
    eprintln!("SKIPPED (not under CI): {why}");
    None
}
