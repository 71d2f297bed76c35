//! The mismatch extension of the reference model: first-order sensitivities of the rate to
//! each transistor's threshold shift and mobility factor, measured in ngspice once per mode
//! and temperature, which predict every draw without ngspice.

use crate::compiler::ir::Network;
use crate::device::mismatch::{self, LIF_TRANSISTORS};
use crate::device::process::NeuronMode;
use crate::flows::measure::measure_neuron;
use crate::support::error::Error;
use crate::support::parallel::parallel;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// First-order effect of each transistor's threshold shift and mobility factor on the rate
/// at the test current, per mode and temperature, from one ngspice run per parameter: the
/// mismatch extension of the reference model, which predicts every draw without ngspice.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Sensitivity {
    pub by_mode: BTreeMap<String, Vec<RateSensitivity>>,
}

/// The rate of one mode at one temperature and its derivatives.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RateSensitivity {
    pub temperature_c: f64,
    pub nominal_rate_hz: f64,
    /// d rate / d threshold shift (Hz per V), per transistor.
    pub per_dvt: Vec<f64>,
    /// d rate / d mobility factor (Hz per unit), per transistor.
    pub per_mu: Vec<f64>,
}

const DVT_STEP: f64 = 0.01;
const MU_STEP: f64 = 0.05;

impl Sensitivity {
    /// Measures every mode at every temperature. A mode and temperature whose runs fail
    /// (e.g. a hung ngspice killed by the timeout) has no sensitivity: its draws get no
    /// prediction, the sweep goes on, and the first failure is returned beside it.
    pub fn measure(
        net: &Network,
        temperatures: &[f64],
        current_na: f64,
        jobs: usize,
    ) -> (Sensitivity, Option<Error>) {
        let mut modes: BTreeMap<String, NeuronMode> = BTreeMap::new();
        for p in net.chips.iter().flat_map(|c| &c.populations) {
            modes
                .entry(p.mode_name.clone())
                .or_insert_with(|| p.mode.clone());
        }
        // Per mode and temperature: the nominal draw, then each parameter stepped alone.
        let n = LIF_TRANSISTORS.len();
        let mut runs = Vec::new();
        for name in modes.keys() {
            for &t in temperatures {
                for k in 0..=2 * n {
                    let mut d = mismatch::draw(0, 0, 0);
                    match k {
                        0 => {}
                        k if k <= n => d.dvt[k - 1] = DVT_STEP,
                        k => d.mulu0[k - n - 1] = 1.0 + MU_STEP,
                    }
                    runs.push((name.clone(), t, d));
                }
            }
        }
        let measured = parallel(&runs, jobs, |(name, t, d)| {
            measure_neuron(name, &modes[name], net.vdd, current_na * 1e-9, *t, Some(d))
                .map(|p| p.rate_hz)
        });
        let mut failure = None;
        let mut s = Sensitivity::default();
        for (chunk, run) in measured.chunks(2 * n + 1).zip(runs.chunks(2 * n + 1)) {
            let (name, t) = (&run[0].0, run[0].1);
            let chunk: Vec<f64> = match chunk.iter().map(|r| r.as_ref().copied()).collect() {
                Ok(rates) => rates,
                Err(_) => {
                    failure = failure.or(chunk.iter().find_map(|r| r.as_ref().err()).map(|e| {
                        Error::Usage(format!(
                            "sensitivity of mode {name} at {t} C not measured: {e}"
                        ))
                    }));
                    continue;
                }
            };
            let r0 = chunk[0];
            let dvt = chunk[1..=n].iter().map(|r| (r - r0) / DVT_STEP).collect();
            let dmu = chunk[n + 1..].iter().map(|r| (r - r0) / MU_STEP).collect();
            s.by_mode
                .entry(name.clone())
                .or_default()
                .push(RateSensitivity {
                    temperature_c: t,
                    nominal_rate_hz: r0,
                    per_dvt: dvt,
                    per_mu: dmu,
                });
        }
        (s, failure)
    }

    pub fn predict(&self, mode: &str, temperature: f64, d: &mismatch::Draw) -> Option<f64> {
        let s = self
            .by_mode
            .get(mode)?
            .iter()
            .find(|x| x.temperature_c == temperature)?;
        Some(
            s.nominal_rate_hz
                + s.per_dvt
                    .iter()
                    .zip(&d.dvt)
                    .map(|(k, x)| k * x)
                    .sum::<f64>()
                + s.per_mu
                    .iter()
                    .zip(&d.mulu0)
                    .map(|(k, x)| k * (x - 1.0))
                    .sum::<f64>(),
        )
    }
}
