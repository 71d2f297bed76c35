//! Research probe for the spoken-digit task: validation accuracy of a float ridge readout
//! (bias column, penalty chosen on the validation split) on the front-end frames alone,
//! pooled to the same number of readout weights as the reservoir's, against the same readout
//! on the reservoir's spike counts, and the design's quantized readout as `snngen train`
//! fits it.
//!
//!     cargo run --release --example speech_probe -- designs/six_chip.yaml ../shared/data/fsdd/recordings
//!
//! Settings from the environment: CAUSAL (1: the causal framing, 0: stretch), FRAMES, HOP (s;
//! both default to the default front end's),
//! REL (dB/s), DR (dB), PERIOD (cycles), SEED, MODE (as `snngen train`), JOBS, FEBINS (the
//! front end's time bins; default: the reservoir's weight count), RBINS (the reservoir's time
//! bins when re-pooled), NORM (1: pool both over each recording's own length instead of
//! absolute time, as a readout that latches fine bins and pools them when the recording ends
//! would), NORES (1: front end only).
use snngen::apps::speech::baseline::{float_ridge_accuracy, pooled};
use snngen::apps::speech::dataset::{Validation, list_recordings};
use snngen::apps::speech::encode;
use snngen::apps::speech::frontend::{Framing, FrontEnd};
use snngen::apps::speech::readout;
use snngen::apps::speech::reservoir::Reservoir;
use snngen::apps::speech::setup::{self, Variant, Weights};
use snngen::model::system::RESET_CYCLES;
use snngen::support::progress::Verbosity;
use std::path::Path;

fn env<T: std::str::FromStr>(k: &str, d: T) -> T {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(d)
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let design = Path::new(&a[1]);
    let data = Path::new(&a[2]);
    let fe = FrontEnd {
        framing: if env("CAUSAL", 1) == 1 {
            Framing::Causal
        } else {
            Framing::Stretch
        },
        frames: env("FRAMES", FrontEnd::default().frames),
        hop_s: env("HOP", FrontEnd::default().hop_s),
        release_db_per_s: env("REL", 20.0),
        dynamic_range_db: env("DR", 60.0),
        ..FrontEnd::default()
    };
    let variant = Variant {
        seed: std::env::var("SEED").ok().and_then(|v| v.parse().ok()),
        mode: std::env::var("MODE").ok(),
    };
    let t0 = std::time::Instant::now();
    let setup =
        setup::load_setup(design, &variant, Weights::Untrained, fe, env("PERIOD", 512)).unwrap();
    let utts = list_recordings(data).unwrap();
    let jobs = env("JOBS", 1);
    let frames = encode::front_end_frames(&setup, &utts, jobs, Verbosity::Quiet).unwrap();
    let norm = env("NORM", 0) == 1;
    let nframes = setup.front_end.frames;
    let hop_s = setup.front_end.hop_s;
    let lens: Vec<usize> = utts
        .iter()
        .map(|u| {
            let a = snngen::apps::speech::frontend::read_wav(&u.path).unwrap();
            if norm {
                ((a.samples.len() as f64 / (hop_s * a.rate_hz)).ceil() as usize).clamp(1, nframes)
            } else {
                nframes
            }
        })
        .collect();
    // Float ridge accuracy (bias column, penalty chosen on the validation split).
    let score = |x: &[Vec<f64>]| {
        let train = readout::split(&utts, x, &Validation::Indices, false);
        let val = readout::split(&utts, x, &Validation::Indices, true);
        float_ridge_accuracy(
            setup.params.classes as usize,
            (&train.0, &train.1),
            (&val.0, &val.1),
        )
    };
    let nfeat = setup.params.features.len();
    let weights = setup.bins * nfeat;
    let ch = setup.params.channels;
    // Front-end frames pooled into as many bins as give the same number of readout weights.
    let fe_bins = env("FEBINS", (weights / ch).max(1));
    let fe_feats: Vec<Vec<f64>> = frames
        .iter()
        .zip(&lens)
        .map(|(f, &n)| pooled(&f[..n], fe_bins))
        .collect();
    let fe_acc = score(&fe_feats);
    if env("NORES", 0) == 1 {
        println!("FE-only bins {fe_bins}: {fe_acc:.4}");
        return;
    }
    let res = Reservoir::new(&setup.rendered, setup.rendered.compiled.network.temperature);
    let enc = encode::encode(&setup, &res, &frames, jobs, Verbosity::Quiet);
    let rb: usize = env("RBINS", setup.bins);
    let fcyc = setup.timing.frame_cycles;
    let mut feat_of = vec![usize::MAX; setup.params.nsrc];
    for (i, &s) in setup.params.features.iter().enumerate() {
        feat_of[s as usize] = i;
    }
    let counts: Vec<Vec<f64>> = enc
        .iter()
        .zip(&lens)
        .map(|(e, &n)| {
            if !norm && rb == setup.bins {
                let mut v: Vec<f64> = e.counts.iter().map(|&c| c as f64).collect();
                v.push(1.0);
                return v;
            }
            let span = n as u64 * fcyc;
            let mut v = vec![0.0; rb * nfeat + 1];
            for &(c, src) in &e.spikes.events {
                let f = feat_of[src as usize];
                if f == usize::MAX || c < RESET_CYCLES {
                    continue;
                }
                let rel = c - RESET_CYCLES;
                if rel >= span {
                    continue;
                }
                let b = (rel * rb as u64 / span) as usize;
                v[b * nfeat + f] += 1.0;
            }
            v[rb * nfeat] = 1.0;
            v
        })
        .collect();
    let res_acc = score(&counts);
    let (trx, try_) = readout::split(&utts, &enc, &Validation::Indices, false);
    let (vax, vay) = readout::split(&utts, &enc, &Validation::Indices, true);
    let fit = readout::fit_readout(&setup, (&trx, &try_), (&vax, &vay));
    let spikes: f64 = enc
        .iter()
        .map(|e| e.spikes.events.len() as f64)
        .sum::<f64>()
        / enc.len() as f64;
    let sat = enc
        .iter()
        .flat_map(|e| e.counts.iter())
        .filter(|&&c| c == 255)
        .count() as f64
        / (enc.len() * weights) as f64;
    println!(
        "weights/class {weights} (fe bins {fe_bins}) | FE-only {fe_acc:.4} | reservoir float {res_acc:.4} quantized {:.4} | spikes/utt {spikes:.0} sat {sat:.4} | {:.0}s",
        fit.validation_accuracy,
        t0.elapsed().as_secs_f64()
    );
}
