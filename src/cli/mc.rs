//! `snngen mc`: Monte-Carlo mismatch and temperature sweep in ngspice.

use super::Global;
use super::backend::BackendArgs;
use super::report::{Report, Written, show, verbosity};
use crate::compiler::compile;
use crate::flows::build::default_out_dir;
use crate::flows::measure::REFERENCE_CURRENT_NA;
use crate::flows::montecarlo::{self, CrashOnPurpose, McOptions, McSummary};
use crate::support::error::Result;
use crate::support::stats::Stats;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The design file (YAML).
    design: PathBuf,
    /// Mismatch draws (runs 1..=N; run 0 is nominal).
    #[arg(long, default_value_t = 20)]
    runs: u32,
    /// Temperatures (C), comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "27",
        allow_hyphen_values = true
    )]
    temps: Vec<f64>,
    /// Seed of the mismatch draws: the same seed draws the same chips.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Parallel ngspice processes (of a sweep run here, not on Slurm).
    #[arg(long, default_value_t = super::default_jobs())]
    jobs: usize,
    /// Output folder [default: out/<design name>/mc].
    #[arg(short, long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Keep the rows already in DIR/results.csv and run only the rest.
    #[arg(long)]
    resume: bool,
    /// Break the deck of this run on purpose (for testing failure handling).
    #[arg(long, hide = true)]
    inject_failure: Option<u32>,
    /// Make the deck of this run hang on purpose (for testing the tool timeout).
    #[arg(long, hide = true)]
    inject_hang: Option<u32>,
    /// Make this Slurm array task crash on every submission (for testing retries).
    #[arg(long, hide = true)]
    inject_task_crash: Option<u32>,
    /// Make this Slurm array task crash on its first submission only.
    #[arg(long, hide = true)]
    inject_task_crash_once: Option<u32>,
    #[command(flatten)]
    backend: BackendArgs,
}

impl Report for McSummary {
    fn table(&self) -> String {
        let s = self;
        let mut out = format!(
            "mc {}: {} rows ({} resumed) in {:.1} s, {:.1} runs/s, seed {}\n",
            s.design, s.rows, s.rows_resumed, s.seconds, s.runs_per_second, s.seed
        );
        out += "  temp (C)   rate mean (kHz)  sigma (%)   energy mean (fJ)  sigma (%)   sensitivity error mean / max (%)   drawn model error mean / max (%)  failed\n";
        for t in &s.temperatures {
            let pct = |st: &Stats| {
                if st.mean != 0.0 {
                    st.sigma / st.mean * 100.0
                } else {
                    0.0
                }
            };
            let worst = |st: &Stats| st.min.abs().max(st.max.abs()) * 100.0;
            out += &format!(
                "  {:>8} {:>17.2} {:>10.2} {:>18.2} {:>10.2} {:>20.2} / {:<12.2} {:>18.2} / {:<12.2} {:>6}\n",
                t.temperature_c,
                t.rate_hz.mean / 1e3,
                pct(&t.rate_hz),
                t.energy_per_spike_fj.mean,
                pct(&t.energy_per_spike_fj),
                t.prediction_error.mean * 100.0,
                worst(&t.prediction_error),
                t.model_error.mean * 100.0,
                worst(&t.model_error),
                t.failed
            );
        }
        if s.temperatures
            .iter()
            .any(|t| t.tile_threshold_time_us.count > 0)
        {
            out += "  RC-Spike tiles  temp (C)   time to threshold mean (us)   mismatch sigma (%)   model error max (of full scale)\n";
            for t in &s.temperatures {
                out += &format!(
                    "  {:>24} {:>29.3} {:>20.3} {:>33.1e}\n",
                    t.temperature_c,
                    t.tile_threshold_time_us.mean,
                    t.tile_threshold_time_deviation.sigma * 100.0,
                    t.tile_model_error.max
                );
            }
        }
        out
    }
}

pub fn run(a: Args, g: &Global) -> Result<()> {
    let name = compile(&a.design)?.1.network.name;
    let opts = McOptions {
        runs: a.runs,
        temperatures: a.temps,
        seed: a.seed,
        jobs: a.jobs,
        out: a.out.unwrap_or_else(|| default_out_dir(&name).join("mc")),
        resume: a.resume,
        verbosity: verbosity(g),
        current_na: REFERENCE_CURRENT_NA,
        inject_failure: a.inject_failure,
        inject_hang: a.inject_hang,
        backend: a.backend.backend()?,
        inject_task_crash: a
            .inject_task_crash
            .map(|t| (t, CrashOnPurpose::Always))
            .or(a.inject_task_crash_once.map(|t| (t, CrashOnPurpose::Once))),
    };
    let summary = montecarlo::mc(&a.design, &opts)?;
    show(
        &Written {
            report: summary,
            out: opts.out,
        },
        g,
    );
    Ok(())
}
