//! `snngen bench mc`: the Monte-Carlo runner against raw ngspice on the same decks.
//! The decks of `runs` mismatch draws of single_lif's neuron are written once; then a plain
//! shell loop runs them (`for f in *.cir; do ngspice -b $f; done`, each in its own folder as
//! BSIM3 needs), and snngen's runner runs them with 1 and with 2 parallel jobs, parsing and
//! measuring every result as `snngen mc` does.

use crate::build::GENERIC_180_MODELS;
use crate::characterize::{REFERENCE_CURRENT_NA, measure_neuron_with, neuron_deck};
use crate::error::{Error, Result};
use crate::ir::build::builtin_modes;
use crate::mismatch;
use std::time::Instant;

/// CPU seconds (user + system) of this process and of its waited-for children, from
/// /proc/self/stat: unlike wall time, not moved by other load on a shared VM.
fn cpu_seconds() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which ends with ')'): utime is the 14th field overall.
    let rest = stat.rsplit_once(')').map_or("", |r| r.1);
    let f: Vec<f64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    let tick = 100.0; // USER_HZ on Linux
    let get = |i: usize| f.get(i).copied().unwrap_or(0.0) / tick;
    // rest[0] is field 3 (state); utime=14, stime=15, cutime=16, cstime=17.
    (get(11) + get(12), get(13) + get(14))
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct McBench {
    pub runs: u32,
    pub shell_loop_s: f64,
    /// The same decks through `xargs -P2`: what two cores give raw ngspice.
    pub shell_2_parallel_s: f64,
    pub snngen_1_job_s: f64,
    pub snngen_2_jobs_s: f64,
    /// snngen with 1 job over the shell loop, minus 1 (wall time).
    pub overhead: f64,
    /// CPU time of the shell loop's ngspice processes and of snngen's 1-job run (its own
    /// CPU plus its ngspice processes'): the overhead without the VM's timing noise.
    pub shell_cpu_s: f64,
    pub snngen_cpu_s: f64,
    pub cpu_overhead: f64,
    /// 1 job over 2 jobs.
    pub speedup_2_jobs: f64,
}

pub fn run(runs: u32) -> Result<McBench> {
    let mode = &builtin_modes()["regular"];
    let current = REFERENCE_CURRENT_NA * 1e-9;
    let draws: Vec<mismatch::Draw> = (1..=runs as u64).map(|r| mismatch::draw(1, r, 0)).collect();
    let io = |source| Error::Output {
        path: std::env::temp_dir(),
        source,
    };
    let dir = tempfile::tempdir().map_err(io)?;
    for (k, d) in draws.iter().enumerate() {
        let run = dir.path().join(format!("run{k:05}"));
        std::fs::create_dir_all(run.join("models")).map_err(io)?;
        std::fs::write(run.join("models/generic180.lib"), GENERIC_180_MODELS).map_err(io)?;
        let deck = neuron_deck("regular", mode, 0.6, current, 27.0, Some(d))?;
        std::fs::write(run.join("neuron.cir"), deck).map_err(io)?;
    }
    let (_, children_before) = cpu_seconds();
    let start = Instant::now();
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg("for d in run*/; do (cd \"$d\" && ngspice -b neuron.cir >/dev/null 2>&1); done")
        .current_dir(dir.path())
        .status()
        .map_err(io)?;
    let shell_loop_s = start.elapsed().as_secs_f64();
    let shell_cpu_s = cpu_seconds().1 - children_before;
    if !status.success() {
        return Err(Error::Usage("the shell loop over the decks failed".into()));
    }
    let start = Instant::now();
    std::process::Command::new("sh")
        .arg("-c")
        .arg("ls -d run*/ | xargs -P2 -I{} sh -c 'cd {} && ngspice -b neuron.cir >/dev/null 2>&1'")
        .current_dir(dir.path())
        .status()
        .map_err(io)?;
    let shell_2_parallel_s = start.elapsed().as_secs_f64();
    let timed = |jobs: usize| -> Result<f64> {
        let start = Instant::now();
        for r in crate::characterize::parallel(&draws, jobs, |d| {
            measure_neuron_with("regular", mode, 0.6, current, 27.0, Some(d))
        }) {
            r?;
        }
        Ok(start.elapsed().as_secs_f64())
    };
    let (own_before, children_before) = cpu_seconds();
    let one = timed(1)?;
    let (own_after, children_after) = cpu_seconds();
    let snngen_cpu_s = (own_after - own_before) + (children_after - children_before);
    let two = timed(2)?;
    Ok(McBench {
        runs,
        shell_loop_s,
        shell_2_parallel_s,
        snngen_1_job_s: one,
        snngen_2_jobs_s: two,
        overhead: one / shell_loop_s - 1.0,
        shell_cpu_s,
        snngen_cpu_s,
        cpu_overhead: snngen_cpu_s / shell_cpu_s - 1.0,
        speedup_2_jobs: one / two,
    })
}

impl McBench {
    pub fn table(&self) -> String {
        format!(
            "Monte-Carlo runner vs raw ngspice: {} single-neuron mismatch decks at 1 nA\n\
             \x20 plain shell loop (sequential)   {:>7.2} s  {:>6.1} runs/s\n\
             \x20 shell, xargs -P2                {:>7.2} s  {:>6.1} runs/s  speed-up {:.2}x\n\
             \x20 snngen runner, 1 job            {:>7.2} s  {:>6.1} runs/s  overhead {:+.1} %\n\
             \x20 snngen runner, 2 jobs           {:>7.2} s  {:>6.1} runs/s  speed-up {:.2}x\n\
             \x20 CPU time: shell loop {:.2} s, snngen 1 job {:.2} s (own + ngspice): overhead {:+.1} %\n",
            self.runs,
            self.shell_loop_s,
            self.runs as f64 / self.shell_loop_s,
            self.shell_2_parallel_s,
            self.runs as f64 / self.shell_2_parallel_s,
            self.shell_loop_s / self.shell_2_parallel_s,
            self.snngen_1_job_s,
            self.runs as f64 / self.snngen_1_job_s,
            self.overhead * 100.0,
            self.snngen_2_jobs_s,
            self.runs as f64 / self.snngen_2_jobs_s,
            self.speedup_2_jobs,
            self.shell_cpu_s,
            self.snngen_cpu_s,
            self.cpu_overhead * 100.0
        )
    }
}
