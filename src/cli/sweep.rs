//! `snngen sweep`: a design trained anew at each value of one parameter.

use super::Global;
use super::report::{Report, show};
use super::train::TtfsArgs;
use crate::apps::rcspike::run::layer_figures;
use crate::apps::rcspike::sweep::{SweepReport, sweep_vsyn};
use crate::compiler::design::load_design;
use crate::flows::build::default_out_dir;
use crate::support::error::{Error, Result};
use std::path::PathBuf;

#[derive(Debug, clap::Subcommand)]
pub enum Target {
    /// Accuracy against the drive voltage of a TTFS design: the network trained anew at
    /// each vsyn, from strong resistive coupling (vsyn near the threshold) to the ideal
    /// charge-domain neuron (vsyn far above it). Writes sweep.csv, sweep.png and one model
    /// folder per point.
    Vsyn(VsynArgs),
}

#[derive(Debug, clap::Args)]
pub struct VsynArgs {
    /// The design file (YAML) of a TTFS network.
    design: PathBuf,
    /// Folder in the MNIST layout (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz]).
    #[arg(long, value_name = "DIR")]
    data: PathBuf,
    /// Drive voltages (V), comma-separated; each must be above the threshold.
    #[arg(long, value_delimiter = ',', required = true, value_name = "V,V,...")]
    vsyn: Vec<f64>,
    /// Output folder [default: out/<design name>/sweep_vsyn].
    #[arg(short, long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Seed of the initial weights and the batch order [default: 1].
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads.
    #[arg(long, default_value_t = 2)]
    jobs: usize,
    #[command(flatten)]
    ttfs: TtfsArgs,
}

impl Report for SweepReport {
    fn table(&self) -> String {
        let mut t = String::from(
            "vsyn V  vsyn/Vth  val acc  on levels  spikes per neuron (per layer)  seconds\n",
        );
        for p in &self.points {
            t.push_str(&format!(
                "{:>6}  {:>8.2}  {:>7.4}  {:>9}  {:<29}  {:>7.1}\n",
                p.vsyn,
                p.coupling,
                p.validation_accuracy,
                p.quantized_validation_accuracy
                    .map_or("-".into(), |q| format!("{q:.4}")),
                layer_figures(&p.spikes_per_neuron),
                p.seconds
            ));
        }
        t.push_str(&format!("  written to {} and {}\n", self.csv, self.plot));
        t
    }
}

pub fn run(target: Target, g: &Global) -> Result<()> {
    let Target::Vsyn(a) = target;
    let name = load_design(&a.design).map_err(Error::Input)?.design.name;
    let out = a
        .out
        .unwrap_or_else(|| default_out_dir(&name).join("sweep_vsyn"));
    let opts = a.ttfs.options(a.data, out, a.seed, a.jobs, g);
    show(&sweep_vsyn(&a.design, &a.vsyn, &opts)?, g);
    Ok(())
}
