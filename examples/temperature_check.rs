//! The calibrated behavioural neuron against ngspice at calibrated (-20, 85 C) and
//! interpolated (0, 50 C) temperatures, beside the 27 C fit with only U_T changed (what
//! `from_mode` did before the per-temperature calibration): the numbers in sim/README.md.
//! `cargo run --release --example temperature_check`

use snngen::device::calibration::bundled_calibration;
use snngen::device::neuron::NeuronParams;
use snngen::device::process::builtin_modes;
use snngen::flows::measure::measure_neuron;
use snngen::support::parallel::parallel;

fn main() {
    let modes = builtin_modes();
    let cases = [
        (-20.0, "regular", [0.25, 0.8, 2.5]),
        (-20.0, "leaky", [0.4, 0.8, 1.2]),
        (0.0, "regular", [0.25, 0.8, 2.5]),
        (0.0, "leaky", [0.6, 1.2, 1.7]),
        (50.0, "regular", [0.25, 0.8, 2.5]),
        (50.0, "leaky", [1.0, 1.7, 2.5]),
        (85.0, "regular", [0.25, 0.8, 2.5]),
        (85.0, "leaky", [1.7, 2.2, 2.7]),
    ];
    let runs: Vec<(f64, &str, f64)> = cases
        .iter()
        .flat_map(|(t, n, cs)| cs.iter().map(move |&c| (*t, *n, c)))
        .collect();
    let measured = parallel(&runs, 2, |(t, n, c)| {
        measure_neuron(n, &modes[*n], 0.6, c * 1e-9, *t, None).expect("ngspice")
    });
    for ((t, n, c), p) in runs.iter().zip(measured) {
        let mode = &modes[*n];
        let calibrated = NeuronParams::from_mode(mode, 0.6, *t).rate(c * 1e-9);
        let fit_27 = bundled_calibration().lookup(mode, 0.6).expect("calibrated");
        let old = fit_27.params(*t).rate(c * 1e-9);
        let e = |m: f64| {
            if p.spikes >= 3 {
                format!("{:+7.2} %", (m / p.rate_hz - 1.0) * 100.0)
            } else {
                format!("({} spikes; model {m:.0} Hz)", p.spikes)
            }
        };
        println!(
            "{t:>4} C {n:8} {c:4} nA ngspice {:8.0} Hz  calibrated {}  27 C fit {}",
            p.rate_hz,
            e(calibrated),
            e(old)
        );
    }
}
