//! `snngen eval`: a trained model's accuracy, decided as the hardware decides.

use super::Global;
use super::report::{Report, show, verbosity};
use crate::apps::rcspike::{
    self,
    run::{EvalOptions as TtfsEvalOptions, EvalReport as TtfsEvalReport, layer_figures},
};
use crate::apps::speech::energy;
use crate::apps::speech::eval::{self, EvalOptions, EvalReport};
use crate::support::error::{Error, Result};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The design file (YAML) the model was trained on.
    design: PathBuf,
    /// Folder written by `snngen train`.
    #[arg(long, value_name = "DIR")]
    model: PathBuf,
    /// Folder of FSDD recordings ({digit}_{speaker}_{index}.wav); every one is classified.
    #[arg(long, value_name = "DIR")]
    data: PathBuf,
    /// Folder for confusion.png (or .svg, see --plot-format) [default: the model folder].
    #[arg(short, long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Chip temperature (C) [default: the design's].
    #[arg(long, allow_hyphen_values = true)]
    temp: Option<f64>,
    /// TTFS designs: classify only the last N images (e.g. the validation part of train-*).
    #[arg(long, value_name = "N")]
    last: Option<usize>,
    /// TTFS designs: the weights as trained, not on the crossbar's levels (`bits`).
    #[arg(long)]
    full_precision: bool,
    /// Worker threads.
    #[arg(long, default_value_t = super::default_jobs())]
    jobs: usize,
}

/// Per class, the decisions, spikes per neuron; the last line is `accuracy: 0.xxxx`.
impl Report for TtfsEvalReport {
    fn table(&self) -> String {
        let r = self;
        let mut t = String::from("class  images  correct  accuracy\n");
        for c in &r.per_class {
            t.push_str(&format!(
                "{:>5}  {:>6}  {:>7}  {:>8.4}\n",
                c.class, c.images, c.correct, c.accuracy
            ));
        }
        t.push_str(&format!(
            "{} {} images of `{}` on {}; {} with no output spike\n",
            r.images, r.split, r.design, r.weights, r.undecided
        ));
        t.push_str(&format!(
            "spikes per neuron: {:.3} over hidden neurons (per layer {})\n",
            r.spikes_per_neuron,
            layer_figures(&r.spikes_per_neuron_per_layer)
        ));
        t.push_str(&format!(
            "energy per inference: {:.1} pJ from the crossbars' line drivers (the model's charge integral, membranes not reset within the frame)\n",
            r.energy_per_inference_pj
        ));
        t.push_str(&format!("accuracy: {:.4}\n", r.accuracy));
        t
    }
}

/// Per digit, the decisions, the energy; the last line is `accuracy: 0.xxxx`.
impl Report for EvalReport {
    fn table(&self) -> String {
        let r = self;
        let mut t = String::from("digit  recordings  correct  accuracy\n");
        for c in &r.per_class {
            t.push_str(&format!(
                "{:>5}  {:>10}  {:>7}  {:>8.4}\n",
                c.digit, c.utterances, c.correct, c.accuracy
            ));
        }
        t.push_str(&format!(
            "{} recordings in {:.1} s; {:.0} reservoir spikes and {:.0} synapse events per \
             utterance; training-path decisions agree with the hardware's on {:.2} %\n",
            r.utterances,
            r.seconds,
            r.mean_reservoir_spikes,
            r.mean_synapse_events,
            100.0 * r.fast_path_agreement
        ));
        let e = &r.energy;
        if e.neuron_nj.is_nan() {
            t.push_str(
                "energy per classification: not calibrated (a mode or the supply is not in \
                 sim/calibration/; see snngen characterize --calibration)\n",
            );
        } else {
            t.push_str(&format!(
                "energy per classification: {:.1} nJ (analog: neuron spikes {:.3} nJ, synapses \
                 {:.3} nJ; FPGA readout {:.1} nJ at an assumed {} pJ per MAC)\n",
                e.total_nj,
                e.neuron_nj,
                e.synapse_nj,
                e.readout_nj,
                energy::READOUT_MAC_PJ
            ));
        }
        t.push_str(&format!("confusion matrix: {}\n", r.confusion_png));
        t.push_str(&format!("accuracy: {:.4}\n", r.accuracy));
        t
    }
}

pub fn run(a: Args, g: &Global) -> Result<()> {
    if let Some(task) = super::train::ttfs_task(&a.design)? {
        if a.out.is_some() || a.temp.is_some() {
            return Err(Error::Usage(format!(
                "--out and --temp are for reservoir designs; {} is a TTFS network",
                a.design.display()
            )));
        }
        let opts = TtfsEvalOptions {
            model: a.model,
            data: a.data,
            last: a.last,
            full_precision: a.full_precision,
            jobs: a.jobs,
            verbosity: verbosity(g),
        };
        show(&rcspike::run::eval(&task, &a.design, &opts)?, g);
        return Ok(());
    }
    if a.last.is_some() || a.full_precision {
        return Err(Error::Usage(format!(
            "--last and --full-precision are for TTFS designs; {} is a reservoir design",
            a.design.display()
        )));
    }
    let opts = EvalOptions {
        model: a.model,
        data: a.data,
        out: a.out,
        celsius: a.temp,
        jobs: a.jobs,
        verbosity: verbosity(g),
    };
    show(&eval::eval(&a.design, &opts)?, g);
    Ok(())
}
