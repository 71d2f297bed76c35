//! Command line: every command is a thin wrapper over a library function.

use crate::bench::cuba;
use crate::build::{self, BuildSummary, Rendered};
use crate::characterize;
use crate::cosim::{self, SimOptions, Simulator};
use crate::error::{Error, Result};
use crate::montecarlo;
use crate::passes::PIPELINE;
use crate::runner::{verilator, yosys};
use crate::speech;
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};

#[derive(Debug, Parser)]
#[command(
    name = "snngen",
    version,
    about = "Turn one spiking-network design into FPGA Verilog and analog ngspice netlists",
    long_about = "snngen reads a YAML network design (analog subthreshold LIF chips, RC-Spike \
crossbar tiles, and an FPGA with input encoder, AER spike router and fixed-point readout) and \
writes synthesizable Verilog, ngspice decks, testbench files, a manifest and a FuseSoC core.\n\n\
Examples:\n  snngen check designs/six_chip.yaml\n  snngen build designs/six_chip.yaml            \
# writes out/six_chip/\n  snngen build designs/single_lif.yaml -o /tmp/lif --lint --synth\n\n\
Exit codes: 0 ok, 1 verification mismatch, 2 input or usage error, 3 external tool failure.\n\
The design format is documented in docs/design-format.md."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lower a design into rtl/, spice/, tb/, manifest.json and a FuseSoC .core file.
    ///
    /// The output folder is replaced atomically: on any error the previous output stays as it
    /// was. Same design, same bytes.
    Build {
        /// The design file (YAML).
        design: PathBuf,
        /// Output folder [default: out/<design name>].
        #[arg(short, long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Readout weights from this CSV file instead of the design's own (e.g. the
        /// readout_weights.csv that `snngen train` writes).
        #[arg(long, value_name = "CSV")]
        weights: Option<PathBuf>,
        /// Also lint the RTL with `verilator --lint-only -Wall` and `yosys check -assert`.
        #[arg(long)]
        lint: bool,
        /// Also synthesize for iCE40 with yosys and report LUT and flip-flop counts.
        #[arg(long)]
        synth: bool,
        /// Print nothing but errors.
        #[arg(short, long)]
        quiet: bool,
    },
    /// Check a design and report every problem in it; writes nothing.
    Check {
        /// The design file (YAML).
        design: PathBuf,
    },
    /// List the compiler passes in the order they run.
    Passes,
    /// Measure every neuron mode of a design in ngspice and fit the behavioural model to it.
    ///
    /// Per mode: f-I sweep (rate, first-spike latency, spike width, threshold, energy per
    /// spike) at 27 C, and the reference current (1 nA) at -20 and 85 C. Writes
    /// characterization.json and f_i.csv into DIR.
    Characterize {
        /// The design file (YAML).
        design: PathBuf,
        /// Output folder [default: out/<design name>/characterization].
        #[arg(short, long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Parallel ngspice processes.
        #[arg(long, default_value_t = 2)]
        jobs: usize,
        /// Also write the fitted behavioural parameters as a calibration file (the bundled
        /// one is sim/calibration/generic180.json).
        #[arg(long, value_name = "FILE")]
        calibration: Option<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Monte-Carlo mismatch and temperature sweep of every neuron instance in ngspice.
    ///
    /// Run 0 is the nominal chip, runs 1..=N are Pelgrom draws (seeded per run and
    /// instance). Rows stream to DIR/results.csv in run order (byte-identical for any --jobs);
    /// --resume continues a killed sweep. Writes summary.json and rate_histogram.png, and the
    /// reference model's prediction of every draw beside the measurement.
    Mc {
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
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Parallel ngspice processes.
        #[arg(long, default_value_t = 2)]
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
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Train the readout for spoken digits (FSDD) on the design's chips as a reservoir.
    ///
    /// Recordings with index 5..9 validate (choose the ridge penalty, report accuracy), the
    /// rest train; the delivered readout is refitted on all of them. Writes
    /// readout_weights.csv (the design's fixed-point format; `snngen build --weights` puts
    /// it into the RTL) and model.json into DIR.
    Train {
        /// The design file (YAML).
        design: PathBuf,
        /// Folder of FSDD recordings ({digit}_{speaker}_{index}.wav).
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        /// Output folder [default: out/<design name>/model].
        #[arg(short, long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Shift every random connectivity seed of the design (an independent reservoir).
        #[arg(long)]
        seed: Option<u64>,
        /// Put every population in this operating mode (the mixed-modes ablation).
        #[arg(long, value_name = "MODE")]
        mode: Option<String>,
        /// FPGA cycles between two samples presented to the encoder.
        #[arg(long, default_value_t = speech::task::DEFAULT_SAMPLE_PERIOD)]
        sample_period: u64,
        /// Deliver the readout fitted on the training part only (not refitted on the
        /// validation recordings too), e.g. to evaluate it on the validation split.
        #[arg(long)]
        no_refit: bool,
        /// Robustness sweep: validation accuracy on N mismatched chips (Pelgrom draws, as
        /// `snngen mc` draws them) of the readout fitted on the nominal chip's training
        /// split, and after retraining on each chip.
        #[arg(long, default_value_t = 0, value_name = "N")]
        mismatch_runs: u32,
        /// Robustness sweep temperatures (C), comma-separated; the nominal chip is included.
        #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
        temps: Vec<f64>,
        /// Seed of the mismatch draws.
        #[arg(long, default_value_t = 1)]
        mismatch_seed: u64,
        /// Worker threads.
        #[arg(long, default_value_t = 2)]
        jobs: usize,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Classify recordings with a trained model and report accuracy.
    ///
    /// Decisions are the hardware's: the reservoir's spikes replayed into the cycle-exact
    /// FPGA model (bit-exact with the RTL). Writes confusion.png; the last line printed is
    /// `accuracy: 0.xxxx`.
    Eval {
        /// The design file (YAML) the model was trained on.
        design: PathBuf,
        /// Folder written by `snngen train`.
        #[arg(long, value_name = "DIR")]
        model: PathBuf,
        /// Folder of FSDD recordings ({digit}_{speaker}_{index}.wav); every one is classified.
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        /// Folder for confusion.png [default: the model folder].
        #[arg(short, long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Chip temperature (C) [default: the design's].
        #[arg(long, allow_hyphen_values = true)]
        temp: Option<f64>,
        /// Worker threads.
        #[arg(long, default_value_t = 2)]
        jobs: usize,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Benchmarks that print a table (see BENCHMARKS.md).
    Bench {
        #[command(subcommand)]
        which: BenchTarget,
    },
    /// Simulate generated hardware against the reference model.
    Sim {
        #[command(subcommand)]
        target: SimTarget,
    },
}

#[derive(Debug, Subcommand)]
pub enum BenchTarget {
    /// The Monte-Carlo runner against a plain shell loop of ngspice on the same decks, and
    /// its speed-up with 2 jobs.
    Mc {
        #[arg(long, default_value_t = 100)]
        runs: u32,
        /// Interleaved repetitions of the four variants (medians are reported).
        #[arg(long, default_value_t = 5)]
        repetitions: usize,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The CUBA network (Vogels & Abbott 2005; Brian2's examples/CUBA.py) on the reference LIF
    /// simulator: 4000 neurons, p = 0.02, dt 0.1 ms. Compare with benches/brian2_cuba.py.
    Cuba {
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Biological time to simulate (s).
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        /// Also time every update loop (uniform/per-neuron x AVX2/portable), best of 3, and
        /// check that they all give the same spikes.
        #[arg(long)]
        all_kernels: bool,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SimTarget {
    /// Run the RTL in Verilator (or Icarus) and compare every output of every cycle with the
    /// cycle-exact reference model. Exit 1 and a VCD around the first divergence on mismatch.
    ///
    /// Compiled Verilator models are cached by content hash in $SNNGEN_CACHE_DIR
    /// (default ~/.cache/snngen): an unchanged design does not recompile.
    Rtl {
        /// The design file (YAML).
        design: PathBuf,
        /// Simulate this RTL folder (a build's output or its rtl/) instead of the design's own
        /// RTL, e.g. after editing it by hand.
        #[arg(long, value_name = "DIR")]
        rtl: Option<PathBuf>,
        /// Cycles of random stimulus.
        #[arg(long, default_value_t = 10_000)]
        cycles: u64,
        /// Seed of the random stimulus.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Read the stimulus from FILE (the format of the harness tb/<name>_cosim.sv) instead.
        #[arg(long, value_name = "FILE")]
        stimulus: Option<PathBuf>,
        /// Write a VCD of the whole run (on a mismatch: of the cycles around it).
        #[arg(long, value_name = "FILE")]
        vcd: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "verilator")]
        simulator: Simulator,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs the command line and returns the process exit code.
pub fn main_with_args(args: impl IntoIterator<Item = std::ffi::OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    match run(cli.command) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{e}");
            e.exit_code()
        }
    }
}

fn run(command: Command) -> Result<()> {
    match command {
        Command::Build {
            design,
            out,
            weights,
            lint,
            synth,
            quiet,
        } => {
            let (summary, rendered) =
                build::build_with(&design, weights.as_deref(), out.as_deref())?;
            if !quiet {
                print_summary(&summary, &rendered);
            }
            if lint {
                lint_rtl(&summary.out_dir, &rendered)?;
                if !quiet {
                    println!("  lint: verilator -Wall and yosys check clean");
                }
            }
            if synth {
                let stats = synthesize(&summary.out_dir, &rendered)?;
                println!(
                    "  ice40: {} LUTs, {} flip-flops, {} RAM blocks",
                    stats.luts, stats.flip_flops, stats.ram_blocks
                );
            }
            Ok(())
        }
        Command::Check { design } => {
            let (loaded, compiled) = build::compile(&design)?;
            let net = &compiled.network;
            println!(
                "{}: ok ({} chips, {} neurons, {} synapses, {} route destinations)",
                loaded.file,
                net.chips.len(),
                net.neuron_count(),
                net.synapse_count(),
                compiled.routing.destination_count()
            );
            Ok(())
        }
        Command::Sim {
            target:
                SimTarget::Rtl {
                    design,
                    rtl,
                    cycles,
                    seed,
                    stimulus,
                    vcd,
                    simulator,
                    json,
                },
        } => {
            let opts = SimOptions {
                rtl_dir: rtl,
                cycles,
                seed,
                stimulus,
                vcd,
                simulator,
                progress: !json,
                cache_dir: None,
            };
            let report = cosim::sim_rtl(&design, &opts)?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).expect("report serializes")
                );
            } else {
                print_sim_report(&report);
            }
            match &report.divergence {
                None => Ok(()),
                Some(d) => Err(Error::Mismatch(format!(
                    "{} differs from the reference model at cycle {}: {} expected {}, got {}{}",
                    report.simulator,
                    d.cycle,
                    d.signal,
                    d.expected,
                    d.got,
                    report
                        .vcd
                        .as_ref()
                        .map(|v| format!(" (VCD of the cycles around it: {v})"))
                        .unwrap_or_default()
                ))),
            }
        }
        Command::Characterize {
            design,
            out,
            jobs,
            calibration,
            json,
        } => {
            let opts = characterize::Options {
                jobs,
                progress: !json,
                ..characterize::Options::default()
            };
            let report = characterize::characterize(&design, &opts)?;
            let out = out
                .unwrap_or_else(|| build::default_out_dir(&report.design).join("characterization"));
            characterize::write(&report, &out)?;
            if let Some(path) = &calibration {
                let cal = characterize::Calibration::from_report(&report);
                let text =
                    serde_json::to_string_pretty(&cal).expect("calibration serializes") + "\n";
                std::fs::write(path, text).map_err(|source| Error::Output {
                    path: path.clone(),
                    source,
                })?;
            }
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).expect("report serializes")
                );
            } else {
                print!("{}", characterize::table(&report));
                println!("  written to {}", out.display());
            }
            Ok(())
        }
        Command::Mc {
            design,
            runs,
            temps,
            seed,
            jobs,
            out,
            resume,
            inject_failure,
            json,
        } => {
            let name = build::compile(&design)?.1.network.name;
            let opts = montecarlo::McOptions {
                runs,
                temperatures: temps,
                seed,
                jobs,
                out: out.unwrap_or_else(|| build::default_out_dir(&name).join("mc")),
                resume,
                progress: !json,
                current_na: characterize::REFERENCE_CURRENT_NA,
                inject_failure,
            };
            let summary = montecarlo::mc(&design, &opts)?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&summary).expect("summary serializes")
                );
            } else {
                print!("{}", montecarlo::table(&summary));
                println!("  written to {}", opts.out.display());
            }
            Ok(())
        }
        Command::Train {
            design,
            data,
            out,
            seed,
            mode,
            sample_period,
            no_refit,
            mismatch_runs,
            temps,
            mismatch_seed,
            jobs,
            json,
        } => {
            let name = crate::design::load_design(&design)
                .map_err(Error::Input)?
                .design
                .name;
            let opts = speech::task::TrainOptions {
                data,
                out: out.unwrap_or_else(|| build::default_out_dir(&name).join("model")),
                variant: speech::task::Variant { seed, mode },
                sample_period,
                front_end: speech::FrontEnd::default(),
                no_refit,
                mismatch_runs,
                temperatures: temps,
                mismatch_seed,
                jobs,
                quiet: json,
            };
            let report = speech::task::train(&design, &opts)?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).expect("serializes")
                );
            } else {
                println!(
                    "trained on {} recordings, validated on {}: validation accuracy {:.4} \
                     (ridge penalty {:e}), {:.0} reservoir spikes per utterance, {:.1} s",
                    report.train_utterances,
                    report.validation_utterances,
                    report.validation_accuracy,
                    report.lambda,
                    report.mean_reservoir_spikes,
                    report.seconds
                );
                if !report.robustness.is_empty() {
                    print!("{}", speech::robustness::table(&report.robustness));
                }
                println!("  written to {}", report.model_dir);
            }
            Ok(())
        }
        Command::Eval {
            design,
            model,
            data,
            out,
            temp,
            jobs,
            json,
        } => {
            let opts = speech::task::EvalOptions {
                model,
                data,
                out,
                celsius: temp,
                jobs,
                quiet: json,
            };
            let report = speech::task::eval(&design, &opts)?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).expect("serializes")
                );
            } else {
                print!("{}", speech::task::eval_table(&report));
            }
            Ok(())
        }
        Command::Bench {
            which:
                BenchTarget::Mc {
                    runs,
                    repetitions,
                    json,
                },
        } => {
            let b = crate::bench::mc::run(runs, repetitions)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&b).expect("serializes"));
            } else {
                print!("{}", b.table());
            }
            Ok(())
        }
        Command::Bench {
            which:
                BenchTarget::Cuba {
                    seed,
                    seconds,
                    all_kernels,
                    json,
                },
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
            if json {
                let mut j = report.to_json();
                if let Some(rows) = &kernels {
                    j["kernels"] = rows
                        .iter()
                        .map(|(name, s, eps)| serde_json::json!({"kernel": name, "wall_s": s, "events_per_s": eps}))
                        .collect();
                }
                println!(
                    "{}",
                    serde_json::to_string_pretty(&j).expect("report serializes")
                );
            } else {
                println!("{}", report.table());
                for (name, s, eps) in kernels.iter().flatten() {
                    println!("{name:<22} {s:.3} s  {eps:.3e} events/s");
                }
            }
            Ok(())
        }
        Command::Passes => {
            for p in PIPELINE {
                println!("{:<10} {}", p.name, p.description);
            }
            Ok(())
        }
    }
}

fn print_sim_report(r: &cosim::SimReport) {
    println!(
        "sim rtl {}: {} cycles on {}, {}",
        r.design,
        r.cycles,
        r.simulator,
        if r.divergence.is_none() {
            "identical to the reference model".to_string()
        } else {
            "MISMATCH".to_string()
        }
    );
    println!(
        "  outputs: {} synapse events, {} class decisions (seed {})",
        r.synapse_events, r.class_decisions, r.seed
    );
    println!(
        "  build {:.2} s{}, simulation {:.2} s = {:.0} cycles/s; reference model {:.3} s",
        r.build_seconds,
        if r.model_cached {
            " (cached model)"
        } else {
            ""
        },
        r.sim_seconds,
        r.cycles_per_second,
        r.model_seconds
    );
    if let Some(v) = &r.vcd {
        println!("  vcd: {v}");
    }
}

fn print_summary(s: &BuildSummary, r: &Rendered) {
    let net = &r.compiled.network;
    println!(
        "built {} in {:.1} ms -> {}",
        net.name,
        s.elapsed.as_secs_f64() * 1e3,
        s.out_dir.display()
    );
    println!(
        "  {} chip(s), {} neurons, {} on-chip synapses, {} RC-Spike tile(s)",
        s.chips, s.neurons, s.synapses, s.tiles
    );
    println!(
        "  router: {} sources, {} destinations; readout: {} features x {} classes{}",
        r.compiled.layout.total_sources,
        s.route_destinations,
        s.readout_features,
        net.readout.classes,
        match net.readout.bins {
            1 => String::new(),
            b => format!(" x {b} time bins"),
        }
    );
    println!("  {} files, {:.1} KiB", s.files, s.bytes as f64 / 1024.0);
}

/// The RTL files of a build, its top module and a scratch folder for a tool run.
fn rtl_job(out_dir: &Path, r: &Rendered) -> Result<(Vec<PathBuf>, String, tempfile::TempDir)> {
    let dir = tempfile::tempdir().map_err(|source| Error::Output {
        path: std::env::temp_dir(),
        source,
    })?;
    let top = format!("{}_top", r.verilog.prefix);
    Ok((build::rtl_files(out_dir, &r.verilog), top, dir))
}

/// Runs the lint and structural checks every emitted RTL must pass.
pub fn lint_rtl(out_dir: &Path, r: &Rendered) -> Result<()> {
    let (files, top, dir) = rtl_job(out_dir, r)?;
    verilator::lint(&files, &top, dir.path())?;
    yosys::check(&files, &top, dir.path())?;
    Ok(())
}

pub fn synthesize(out_dir: &Path, r: &Rendered) -> Result<yosys::SynthStats> {
    let (files, top, dir) = rtl_job(out_dir, r)?;
    Ok(yosys::synth_ice40(&files, &top, dir.path())?)
}
