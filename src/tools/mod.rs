//! External tools, one module each: finding the tool, running it in a folder with a timeout,
//! and turning its failures into typed errors that carry the tail of its output.
//!
//! Every run goes through `execute`: the tool gets a process group of its own, and a
//! watchdog kills the whole group (the tool and anything it started) when the run outlives
//! its limit, so one hung ngspice fails its own run instead of stalling a sweep.

pub mod iverilog;
pub mod nextpnr;
pub mod ngspice;
pub mod slurm;
pub mod verilator;
pub mod yosys;

use crate::support::error::{Error, Result as AnyResult};
pub use crate::support::error::{INSTALL_HINT, ToolError};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

/// How long an ngspice run may take: the longest deck snngen writes runs for seconds.
pub const NGSPICE_TIMEOUT: Duration = Duration::from_secs(600);
/// How long any other tool run may take: Verilator builds and long simulations run for
/// minutes (Icarus takes about 8 minutes for six_chip's 197k-cycle smoke bench).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3600);
/// Environment variable that sets one limit (seconds) for every tool.
pub const TIMEOUT_ENV: &str = "SNNGEN_TOOL_TIMEOUT";

/// Process groups of the tool runs in flight, so that an interrupted snngen takes them along.
static LIVE_GROUPS: Mutex<BTreeSet<libc::pid_t>> = Mutex::new(BTreeSet::new());

/// On Ctrl-C, SIGTERM or SIGHUP: kill every tool run in flight (with everything it started),
/// remove the staging folders of output being written, then exit 130. The command line installs it; a library user may, or may handle the
/// signals itself. Without it a tool still dies with snngen, but not what the tool started.
pub fn kill_tools_on_interrupt() -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    std::thread::spawn(move || {
        if signals.forever().next().is_some() {
            for group in LIVE_GROUPS.lock().unwrap_or_else(|e| e.into_inner()).iter() {
                // SAFETY: kill(2) on a group whose leader is not reaped yet (it leaves
                // LIVE_GROUPS before it is reaped).
                unsafe {
                    libc::kill(-group, libc::SIGKILL);
                }
            }
            // Job arrays submitted and still running would go on with nobody collecting.
            slurm::cancel_live_arrays();
            // Half-written output folders go too.
            crate::support::output::clean_staging();
            std::process::exit(130);
        }
    });
    Ok(())
}

/// One limit for every tool, set by `--tool-timeout` (milliseconds; 0: none set).
static TIMEOUT_OVERRIDE_MS: AtomicU64 = AtomicU64::new(0);

/// Sets one limit (seconds) for every tool run of this process (`--tool-timeout`).
pub fn set_timeout_override(seconds: f64) -> AnyResult<()> {
    let ms = parse_timeout(seconds).map_err(Error::Usage)?;
    TIMEOUT_OVERRIDE_MS.store(ms, Ordering::Relaxed);
    Ok(())
}

/// An error when $SNNGEN_TOOL_TIMEOUT is set but is no limit (the command line checks it
/// first; `timeout_for` would fall back to the defaults).
pub fn check_timeout_env() -> AnyResult<()> {
    match std::env::var(TIMEOUT_ENV) {
        Ok(v) => {
            let seconds = v.trim().parse::<f64>().unwrap_or(f64::NAN);
            parse_timeout(seconds)
                .map(|_| ())
                .map_err(|e| Error::Usage(format!("${TIMEOUT_ENV}=`{v}`: {e}")))
        }
        Err(_) => Ok(()),
    }
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

/// The one limit set for every tool (`--tool-timeout`, else $SNNGEN_TOOL_TIMEOUT), if any.
pub fn timeout_override() -> Option<Duration> {
    let ms = TIMEOUT_OVERRIDE_MS.load(Ordering::Relaxed);
    if ms > 0 {
        return Some(Duration::from_millis(ms));
    }
    std::env::var(TIMEOUT_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .and_then(|s| parse_timeout(s).ok())
        .map(Duration::from_millis)
}

/// The limit of a run of `tool`: the override, else the tool's default.
pub fn timeout_for(tool: &str) -> Duration {
    if let Some(limit) = timeout_override() {
        return limit;
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
    tail_lines(&text, n)
}

/// The last `n` lines of `text`.
pub fn tail_lines(text: &str, n: usize) -> String {
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
    on_line: impl FnMut(&str),
) -> Result<String, ToolError> {
    let limit = timeout_for(&exe.display().to_string());
    run_streaming_limited(exe, args, dir, limit, on_line)
}

/// `run_streaming` killed after `timeout` (a `ToolError::Timeout`).
pub fn run_streaming_limited(
    exe: &Path,
    args: &[String],
    dir: &Path,
    timeout: Duration,
    mut on_line: impl FnMut(&str),
) -> Result<String, ToolError> {
    let name = exe.display().to_string();
    let mut cmd = Command::new(exe);
    cmd.args(args).current_dir(dir);
    let output = execute(cmd, &name, timeout, Some(&mut on_line))?;
    let output = check_status(&format!("{name} {}", args.join(" ")), output)?;
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Runs `cmd` in a process group of its own with its output captured, lines of standard
/// output handed to `on_line` as they come. A watchdog kills the group after `timeout`: the
/// run is then a `ToolError::Timeout`. The tool also dies with snngen (Ctrl-C, a kill): its
/// own group does not get the terminal's signals, so it is tied to its parent instead.
fn execute(
    mut cmd: Command,
    name: &str,
    timeout: Duration,
    on_line: Option<&mut dyn FnMut(&str)>,
) -> Result<Output, ToolError> {
    let io = |source| ToolError::Io {
        tool: name.to_string(),
        source,
    };
    let parent = std::process::id() as libc::pid_t;
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    // SAFETY: the closure runs in the forked child before exec and only makes
    // async-signal-safe calls (prctl, getppid, _exit).
    unsafe {
        cmd.pre_exec(move || {
            // SIGKILL when the thread that spawned us ends: it waits for us, so that is
            // snngen dying. If it died before prctl took effect, go now.
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            if libc::getppid() != parent {
                libc::_exit(1);
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().map_err(io)?;
    let group = child.id() as libc::pid_t;
    live_groups().insert(group);
    let timed_out = Arc::new(AtomicBool::new(false));
    let (done, finished) = mpsc::channel::<()>();
    let watchdog = {
        let timed_out = Arc::clone(&timed_out);
        std::thread::spawn(move || {
            if finished.recv_timeout(timeout) == Err(mpsc::RecvTimeoutError::Timeout) {
                timed_out.store(true, Ordering::SeqCst);
                // SAFETY: kill(2) on the group the child leads (process_group(0)). The
                // child is not reaped before this thread has ended (see below), so the
                // group id cannot have been reused.
                unsafe {
                    libc::kill(-group, libc::SIGKILL);
                }
            }
        })
    };
    // Read everything first: the pipes close when the whole group has exited or been
    // killed, so a grandchild that keeps them open is stopped by the watchdog too.
    let (stdout, stderr, read) = read_output(&mut child, on_line);
    // Wait for the exit without reaping it, stop the watchdog, then reap.
    wait_unreaped(group);
    let _ = done.send(());
    let _ = watchdog.join();
    live_groups().remove(&group);
    let status = child.wait().map_err(io)?;
    read.map_err(io)?;
    let output = Output {
        status,
        stdout,
        stderr,
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

fn live_groups() -> std::sync::MutexGuard<'static, BTreeSet<libc::pid_t>> {
    LIVE_GROUPS.lock().unwrap_or_else(|e| e.into_inner())
}

/// A child's whole standard output (lines handed to `on_line` as they come, invalid UTF-8
/// replaced) and standard error, and the first read error, if any. Both pipes are read to
/// their end whatever happens, so the child never blocks on a full pipe.
fn read_output(
    child: &mut std::process::Child,
    on_line: Option<&mut dyn FnMut(&str)>,
) -> (Vec<u8>, Vec<u8>, std::io::Result<()>) {
    let mut stderr_pipe = child.stderr.take();
    let stderr = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let read = match stderr_pipe.as_mut() {
            Some(pipe) => pipe.read_to_end(&mut buf).map(|_| ()),
            None => Ok(()),
        };
        (buf, read)
    });
    let mut stdout = Vec::new();
    let mut read = Ok(());
    if let Some(pipe) = child.stdout.take() {
        let mut reader = BufReader::new(pipe);
        match on_line {
            Some(f) => loop {
                let start = stdout.len();
                match reader.read_until(b'\n', &mut stdout) {
                    Ok(0) => break,
                    Ok(_) => {
                        let line = String::from_utf8_lossy(&stdout[start..]);
                        f(line.trim_end_matches(['\n', '\r']));
                    }
                    Err(e) => {
                        read = Err(e);
                        break;
                    }
                }
            },
            None => read = reader.read_to_end(&mut stdout).map(|_| ()),
        }
        if read.is_err() {
            // Drain what is left so the child is not stuck writing.
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        }
    }
    let (stderr, stderr_read) = stderr.join().unwrap_or_else(|_| {
        (
            Vec::new(),
            Err(std::io::Error::other("stderr reader panicked")),
        )
    });
    (stdout, stderr, read.and(stderr_read))
}

/// Blocks until process `pid` has exited, leaving it unreaped (a zombie whose id stays
/// taken) so that a concurrent kill of its group cannot hit a reused id.
fn wait_unreaped(pid: libc::pid_t) {
    loop {
        // SAFETY: waitid with WNOWAIT only observes the child's state; `info` is a plain
        // struct it fills in.
        let rc = unsafe {
            let mut info: libc::siginfo_t = std::mem::zeroed();
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOWAIT,
            )
        };
        if rc == 0 || std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            return;
        }
    }
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
