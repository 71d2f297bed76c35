//! `snngen train`: a TTFS design's crossbar weights trained on images, or the spoken-digit
//! readout trained on the design's chips as a reservoir.

use super::Global;
use super::backend::BackendArgs;
use super::report::{Report, show, verbosity};
use crate::apps::rcspike::{
    self,
    run::{TrainOptions, TrainReport, layer_figures},
    task::{Hyper, Task},
};
use crate::apps::speech::robustness::Row;
use crate::apps::speech::{self, FrontEnd, train};
use crate::compiler::design::load_design;
use crate::flows::build::default_out_dir;
use crate::model::ttfs_network::Sparsity;
use crate::support::error::{Error, Result};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The design file (YAML).
    design: PathBuf,
    /// Folder of FSDD recordings ({digit}_{speaker}_{index}.wav), or for a TTFS design a
    /// folder in the MNIST layout (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz]).
    #[arg(long, value_name = "DIR")]
    data: PathBuf,
    /// Output folder [default: out/<design name>/model].
    #[arg(short, long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Shift every random connectivity seed of the design (an independent reservoir); for a
    /// TTFS design, the seed of the initial weights and the batch order [default: 1].
    #[arg(long)]
    seed: Option<u64>,
    /// Put every population in this operating mode (the mixed-modes ablation).
    #[arg(long, value_name = "MODE")]
    mode: Option<String>,
    /// FPGA cycles between two samples presented to the encoder.
    #[arg(long, default_value_t = speech::setup::DEFAULT_SAMPLE_PERIOD)]
    sample_period: u64,
    /// How the front end frames a recording: `causal` streams 10 ms frames from the onset
    /// as the audio arrives (look-ahead 0, the first 0.64 s); `stretch` fits the whole
    /// recording to 32 frames (offline: it needs the recording whole first) [default: causal].
    #[arg(long, value_enum)]
    front_end: Option<FrontEndArg>,
    /// Validate (choose the penalty, report accuracy) on every recording of this speaker,
    /// fitting on the other speakers' (one fold of a leave-one-speaker-out evaluation;
    /// scripts/ablation runs all six), instead of on index 5..9 of every speaker and digit.
    /// The delivered readout is still refitted on all recordings unless --no-refit.
    #[arg(long, value_name = "NAME")]
    validate_speaker: Option<String>,
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
    #[arg(long, default_value_t = super::default_jobs())]
    jobs: usize,
    /// The robustness sweep's chips: here, or as a Slurm job array (--backend slurm).
    #[command(flatten)]
    backend: BackendArgs,
    #[command(flatten)]
    ttfs: TtfsArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FrontEndArg {
    Stretch,
    Causal,
}

/// Options of a TTFS design's training (defaults: `Hyper::default`).
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "TTFS designs")]
pub(super) struct TtfsArgs {
    /// Passes over the training images [default: 20].
    #[arg(long)]
    epochs: Option<usize>,
    /// Images per Adam step [default: 32].
    #[arg(long)]
    batch: Option<usize>,
    /// Adam's first learning rate [default: 1e-3]; it falls along a half cosine.
    #[arg(long)]
    learning_rate: Option<f64>,
    /// The learning rate at the last step [default: 2e-5].
    #[arg(long)]
    final_learning_rate: Option<f64>,
    /// Softmax temperature over output firing times, as a fraction of the input window
    /// [default: 0.05].
    #[arg(long)]
    softmax_tau: Option<f64>,
    /// Weight of the penalty that pulls a silent target output towards firing [default: 1].
    #[arg(long)]
    silent_penalty: Option<f64>,
    /// Weight of the penalty that pulls each silent hidden neuron towards firing, so that
    /// none dies for good [default: 0].
    #[arg(long)]
    hidden_silent_penalty: Option<f64>,
    /// Weight of the same pull on only the hidden neurons that fired on no image of the
    /// previous batch: revives dead neurons without pushing every neuron to fire, so it
    /// goes with --ssr [default: 0].
    #[arg(long)]
    dead_neuron_penalty: Option<f64>,
    /// Sparse-firing regularization of the hidden neurons: `mssr` penalizes how early each
    /// fires, (T - t) / T; `fssr` the window-end membrane its excitatory lines alone would
    /// reach without reset, above (1 - margin) Vth; `membrane` (the rate-coded baseline) the
    /// window-end membrane without reset above the same level [default: none].
    #[arg(long, value_enum, value_name = "METHOD")]
    ssr: Option<SparsityArg>,
    /// Weight of the sparse-firing penalty, averaged over the hidden neurons [default: 0].
    #[arg(long, value_name = "STRENGTH")]
    ssr_strength: Option<f64>,
    /// For fssr and membrane: the level the penalty counts from, as a fraction of the
    /// threshold below it [default: 0].
    #[arg(long, value_name = "FRACTION")]
    ssr_margin: Option<f64>,
    /// Train the ideal charge-domain neuron (each line's current frozen at its value at the
    /// threshold: a linear ramp, the seed's continuous-time TTFS model) instead of the
    /// design's RC neuron; `eval` then uses it too, `sim spice` refuses the model.
    #[arg(long)]
    ideal_neuron: bool,
    /// Move each training image by up to N pixels each way, anew every epoch [default: 0].
    #[arg(long, value_name = "N")]
    shift: Option<usize>,
    /// Images carved from the end of the training split for validation.
    #[arg(long, default_value_t = 5000, value_name = "N")]
    validation: usize,
    /// Train on only the first N images of the training split (quick runs).
    #[arg(long, value_name = "N")]
    train_limit: Option<usize>,
    /// Go on from the checkpoint that an interrupted run left in the output folder; a run
    /// that finished there with the same options is read back, not trained again (so a
    /// resumed sweep skips the points it finished).
    #[arg(long)]
    resume: bool,
}

impl TtfsArgs {
    fn given(&self) -> bool {
        self.epochs.is_some()
            || self.batch.is_some()
            || self.learning_rate.is_some()
            || self.final_learning_rate.is_some()
            || self.softmax_tau.is_some()
            || self.silent_penalty.is_some()
            || self.shift.is_some()
            || self.hidden_silent_penalty.is_some()
            || self.dead_neuron_penalty.is_some()
            || self.ssr.is_some()
            || self.ssr_strength.is_some()
            || self.ssr_margin.is_some()
            || self.ideal_neuron
            || self.validation != 5000
            || self.train_limit.is_some()
            || self.resume
    }

    /// Whether --ssr or --ssr-strength was given.
    pub(super) fn sets_sparsity(&self) -> bool {
        self.ssr.is_some() || self.ssr_strength.is_some()
    }

    /// The training options these flags and the command's own give.
    pub(super) fn options(
        &self,
        data: PathBuf,
        out: PathBuf,
        seed: Option<u64>,
        jobs: usize,
        g: &Global,
    ) -> TrainOptions {
        TrainOptions {
            data,
            out,
            hyper: self.hyper(seed),
            validation: self.validation,
            train_limit: self.train_limit,
            resume: self.resume,
            jobs,
            verbosity: verbosity(g),
        }
    }

    fn hyper(&self, seed: Option<u64>) -> Hyper {
        let d = Hyper::default();
        Hyper {
            epochs: self.epochs.unwrap_or(d.epochs),
            batch: self.batch.unwrap_or(d.batch),
            learning_rate: self.learning_rate.unwrap_or(d.learning_rate),
            final_learning_rate: self.final_learning_rate.unwrap_or(d.final_learning_rate),
            softmax_tau: self.softmax_tau.unwrap_or(d.softmax_tau),
            silent_penalty: self.silent_penalty.unwrap_or(d.silent_penalty),
            shift: self.shift.unwrap_or(d.shift),
            hidden_silent_penalty: self
                .hidden_silent_penalty
                .unwrap_or(d.hidden_silent_penalty),
            dead_neuron_penalty: self.dead_neuron_penalty.unwrap_or(d.dead_neuron_penalty),
            sparsity: self.ssr.map_or(d.sparsity, Sparsity::from),
            sparsity_strength: self.ssr_strength.unwrap_or(d.sparsity_strength),
            sparsity_margin: self.ssr_margin.unwrap_or(d.sparsity_margin),
            ideal_neuron: self.ideal_neuron,
            seed: seed.unwrap_or(d.seed),
        }
    }
}

/// The sparse-firing penalties by their command-line names.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(super) enum SparsityArg {
    None,
    Mssr,
    Fssr,
    Membrane,
}

impl From<SparsityArg> for Sparsity {
    fn from(s: SparsityArg) -> Sparsity {
        match s {
            SparsityArg::None => Sparsity::None,
            SparsityArg::Mssr => Sparsity::Mssr,
            SparsityArg::Fssr => Sparsity::Fssr,
            SparsityArg::Membrane => Sparsity::Membrane,
        }
    }
}

impl Report for TrainReport {
    fn table(&self) -> String {
        let mut t = String::from(
            "epoch  loss    train acc  val acc  pJ/inference  spikes per neuron (per layer)\n",
        );
        for (i, e) in self.epochs.iter().enumerate() {
            t.push_str(&format!(
                "{:>5}  {:.4}  {:>9.4}  {:>7.4}  {:>12}  {}\n",
                i + 1,
                e.loss,
                e.train_accuracy,
                e.validation.accuracy,
                e.validation
                    .energy_per_inference_pj
                    .map_or("-".into(), |pj| format!("{pj:.1}")),
                layer_figures(&e.validation.spikes_per_neuron)
            ));
        }
        t.push_str(&format!(
            "trained on {} images, validated on the last {} of the training split: validation accuracy {:.4}",
            self.train_images, self.validation_images, self.validation_accuracy
        ));
        if let (Some(q), Some(bits)) = (self.quantized_validation_accuracy, self.bits) {
            t.push_str(&format!(", {q:.4} on {bits}-bit crosspoints"));
        }
        t.push_str(&format!(
            "; {:.1} s\n  written to {}\n",
            self.seconds, self.model_dir
        ));
        t
    }
}

impl Report for train::TrainReport {
    fn table(&self) -> String {
        let mut t = format!(
            "trained on {} recordings, validated on {} ({}): validation accuracy {:.4} \
             (ridge penalty {:e}), {:.0} reservoir spikes per utterance, {:.1} s\n  \
             the front end alone, same readout size: {:.4} ({:+.1} points from the reservoir)\n",
            self.train_utterances,
            self.validation_utterances,
            self.validation,
            self.validation_accuracy,
            self.lambda,
            self.mean_reservoir_spikes,
            self.seconds,
            self.front_end_only_accuracy,
            100.0 * (self.validation_accuracy - self.front_end_only_accuracy)
        );
        if !self.robustness.is_empty() {
            t += &robustness_table(&self.robustness);
        }
        t += &format!("  written to {}\n", self.model_dir);
        t
    }
}

pub fn run(a: Args, g: &Global) -> Result<()> {
    if let Some(task) = ttfs_task(&a.design)? {
        return run_ttfs(a, task, g);
    }
    if a.ttfs.given() {
        return Err(Error::Usage(format!(
            "the TTFS training options are for TTFS designs; {} is a reservoir design",
            a.design.display()
        )));
    }
    let name = load_design(&a.design).map_err(Error::Input)?.design.name;
    let opts = train::TrainOptions {
        data: a.data,
        out: a
            .out
            .unwrap_or_else(|| default_out_dir(&name).join("model")),
        variant: speech::setup::Variant {
            seed: a.seed,
            mode: a.mode,
        },
        sample_period: a.sample_period,
        front_end: match a.front_end {
            Some(FrontEndArg::Stretch) => FrontEnd::offline(),
            Some(FrontEndArg::Causal) | None => FrontEnd::causal(),
        },
        validation: a
            .validate_speaker
            .map_or(speech::dataset::Validation::Indices, |s| {
                speech::dataset::Validation::Speaker(s)
            }),
        no_refit: a.no_refit,
        mismatch_runs: a.mismatch_runs,
        temperatures: a.temps,
        mismatch_seed: a.mismatch_seed,
        jobs: a.jobs,
        verbosity: verbosity(g),
        backend: a.backend.backend()?,
    };
    show(&train::train(&a.design, &opts)?, g);
    Ok(())
}

/// The learning task of a TTFS design, or None for any other design.
pub(super) fn ttfs_task(design: &std::path::Path) -> Result<Option<Task>> {
    Task::load(design, |_| {})
}

fn run_ttfs(a: Args, task: Task, g: &Global) -> Result<()> {
    let reservoir_only = a.mode.is_some()
        || a.no_refit
        || a.mismatch_runs > 0
        || !a.temps.is_empty()
        || a.sample_period != speech::setup::DEFAULT_SAMPLE_PERIOD
        || a.front_end.is_some()
        || a.validate_speaker.is_some()
        || a.backend.is_slurm();
    if reservoir_only {
        return Err(Error::Usage(format!(
            "--mode, --no-refit, --mismatch-runs, --temps, --sample-period, --front-end, --validate-speaker and --backend slurm are for reservoir designs; {} is a TTFS network",
            a.design.display()
        )));
    }
    let out = a
        .out
        .unwrap_or_else(|| default_out_dir(&task.design).join("model"));
    let opts = a.ttfs.options(a.data, out, a.seed, a.jobs, g);
    show(&rcspike::run::train(&task, &opts)?, g);
    Ok(())
}

/// The table `snngen train` prints (validation accuracy).
fn robustness_table(rows: &[Row]) -> String {
    let mut t = String::from(
        "temp C  nominal chip  retrained | draws  mismatched: mean +- std (min)  retrained: mean +- std (min)\n",
    );
    for r in rows {
        t.push_str(&format!(
            "{:>6}  {:>12}  {:>9} | {:>5}  {} +- {} ({})       {} +- {} ({})\n",
            r.temperature_c,
            cell(r.nominal_chip),
            cell(r.nominal_chip_retrained),
            r.draws,
            cell(r.mismatch_mean),
            cell(r.mismatch_std),
            cell(r.mismatch_min),
            cell(r.retrained_mean),
            cell(r.retrained_std),
            cell(r.retrained_min)
        ));
    }
    t
}

/// An accuracy for the table, "-" where there is none (no draws).
fn cell(x: f64) -> String {
    if x.is_nan() {
        "-".into()
    } else {
        format!("{x:.4}")
    }
}
