//! Icarus Verilog: compile with `iverilog -g2012` and run with `vvp`.

use super::{ToolError, path_args, run};
use std::path::{Path, PathBuf};

/// Compiles `files` with `top` as root in `dir` and returns the simulation's standard output.
pub fn simulate(files: &[PathBuf], top: &str, dir: &Path) -> Result<String, ToolError> {
    let image = compile(files, top, dir)?;
    let out = run("vvp", &["-n".into(), image.display().to_string()], dir)?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Compiles `files` into a vvp image in `dir` and returns its path.
pub fn compile(files: &[PathBuf], top: &str, dir: &Path) -> Result<PathBuf, ToolError> {
    compile_with(files, top, dir, &[])
}

/// `compile` with extra flags (e.g. `-D` defines).
pub fn compile_with(
    files: &[PathBuf],
    top: &str,
    dir: &Path,
    extra: &[&str],
) -> Result<PathBuf, ToolError> {
    let image = dir.join(format!("{top}.vvp"));
    let mut args: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
    args.extend([
        "-g2012".into(),
        "-s".into(),
        top.into(),
        "-o".into(),
        image.display().to_string(),
    ]);
    args.extend(path_args(files));
    run("iverilog", &args, dir)?;
    Ok(image)
}
