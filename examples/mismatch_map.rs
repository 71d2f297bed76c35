//! The drawn behavioural neuron (`mismatch::neuron_params`) against ngspice, the numbers in
//! sim/README.md: `cargo run --release --example mismatch_map -- [TEMP] [DRAWS] [singles]`.
//! With `singles`, also every transistor alone at +-20 mV and +10 % mobility.

use snngen::device::mismatch::{self, LIF_TRANSISTORS};
use snngen::device::neuron::NeuronParams;
use snngen::device::process::builtin_modes;
use snngen::flows::measure::measure_neuron;
use snngen::support::parallel::parallel;
use std::collections::BTreeMap;

#[derive(Default)]
struct Errors {
    worst: f64,
    sum: f64,
    squares: f64,
    count: usize,
}

impl Errors {
    fn add(&mut self, e: f64) {
        self.worst = self.worst.max(e.abs());
        self.sum += e;
        self.squares += e * e;
        self.count += 1;
    }
    fn line(&self) -> String {
        let n = self.count.max(1) as f64;
        format!(
            "worst {:.2} %, mean {:+.2} %, rms {:.2} % ({} draws)",
            self.worst * 100.0,
            self.sum / n * 100.0,
            (self.squares / n).sqrt() * 100.0,
            self.count
        )
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let temp: f64 = args
        .get(1)
        .map_or(27.0, |s| s.parse().expect("temperature"));
    let draws: u64 = args.get(2).map_or(30, |s| s.parse().expect("draws"));
    let singles = args.get(3).is_some_and(|s| s == "singles");
    let modes = builtin_modes();
    let mut runs = Vec::new();
    for (name, currents) in [("regular", [0.3, 1.0, 2.5]), ("leaky", [0.8, 1.0, 2.5])] {
        let mut add = |label: String, d: &mismatch::Draw| {
            for c in currents {
                runs.push((name, label.clone(), d.clone(), c));
            }
        };
        if singles {
            add("nominal".into(), &mismatch::draw(0, 0, 0));
            for (k, t) in LIF_TRANSISTORS.iter().enumerate() {
                for (what, dvt, mu) in [
                    ("dvt+20m", 0.02, 1.0),
                    ("dvt-20m", -0.02, 1.0),
                    ("mu+10%", 0.0, 1.1),
                ] {
                    let mut d = mismatch::draw(0, 0, 0);
                    d.dvt[k] = dvt;
                    d.mulu0[k] = mu;
                    add(format!("{} {what}", t.name), &d);
                }
            }
        }
        for r in 1..=draws {
            add(format!("draw {r}"), &mismatch::draw(7, r, 0));
        }
    }
    let measured = parallel(&runs, 2, |(name, _, d, c)| {
        measure_neuron(name, &modes[*name], 0.6, c * 1e-9, temp, Some(d)).expect("ngspice")
    });
    let (_, compiled) =
        snngen::compiler::compile(std::path::Path::new("designs/two_chip.yaml")).expect("design");
    let (sensitivity, failure) =
        snngen::flows::montecarlo::Sensitivity::measure(&compiled.network, &[temp], 1.0, 2);
    if let Some(e) = failure {
        panic!("{e}");
    }
    let mut drawn: BTreeMap<(String, String), Errors> = BTreeMap::new();
    let mut linear: BTreeMap<String, Errors> = BTreeMap::new();
    for ((name, label, d, c), p) in runs.iter().zip(measured) {
        let nominal = NeuronParams::from_mode(&modes[*name], 0.6, temp);
        let model = mismatch::neuron_params(&nominal, d).rate(c * 1e-9);
        // Fewer than 3 spikes in the run: no rate to compare.
        let (e, e0) = if p.spikes >= 3 {
            (
                model / p.rate_hz - 1.0,
                nominal.rate(c * 1e-9) / p.rate_hz - 1.0,
            )
        } else {
            (f64::NAN, f64::NAN)
        };
        println!(
            "{name:8} {label:14} {c:4} nA ngspice {:9.1} Hz model {model:9.1} Hz ({:+6.2} %), undrawn ({:+6.2} %)",
            p.rate_hz,
            e * 100.0,
            e0 * 100.0
        );
        if label.starts_with("draw") && e.is_finite() {
            drawn
                .entry((name.to_string(), format!("{c} nA")))
                .or_default()
                .add(e);
            if *c == 1.0 {
                let predicted = sensitivity.predict(name, temp, d).expect("measured");
                linear
                    .entry(name.to_string())
                    .or_default()
                    .add(predicted / p.rate_hz - 1.0);
            }
        }
    }
    for ((name, c), e) in &drawn {
        println!("drawn model {name} {c} at {temp} C: {}", e.line());
    }
    for (name, e) in &linear {
        println!("sensitivity model {name} 1 nA at {temp} C: {}", e.line());
    }
}
