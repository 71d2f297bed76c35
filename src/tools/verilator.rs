//! Verilator: lint and `--binary` builds (timing-enabled testbenches).

use super::{ToolError, find, path_args, run, run_with_env};
use std::path::{Path, PathBuf};

/// `verilator --lint-only -Wall` on `files` with `top` as top module.
pub fn lint(files: &[PathBuf], top: &str, dir: &Path) -> Result<(), ToolError> {
    let mut args: Vec<String> = ["--lint-only", "-Wall", "--top-module", top]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.extend(path_args(files));
    run("verilator", &args, dir).map(|_| ())
}

/// Builds a simulation binary with `--binary` in `mdir` and returns its path.
/// Uses ccache when it is installed: an unchanged model then rebuilds in a fraction of a second.
pub fn build_binary(files: &[PathBuf], top: &str, mdir: &Path) -> Result<PathBuf, ToolError> {
    build_binary_with(files, top, mdir, &[])
}

/// `build_binary` with extra Verilator flags (e.g. `--trace`).
pub fn build_binary_with(
    files: &[PathBuf],
    top: &str,
    mdir: &Path,
    extra: &[&str],
) -> Result<PathBuf, ToolError> {
    let mut args: Vec<String> = ["--binary", "-j", "2", "--top-module", top]
        .iter()
        .chain(extra)
        .map(|s| s.to_string())
        .collect();
    args.push("--Mdir".into());
    args.push(mdir.display().to_string());
    args.extend(path_args(files));
    let ccache = find("ccache").is_ok();
    let env: &[(&str, &str)] = if ccache {
        &[("OBJCACHE", "ccache")]
    } else {
        &[]
    };
    run_with_env("verilator", &args, mdir.parent().unwrap_or(mdir), env)?;
    Ok(mdir.join(format!("V{top}")))
}

/// Runs a built simulation and returns its standard output.
pub fn run_binary(binary: &Path) -> Result<String, ToolError> {
    let dir = binary.parent().unwrap_or(Path::new("."));
    let output = super::run_program(binary, &[], dir)?;
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
