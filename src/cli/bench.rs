//! `snngen bench`: benchmarks that print a table (BENCHMARKS.md records them).

use super::Global;
use super::report::{Report, show, verbosity};
use crate::apps::bench::{cuba, fpga, mc, slurm, spin, ttfs};
use crate::apps::rcspike;
use crate::support::error::{Error, Result};
use serde::{Serialize, Serializer};

#[derive(Debug, clap::Subcommand)]
pub enum Target {
    /// The Monte-Carlo runner against a plain shell loop of ngspice on the same decks, and
    /// its speed-up with 2 jobs.
    Mc {
        /// Mismatch decks per variant and repetition.
        #[arg(long, default_value_t = 100)]
        runs: u32,
        /// Interleaved repetitions of the four variants (medians are reported).
        #[arg(long, default_value_t = 5)]
        repetitions: usize,
    },
    /// The CUBA network (Vogels & Abbott 2005; Brian2's examples/CUBA.py) on the reference LIF
    /// simulator: 4000 neurons, p = 0.02, dt 0.1 ms. Compare with benches/brian2_cuba.py.
    Cuba {
        /// Seed of the network's connectivity and initial potentials.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Biological time to simulate (s).
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        /// Also time every update loop (uniform/per-neuron x AVX2/portable), best of 3, and
        /// check that they all give the same spikes.
        #[arg(long)]
        all_kernels: bool,
    },
    /// The TTFS trainer on a design: one training pass over the first images with one worker,
    /// then two, and whether both end with the same weights; then an evaluation of the
    /// trained weights on the same images (firing times and energy, two workers).
    Ttfs {
        /// The design file (YAML) of a TTFS network.
        design: std::path::PathBuf,
        /// Folder in the MNIST layout (its training split is used).
        #[arg(long, value_name = "DIR")]
        data: std::path::PathBuf,
        /// Images in the timed pass.
        #[arg(long, default_value_t = 5000)]
        images: usize,
        /// Start the pass from this trained model's weights (the regime of later epochs,
        /// where most hidden neurons stay silent) instead of the initial ones; the training
        /// options are the defaults and Adam starts afresh either way.
        #[arg(long, value_name = "DIR")]
        model: Option<std::path::PathBuf>,
    },
    /// The FPGA flow (yosys, nextpnr-ice40, icepack) on designs, each with a bus per chip and
    /// with the shared AER bus: logic cells, RAM blocks, pins, Fmax, and the tools' times.
    Fpga {
        /// Design files (YAML).
        #[arg(required = true)]
        designs: Vec<std::path::PathBuf>,
        /// The FPGA [default: each design's `fpga.device`].
        #[arg(long, value_enum)]
        device: Option<crate::compiler::design::FpgaDevice>,
    },
    /// One `snngen mc` sweep locally and through the Slurm cluster $SLURM_CONF names, at
    /// several --array-chunk sizes: wall time, overhead over local, and whether results.csv
    /// is byte-identical. Work folders go under $TMPDIR (shared by the nodes, on a cluster).
    Slurm {
        /// The design file (YAML).
        #[arg(default_value = "designs/single_lif.yaml")]
        design: std::path::PathBuf,
        /// Mismatch draws (runs 1..=N; run 0 is nominal).
        #[arg(long, default_value_t = 200)]
        runs: u32,
        /// Temperatures (C), comma-separated.
        #[arg(
            long,
            value_delimiter = ',',
            default_value = "-20,27,85",
            allow_hyphen_values = true
        )]
        temps: Vec<f64>,
        /// Array chunk sizes (runs per task), comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "10,25,67")]
        chunks: Vec<u32>,
        /// Parallel ngspice processes of the local sweeps.
        #[arg(long, default_value_t = super::default_jobs())]
        jobs: usize,
        /// Extra sbatch argument of the Slurm sweeps (e.g. --sbatch-arg=--cpus-per-task=2:
        /// each task then runs that many ngspice at once).
        #[arg(long, value_name = "ARG", allow_hyphen_values = true)]
        sbatch_arg: Vec<String>,
    },
    /// The spintronic learning core on the first seconds of a design's training: its model
    /// and its RTL in Verilator on the same ticks (same spikes and weights), and the model
    /// over the whole training.
    Spin {
        /// The spintronic design file (YAML).
        #[arg(default_value = "designs/spintronic/spintronic_stdp.yaml")]
        design: std::path::PathBuf,
        /// Seconds of training stream to time on both.
        #[arg(long, default_value_t = 20.0)]
        seconds: f64,
    },
}

impl Report for spin::SpinBench {
    fn table(&self) -> String {
        spin::SpinBench::table(self)
    }
}

impl Report for slurm::SlurmBench {
    fn table(&self) -> String {
        slurm::SlurmBench::table(self)
    }
}

impl Report for ttfs::TtfsBench {
    fn table(&self) -> String {
        ttfs::TtfsBench::table(self)
    }
}

impl Report for fpga::FpgaBench {
    fn table(&self) -> String {
        fpga::FpgaBench::table(self)
    }
}

impl Report for mc::McBench {
    fn table(&self) -> String {
        mc::McBench::table(self)
    }
}

/// A CUBA run and, when asked for, the timing of every update loop.
struct CubaOutput {
    report: cuba::CubaReport,
    kernels: Option<Vec<(&'static str, f64, f64)>>,
}

impl Serialize for CubaOutput {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut j = self.report.to_json();
        if let Some(rows) = &self.kernels {
            j["kernels"] = rows
                .iter()
                .map(|(name, t, eps)| {
                    serde_json::json!({"kernel": name, "wall_s": t, "events_per_s": eps})
                })
                .collect();
        }
        j.serialize(s)
    }
}

impl Report for CubaOutput {
    fn table(&self) -> String {
        let mut t = format!("{}\n", self.report.table());
        for (name, s, eps) in self.kernels.iter().flatten() {
            t += &format!("{name:<22} {s:.3} s  {eps:.3e} events/s\n");
        }
        t
    }
}

pub fn run(target: Target, g: &Global) -> Result<()> {
    match target {
        Target::Spin { design, seconds } => {
            if !(seconds.is_finite() && seconds > 0.0) {
                return Err(Error::Usage(format!(
                    "--seconds must be positive, got {seconds}"
                )));
            }
            let bench = spin::run(&design, seconds)?;
            let identical = bench.identical;
            show(&bench, g);
            if !identical {
                return Err(Error::Mismatch("the RTL and the model differ".into()));
            }
        }
        Target::Mc { runs, repetitions } => show(&mc::run(runs, repetitions, verbosity(g))?, g),
        Target::Slurm {
            design,
            runs,
            temps,
            chunks,
            jobs,
            sbatch_arg,
        } => {
            let sweep = slurm::Sweep {
                design: &design,
                runs,
                temperatures: &temps,
                jobs,
            };
            show(&slurm::run(&sweep, &chunks, &sbatch_arg, verbosity(g))?, g)
        }
        Target::Fpga { designs, device } => {
            let paths: Vec<&std::path::Path> = designs.iter().map(|d| d.as_path()).collect();
            show(&fpga::run(&paths, device, verbosity(g))?, g);
        }
        Target::Ttfs {
            design,
            data,
            images,
            model,
        } => {
            let task = super::train::ttfs_task(&design)?.ok_or_else(|| {
                Error::Usage(format!("{} is not a TTFS network", design.display()))
            })?;
            let start = match model {
                Some(dir) => {
                    rcspike::model::read_info(&dir, &task, &design)?;
                    Some(ttfs::Start {
                        weights: rcspike::model::read_weights(&dir, &task)?,
                        model: dir.display().to_string(),
                    })
                }
                None => None,
            };
            show(&ttfs::run(&task, &data, images, start)?, g);
        }
        Target::Cuba {
            seed,
            seconds,
            all_kernels,
        } => {
            if !(seconds > 0.0 && seconds <= 1000.0) {
                return Err(Error::Usage(format!(
                    "--seconds must be above 0 and at most 1000, got {seconds}"
                )));
            }
            let report = cuba::run_cuba(seed, seconds);
            let kernels = if all_kernels {
                Some(cuba::run_all_kernels(&report, 3).map_err(Error::Mismatch)?)
            } else {
                None
            };
            show(&CubaOutput { report, kernels }, g);
        }
    }
    Ok(())
}
