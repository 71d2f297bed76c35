//! `snngen bench mc`: the Monte-Carlo runner against raw ngspice on the same decks.
//! The decks of `runs` mismatch draws of single_lif's neuron are written once; then a plain
//! shell loop runs them (`for f in *.cir; do ngspice -b $f; done`, each in its own folder as
//! BSIM3 needs), `xargs -P2` runs them, and snngen's runner runs them with 1 and with 2
//! parallel jobs, parsing and measuring every result as `snngen mc` does. The four variants
//! run interleaved, `repetitions` times in rotated order, and the table reports medians: a
//! shared VM's slow phases then hit every variant alike instead of whichever ran in them.

use crate::device::mismatch;
use crate::device::process::GENERIC_180_MODELS;
use crate::device::process::builtin_modes;
use crate::flows::measure::{REFERENCE_CURRENT_NA, measure_neuron, neuron_deck};
use crate::support::error::{Error, Result};
use crate::support::parallel::parallel;
use crate::support::progress::{Progress, Verbosity};
use crate::tools;
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

/// The four ways of running the same decks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Variant {
    ShellLoop,
    ShellXargs2,
    Snngen1,
    Snngen2,
}

pub const VARIANTS: [Variant; 4] = [
    Variant::ShellLoop,
    Variant::ShellXargs2,
    Variant::Snngen1,
    Variant::Snngen2,
];

impl Variant {
    pub fn label(self) -> &'static str {
        match self {
            Variant::ShellLoop => "plain shell loop (sequential)",
            Variant::ShellXargs2 => "shell, xargs -P2",
            Variant::Snngen1 => "snngen runner, 1 job",
            Variant::Snngen2 => "snngen runner, 2 jobs",
        }
    }
}

/// One timed run of one variant: wall time and CPU time (user + system of snngen itself
/// and of the ngspice processes it waited for).
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Timing {
    pub variant: Variant,
    pub repetition: usize,
    pub wall_s: f64,
    pub cpu_s: f64,
}

/// Median, minimum and maximum of one variant's repetitions.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    fn of(mut v: Vec<f64>) -> Spread {
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = if n % 2 == 1 {
            v[n / 2]
        } else {
            0.5 * (v[n / 2 - 1] + v[n / 2])
        };
        Spread {
            median,
            min: v[0],
            max: v[n - 1],
        }
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct McBench {
    pub runs: u32,
    pub repetitions: usize,
    /// Every timed run, in the order they ran: the variants interleaved, their order
    /// rotated from one repetition to the next, so slow phases of a shared VM hit them alike.
    pub timings: Vec<Timing>,
    /// Per variant (VARIANTS order): wall and CPU seconds over the repetitions.
    pub wall_s: Vec<Spread>,
    pub cpu_s: Vec<Spread>,
    /// Median over the repetitions of the per-repetition ratios: snngen 1 job over the
    /// shell loop minus 1 (wall and CPU), and 1 job over 2 jobs (wall).
    pub overhead: f64,
    pub cpu_overhead: f64,
    pub speedup_2_jobs: f64,
    pub xargs_speedup: f64,
}

/// Times `runs` decks through each variant, `repetitions` times, interleaved.
/// Most decks and repetitions one benchmark runs.
pub const MAX_RUNS: u32 = 100_000;
pub const MAX_REPETITIONS: usize = 100;

pub fn run(runs: u32, repetitions: usize, verbosity: Verbosity) -> Result<McBench> {
    if !(1..=MAX_RUNS).contains(&runs) || repetitions > MAX_REPETITIONS {
        return Err(Error::Usage(format!(
            "bench mc runs 1 to {MAX_RUNS} decks and at most {MAX_REPETITIONS} repetitions"
        )));
    }
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
        std::fs::write(run.join(&deck.name), &deck.text).map_err(io)?;
    }
    // The raw variants run through the same tool runner (and timeout) as everything else.
    let shell = |script: &str| -> Result<()> {
        tools::run("sh", &["-c".into(), script.into()], dir.path())?;
        Ok(())
    };
    let time = |variant: Variant| -> Result<(f64, f64)> {
        let (own_before, children_before) = cpu_seconds();
        let start = Instant::now();
        match variant {
            Variant::ShellLoop => shell(
                "for d in run*/; do (cd \"$d\" && ngspice -b neuron.cir >/dev/null 2>&1); done",
            )?,
            Variant::ShellXargs2 => shell(
                "ls -d run*/ | xargs -P2 -I{} sh -c 'cd {} && ngspice -b neuron.cir >/dev/null 2>&1'",
            )?,
            Variant::Snngen1 | Variant::Snngen2 => {
                let jobs = if variant == Variant::Snngen1 { 1 } else { 2 };
                for r in parallel(&draws, jobs, |d| {
                    measure_neuron("regular", mode, 0.6, current, 27.0, Some(d))
                }) {
                    r?;
                }
            }
        }
        let wall = start.elapsed().as_secs_f64();
        let (own_after, children_after) = cpu_seconds();
        Ok((
            wall,
            (own_after - own_before) + (children_after - children_before),
        ))
    };
    let mut timings = Vec::new();
    let progress = Progress::new(
        verbosity,
        "timed variants",
        (repetitions.max(1) * VARIANTS.len()) as u64,
    );
    for repetition in 0..repetitions.max(1) {
        for k in 0..VARIANTS.len() {
            let variant = VARIANTS[(k + repetition) % VARIANTS.len()];
            let (wall_s, cpu_s) = time(variant)?;
            progress.inc();
            timings.push(Timing {
                variant,
                repetition,
                wall_s,
                cpu_s,
            });
        }
    }
    let of = |v: Variant, rep: usize| {
        timings
            .iter()
            .find(|t| t.variant == v && t.repetition == rep)
            .expect("every variant ran in every repetition")
    };
    let reps = 0..repetitions.max(1);
    let ratio = |f: &dyn Fn(usize) -> f64| Spread::of(reps.clone().map(f).collect()).median;
    let spread = |v: Variant, cpu: bool| {
        Spread::of(
            reps.clone()
                .map(|r| if cpu { of(v, r).cpu_s } else { of(v, r).wall_s })
                .collect(),
        )
    };
    use Variant::*;
    Ok(McBench {
        runs,
        repetitions: repetitions.max(1),
        wall_s: VARIANTS.iter().map(|&v| spread(v, false)).collect(),
        cpu_s: VARIANTS.iter().map(|&v| spread(v, true)).collect(),
        overhead: ratio(&|r| of(Snngen1, r).wall_s / of(ShellLoop, r).wall_s - 1.0),
        cpu_overhead: ratio(&|r| of(Snngen1, r).cpu_s / of(ShellLoop, r).cpu_s - 1.0),
        speedup_2_jobs: ratio(&|r| of(Snngen1, r).wall_s / of(Snngen2, r).wall_s),
        xargs_speedup: ratio(&|r| of(ShellLoop, r).wall_s / of(ShellXargs2, r).wall_s),
        timings,
    })
}

impl McBench {
    pub fn table(&self) -> String {
        let mut out = format!(
            "Monte-Carlo runner vs raw ngspice: {} single-neuron mismatch decks at 1 nA, {} interleaved repetitions\n\
             \x20 {:<32} {:>26} {:>10} {:>26}\n",
            self.runs,
            self.repetitions,
            "variant",
            "wall median (min-max) s",
            "runs/s",
            "CPU median (min-max) s"
        );
        for (k, v) in VARIANTS.iter().enumerate() {
            let (w, c) = (self.wall_s[k], self.cpu_s[k]);
            out += &format!(
                "  {:<32} {:>8.2} ({:>6.2}-{:>6.2}) {:>10.1} {:>8.2} ({:>6.2}-{:>6.2})\n",
                v.label(),
                w.median,
                w.min,
                w.max,
                self.runs as f64 / w.median,
                c.median,
                c.min,
                c.max
            );
        }
        out += &format!(
            "  medians of per-repetition ratios: snngen 1 job vs shell loop {:+.1} % wall, {:+.1} % CPU; \
             2 jobs speed-up {:.2}x (xargs -P2: {:.2}x)\n",
            self.overhead * 100.0,
            self.cpu_overhead * 100.0,
            self.speedup_2_jobs,
            self.xargs_speedup
        );
        out
    }
}
