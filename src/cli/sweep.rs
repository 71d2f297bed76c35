//! `snngen sweep`: a design trained anew at each value of one parameter.

use super::Global;
use super::report::{Report, show};
use super::train::{SparsityArg, TtfsArgs};
use crate::apps::rcspike::run::TrainOptions;
use crate::apps::rcspike::run::{energy_figure, layer_figures};
use crate::apps::rcspike::sweep::{
    CurveComparison, SsrPoint, SweepReport, Trained, VsynPoint, method_name, sweep_ssr, sweep_vsyn,
};
use crate::compiler::design::load_design;
use crate::flows::build::default_out_dir;
use crate::model::ttfs_network::Sparsity;
use crate::support::error::{Error, Result};
use std::path::PathBuf;

#[derive(Debug, clap::Subcommand)]
pub enum Target {
    /// Accuracy against the drive voltage of a TTFS design: the network trained anew at
    /// each vsyn, from strong resistive coupling (vsyn near the threshold) to the ideal
    /// charge-domain neuron (vsyn far above it). Writes sweep.csv, sweep.png and one model
    /// folder per point.
    Vsyn(VsynArgs),
    /// The firing/accuracy trade-off of sparse-firing regularization on a TTFS design: the
    /// network trained once plainly, then with each method at each strength. Writes
    /// sweep.csv (accuracy, spikes per neuron per layer, energy per inference), sweep.png
    /// (validation accuracy against hidden spikes per neuron, one curve per method) and one
    /// model folder per point.
    Ssr(SsrArgs),
}

/// What every sweep takes: the design, its data, where to write, and the training options.
#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// The design file (YAML) of a TTFS network.
    design: PathBuf,
    /// Folder in the MNIST layout (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz]).
    #[arg(long, value_name = "DIR")]
    data: PathBuf,
    /// Output folder [default: out/<design name>/sweep_<parameter>].
    #[arg(short, long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Seed of the initial weights and the batch order, the same for every point [default: 1].
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads.
    #[arg(long, default_value_t = super::default_jobs())]
    jobs: usize,
    #[command(flatten)]
    ttfs: TtfsArgs,
}

#[derive(Debug, clap::Args)]
pub struct SsrArgs {
    /// Regularizers, comma-separated (see `train --ssr`).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "mssr,membrane"
    )]
    methods: Vec<SparsityArg>,
    /// Strengths (positive), comma-separated; every method is trained at each.
    #[arg(long, value_delimiter = ',', required = true, value_name = "S,S,...")]
    strengths: Vec<f64>,
    /// Train the whole sweep from each of these seeds (into seed_<seed>/ each, so sweeps run
    /// one seed at a time into the same folder resume into one) and compare the methods within
    /// each seed and pooled over them, instead of from --seed alone.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "N,N,...",
        conflicts_with = "seed"
    )]
    seeds: Vec<u64>,
    #[command(flatten)]
    common: SweepArgs,
}

#[derive(Debug, clap::Args)]
pub struct VsynArgs {
    /// Drive voltages (V), comma-separated; each must be above the threshold.
    #[arg(long, value_delimiter = ',', required = true, value_name = "V,V,...")]
    vsyn: Vec<f64>,
    #[command(flatten)]
    common: SweepArgs,
}

impl SweepArgs {
    /// The training options of every point, written under `out/<design name>/<default>`
    /// unless -o says where.
    fn options(self, default: &str, g: &Global) -> Result<TrainOptions> {
        let out = match self.out {
            Some(o) => o,
            None => {
                let name = load_design(&self.design).map_err(Error::Input)?.design.name;
                default_out_dir(&name).join(default)
            }
        };
        Ok(self.ttfs.options(self.data, out, self.seed, self.jobs, g))
    }
}

/// Per point: the accuracies, spikes per neuron, energy and time of its training.
fn trained_columns(t: &Trained) -> String {
    format!(
        "{:>7.4}  {:>9}  {:<22}  {:<24}  {:>7.1}",
        t.validation_accuracy,
        t.quantized_validation_accuracy
            .map_or("-".into(), |q| format!("{q:.4}")),
        layer_figures(&t.spikes_per_neuron),
        energy_figure(t.energy_per_inference_pj),
        t.seconds
    )
}

const TRAINED_HEADER: &str =
    "val acc  on levels  spikes per neuron       energy                    seconds";

impl Report for SweepReport<VsynPoint> {
    fn table(&self) -> String {
        let mut t = format!("vsyn V  vsyn/Vth  {TRAINED_HEADER}\n");
        for p in &self.points {
            t.push_str(&format!(
                "{:>6}  {:>8.2}  {}\n",
                p.vsyn,
                p.coupling,
                trained_columns(&p.trained)
            ));
        }
        t.push_str(&format!("  written to {} and {}\n", self.csv, self.plot));
        t
    }
}

impl Report for SweepReport<SsrPoint> {
    fn table(&self) -> String {
        let mut t = format!("method    strength  seed  {TRAINED_HEADER}\n");
        for p in &self.points {
            t.push_str(&format!(
                "{:<8}  {:>8}  {:>4}  {}\n",
                method_name(p.method),
                p.strength,
                p.seed,
                trained_columns(&p.trained)
            ));
        }
        for c in &self.comparisons {
            t.push_str(&comparison_line(c));
        }
        t.push_str(&format!("  written to {} and {}\n", self.csv, self.plot));
        t
    }
}

/// E.g. "mssr against membrane at the same hidden spikes (seed 1): above at 3 of 4, mean +0.12
/// points (0.160: +0.30, ...)".
fn comparison_line(c: &CurveComparison) -> String {
    let points = |d: f64| format!("{:+.2}", 100.0 * d);
    let seeds = c
        .seed
        .map_or("every seed".to_string(), |s| format!("seed {s}"));
    if c.gaps.is_empty() {
        return format!(
            "{} against {} ({seeds}): no spike count of the baseline falls within its curve\n",
            method_name(c.method),
            method_name(c.baseline)
        );
    }
    let above = c
        .gaps
        .iter()
        .filter(|g| g.accuracy_difference >= 0.0)
        .count();
    let mean = c.gaps.iter().map(|g| g.accuracy_difference).sum::<f64>() / c.gaps.len() as f64;
    let each: Vec<String> = c
        .gaps
        .iter()
        .map(|g| {
            format!(
                "{:.3}: {}",
                g.hidden_spikes_per_neuron,
                points(g.accuracy_difference)
            )
        })
        .collect();
    // The pooled line only sums up: each gap is on its seed's line already.
    let listed = match c.seed {
        Some(_) => format!(" ({})", each.join(", ")),
        None => String::new(),
    };
    format!(
        "{} against {} at the same hidden spikes per neuron ({seeds}): at or above at {} of {}, \
         mean {} points{listed}\n",
        method_name(c.method),
        method_name(c.baseline),
        above,
        c.gaps.len(),
        points(mean),
    )
}

pub fn run(target: Target, g: &Global) -> Result<()> {
    match target {
        Target::Vsyn(a) => {
            let design = a.common.design.clone();
            let opts = a.common.options("sweep_vsyn", g)?;
            show(&sweep_vsyn(&design, &a.vsyn, &opts)?, g);
        }
        Target::Ssr(a) => {
            if a.common.ttfs.sets_sparsity() {
                return Err(Error::Usage(
                    "sweep ssr sets the method and strength of each point: give --methods and \
                     --strengths, not --ssr or --ssr-strength"
                        .into(),
                ));
            }
            let design = a.common.design.clone();
            let opts = a.common.options("sweep_ssr", g)?;
            let methods: Vec<Sparsity> = a.methods.into_iter().map(Sparsity::from).collect();
            show(
                &sweep_ssr(&design, &methods, &a.strengths, &a.seeds, &opts)?,
                g,
            );
        }
    }
    Ok(())
}
