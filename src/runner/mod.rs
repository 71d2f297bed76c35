//! External tools, one module each: finding the tool, running it in a folder, and turning
//! its failures into typed errors that carry the tail of its output.

pub mod iverilog;
pub mod ngspice;
pub mod verilator;
pub mod yosys;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const INSTALL_HINT: &str = "install the simulators with `apt-get install -y verilator ngspice yosys iverilog ccache` (scripts/test does this)";

#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    #[error("`{tool}` was not found on PATH: {INSTALL_HINT}")]
    Missing { tool: String },
    #[error("could not run `{tool}`: {source}")]
    Io {
        tool: String,
        source: std::io::Error,
    },
    #[error("`{command}` failed ({status}):\n{excerpt}")]
    Failed {
        command: String,
        status: String,
        excerpt: String,
    },
    #[error("{tool}: {message}\n{excerpt}")]
    Simulation {
        tool: String,
        message: String,
        excerpt: String,
    },
}

/// Full path of `tool` on PATH.
pub fn find(tool: &str) -> Result<PathBuf, ToolError> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(tool))
        .find(|p| p.is_file())
        .ok_or_else(|| ToolError::Missing {
            tool: tool.to_string(),
        })
}

/// The last `n` lines of a tool's stdout and stderr, for error messages.
pub fn tail(output: &Output, n: usize) -> String {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Runs `tool args` in `dir`; a non-zero exit is an error with the output's tail.
pub fn run(tool: &str, args: &[String], dir: &Path) -> Result<Output, ToolError> {
    run_with_env(tool, args, dir, &[])
}

pub fn run_with_env(
    tool: &str,
    args: &[String],
    dir: &Path,
    env: &[(&str, &str)],
) -> Result<Output, ToolError> {
    let output = spawn(tool, args, dir, env)?;
    if !output.status.success() {
        return Err(ToolError::Failed {
            command: format!("{tool} {}", args.join(" ")),
            status: output.status.to_string(),
            excerpt: tail(&output, 40),
        });
    }
    Ok(output)
}

/// Runs a tool and returns its output whatever its exit status.
pub fn spawn(
    tool: &str,
    args: &[String],
    dir: &Path,
    env: &[(&str, &str)],
) -> Result<Output, ToolError> {
    let exe = find(tool)?;
    let mut cmd = Command::new(exe);
    cmd.args(args).current_dir(dir);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().map_err(|source| ToolError::Io {
        tool: tool.to_string(),
        source,
    })
}

/// Paths as strings for command lines.
pub fn path_args(paths: &[PathBuf]) -> Vec<String> {
    paths.iter().map(|p| p.display().to_string()).collect()
}

/// Runs `exe args` in `dir`, handing each line of its standard output to `on_line` as it
/// arrives (for progress), and returns the whole output. A non-zero exit is an error.
pub fn run_streaming(
    exe: &Path,
    args: &[String],
    dir: &Path,
    mut on_line: impl FnMut(&str),
) -> Result<String, ToolError> {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let name = exe.display().to_string();
    let io = |source| ToolError::Io {
        tool: name.clone(),
        source,
    };
    let mut child = Command::new(exe)
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(io)?;
    let mut stdout = String::new();
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines() {
            let line = line.map_err(io)?;
            on_line(&line);
            stdout.push_str(&line);
            stdout.push('\n');
        }
    }
    let output = child.wait_with_output().map_err(io)?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let lines: Vec<&str> = stdout.lines().chain(stderr.lines()).collect();
        return Err(ToolError::Failed {
            command: format!("{name} {}", args.join(" ")),
            status: output.status.to_string(),
            excerpt: lines[lines.len().saturating_sub(40)..].join("\n"),
        });
    }
    Ok(stdout)
}
