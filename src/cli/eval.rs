//! `snngen eval`: a trained model's accuracy, decided as the hardware decides.

use super::Global;
use super::report::{Report, show, verbosity};
use crate::apps::speech::energy;
use crate::apps::speech::eval::{self, EvalOptions, EvalReport};
use crate::support::error::Result;
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
    /// Folder for confusion.png [default: the model folder].
    #[arg(short, long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Chip temperature (C) [default: the design's].
    #[arg(long, allow_hyphen_values = true)]
    temp: Option<f64>,
    /// Worker threads.
    #[arg(long, default_value_t = 2)]
    jobs: usize,
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
