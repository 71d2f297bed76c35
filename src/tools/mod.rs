//! External tools, one module each: finding the tool, running it in a folder with a timeout,
//! and turning its failures into typed errors that carry the tail of its output.
//!
//! Every run goes through `execute`: the tool gets a process group of its own, and a
//! watchdog kills the whole group (the tool and anything it started) when the run outlives
//! its limit, so one hung ngspice fails its own run instead of stalling a sweep.

pub mod iverilog;
pub mod ngspice;
pub mod verilator;
pub mod yosys;

use crate::support::error::{Error, Result as AnyResult};
pub use crate::support::error::{INSTALL_HINT, ToolError};
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

/// How long an ngspice run may take: the longest deck snngen writes runs for seconds.
pub const NGSPICE_TIMEOUT: Duration = Duration::from_secs(600);
/// How long any other tool run may take: Verilator builds and long simulations run for
/// minutes (Icarus takes about 8 minutes for six_chip's 197k-cycle smoke bench).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3600);
/// Environment variable that sets one limit (seconds) for every tool.
pub const TIMEOUT_ENV: &str = "SNNGEN_TOOL_TIMEOUT";

/// One limit for every tool, set by `--tool-timeout` (milliseconds; 0: none set).
static TIMEOUT_OVERRIDE_MS: AtomicU64 = AtomicU64::new(0);

/// Sets one limit (seconds) for every tool run of this process (`--tool-timeout`).
pub fn set_timeout_override(seconds: f64) -> AnyResult<()> {
    let ms = parse_timeout(seconds).map_err(Error::Usage)?;
    TIMEOUT_OVERRIDE_MS.store(ms, Ordering::Relaxed);
    Ok(())
}

/// A limit in whole milliseconds, or why it is not one.
fn parse_timeout(seconds: f64) -> Result<u64, String> {
    if seconds.is_finite() && seconds > 0.0 && seconds <= 1e7 {
        Ok(((seconds * 1e3).ceil() as u64).max(1))
    } else {
        Err(format!(
            "a tool timeout is a number of seconds above 0 (at most 1e7), got {seconds}"
        ))
    }
}

/// The limit of a run of `tool`: `--tool-timeout`, else $SNNGEN_TOOL_TIMEOUT, else the
/// tool's default.
pub fn timeout_for(tool: &str) -> Duration {
    let ms = TIMEOUT_OVERRIDE_MS.load(Ordering::Relaxed);
    if ms > 0 {
        return Duration::from_millis(ms);
    }
    if let Some(ms) = std::env::var(TIMEOUT_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .and_then(|s| parse_timeout(s).ok())
    {
        return Duration::from_millis(ms);
    }
    if tool == "ngspice" {
        NGSPICE_TIMEOUT
    } else {
        DEFAULT_TIMEOUT
    }
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
    check_status(&format!("{tool} {}", args.join(" ")), output)
}

/// `output` when its process exited 0, else an error with the output's tail.
fn check_status(command: &str, output: Output) -> Result<Output, ToolError> {
    if !output.status.success() {
        return Err(ToolError::Failed {
            command: command.to_string(),
            status: output.status.to_string(),
            excerpt: tail(&output, 40),
        });
    }
    Ok(output)
}

/// Runs a tool found on PATH and returns its output whatever its exit status.
pub fn spawn(
    tool: &str,
    args: &[String],
    dir: &Path,
    env: &[(&str, &str)],
) -> Result<Output, ToolError> {
    let mut cmd = Command::new(find(tool)?);
    cmd.args(args).current_dir(dir);
    for (k, v) in env {
        cmd.env(k, v);
    }
    execute(cmd, tool, timeout_for(tool), None)
}

/// Runs a program by path (a built simulation) in `dir`; a non-zero exit is an error.
pub fn run_program(exe: &Path, args: &[String], dir: &Path) -> Result<Output, ToolError> {
    let name = exe.display().to_string();
    let mut cmd = Command::new(exe);
    cmd.args(args).current_dir(dir);
    let output = execute(cmd, &name, timeout_for(&name), None)?;
    check_status(&format!("{name} {}", args.join(" ")), output)
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
    let name = exe.display().to_string();
    let mut cmd = Command::new(exe);
    cmd.args(args).current_dir(dir);
    let output = execute(cmd, &name, timeout_for(&name), Some(&mut on_line))?;
    let output = check_status(&format!("{name} {}", args.join(" ")), output)?;
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Runs `cmd` in a process group of its own with its output captured, lines of standard
/// output handed to `on_line` as they come. A watchdog kills the group after `timeout`: the
/// run is then a `ToolError::Timeout`.
pub fn execute(
    mut cmd: Command,
    name: &str,
    timeout: Duration,
    on_line: Option<&mut dyn FnMut(&str)>,
) -> Result<Output, ToolError> {
    let io = |source| ToolError::Io {
        tool: name.to_string(),
        source,
    };
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut child = cmd.spawn().map_err(io)?;
    let pid = child.id() as i32;
    let timed_out = Arc::new(AtomicBool::new(false));
    let (done, finished) = mpsc::channel::<()>();
    let watchdog = {
        let timed_out = Arc::clone(&timed_out);
        std::thread::spawn(move || {
            if finished.recv_timeout(timeout) == Err(mpsc::RecvTimeoutError::Timeout) {
                timed_out.store(true, Ordering::SeqCst);
                // SAFETY: kill(2) with a negative pid signals the process group the child
                // leads (process_group(0)); the child is not reaped before `done` is sent.
                unsafe {
                    libc::kill(-pid, libc::SIGKILL);
                }
            }
        })
    };
    let mut stderr_pipe = child.stderr.take();
    let stderr = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(pipe) = stderr_pipe.as_mut() {
            let _ = pipe.read_to_end(&mut buf);
        }
        buf
    });
    let mut stdout = Vec::new();
    if let Some(pipe) = child.stdout.take() {
        match on_line {
            Some(f) => {
                for line in BufReader::new(pipe).lines() {
                    let line = line.map_err(io)?;
                    f(&line);
                    stdout.extend_from_slice(line.as_bytes());
                    stdout.push(b'\n');
                }
            }
            None => {
                let mut pipe = pipe;
                pipe.read_to_end(&mut stdout).map_err(io)?;
            }
        }
    }
    let status = child.wait().map_err(io)?;
    let _ = done.send(());
    let _ = watchdog.join();
    let output = Output {
        status,
        stdout,
        stderr: stderr.join().unwrap_or_default(),
    };
    if timed_out.load(Ordering::SeqCst) {
        return Err(ToolError::Timeout {
            command: name.to_string(),
            seconds: timeout.as_secs_f64(),
            excerpt: tail(&output, 20),
        });
    }
    Ok(output)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hung_run_is_killed_with_everything_it_started() {
        let mut cmd = Command::new("sh");
        // The shell's child holds the pipes open: only a group kill ends the run.
        cmd.args(["-c", "echo started; sleep 30 & wait"]);
        let start = std::time::Instant::now();
        let err = execute(cmd, "sh", Duration::from_millis(300), None).unwrap_err();
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{:?}",
            start.elapsed()
        );
        match err {
            ToolError::Timeout {
                seconds, excerpt, ..
            } => {
                assert!((seconds - 0.3).abs() < 1e-9);
                assert!(excerpt.contains("started"), "{excerpt}");
            }
            other => panic!("expected a timeout, got {other}"),
        }
    }

    #[test]
    fn a_quick_run_is_not_disturbed() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo out; echo err >&2; exit 3"]);
        let out = execute(cmd, "sh", Duration::from_secs(60), None).unwrap();
        assert_eq!(out.status.code(), Some(3));
        assert_eq!(out.stdout, b"out\n");
        assert_eq!(out.stderr, b"err\n");
    }

    #[test]
    fn timeouts_are_positive_seconds() {
        assert_eq!(parse_timeout(1.5), Ok(1500));
        assert_eq!(parse_timeout(1e-9), Ok(1));
        assert!(parse_timeout(0.0).is_err());
        assert!(parse_timeout(f64::NAN).is_err());
        assert!(parse_timeout(-3.0).is_err());
        assert!(timeout_for("ngspice") > Duration::ZERO);
    }
}
