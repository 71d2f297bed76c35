//! Behavioural neuron parameters fitted to ngspice measurements (`snngen characterize`),
//! and the calibration file bundled beside the device models. What a characterization
//! writes into it is `flows::characterize::calibration`.

use super::neuron::{NeuronParams, thermal_voltage};
use super::process::{NeuronMode, models_sha256};
use crate::support::stats::interpolate;
use serde::Serialize;

/// Behavioural parameters fitted to one mode's f-I sweep at one temperature.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct FittedNeuron {
    pub capacitance_ff: f64,
    pub v_threshold: f64,
    pub v_reset: f64,
    pub t_refractory_ns: f64,
    /// Spike widening with input current: q_reset / (i_reset - I), fitted to the widths.
    pub q_reset_fc: f64,
    pub i_reset_na: Option<f64>,
    pub t_delay_ns: f64,
    pub i_leak_pa: f64,
    /// Largest relative error of the fitted first-spike time and interval over the sweep.
    pub max_relative_error: f64,
}

impl FittedNeuron {
    /// The fit a fraction `x` of the way from `self` to `other`: linear in every field
    /// except the two subthreshold currents, which are interpolated in their logarithm
    /// (exponential in temperature), and the reset current, interpolated in its inverse
    /// when either side has none (no widening, infinite).
    pub fn interpolate(&self, other: &FittedNeuron, x: f64) -> FittedNeuron {
        let lin = |a: f64, b: f64| a + (b - a) * x;
        let log = |a: f64, b: f64| (a.ln() + (b.ln() - a.ln()) * x).exp();
        let i_reset_na = match (self.i_reset_na, other.i_reset_na) {
            (Some(a), Some(b)) => Some(log(a, b)),
            (None, None) => None,
            (a, b) => {
                let inv = |i: Option<f64>| i.map_or(0.0, |i| 1.0 / i);
                Some(1.0 / lin(inv(a), inv(b)))
            }
        };
        FittedNeuron {
            capacitance_ff: lin(self.capacitance_ff, other.capacitance_ff),
            v_threshold: lin(self.v_threshold, other.v_threshold),
            v_reset: lin(self.v_reset, other.v_reset),
            t_refractory_ns: lin(self.t_refractory_ns, other.t_refractory_ns),
            q_reset_fc: lin(self.q_reset_fc, other.q_reset_fc),
            i_reset_na,
            t_delay_ns: lin(self.t_delay_ns, other.t_delay_ns),
            i_leak_pa: log(self.i_leak_pa, other.i_leak_pa),
            max_relative_error: self.max_relative_error.max(other.max_relative_error),
        }
    }

    pub fn params(&self, celsius: f64) -> NeuronParams {
        NeuronParams {
            capacitance: self.capacitance_ff * 1e-15,
            v_threshold: self.v_threshold,
            v_reset: self.v_reset,
            t_refractory: self.t_refractory_ns * 1e-9,
            q_reset: self.q_reset_fc * 1e-15,
            i_reset: self.i_reset_na.map_or(f64::INFINITY, |i| i * 1e-9),
            t_delay: self.t_delay_ns * 1e-9,
            i_leak: self.i_leak_pa * 1e-12,
            thermal_voltage: thermal_voltage(celsius),
        }
    }
}

/// Fitted behavioural parameters per mode, as stored in sim/calibration/ and loaded by the
/// reference model. `models_sha256` ties them to the device cards they were measured with.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct Calibration {
    pub version: u32,
    pub models_sha256: String,
    pub vdd: f64,
    pub temperature_c: f64,
    pub modes: Vec<CalibratedMode>,
    /// Charge per input pulse (fC) of the excitatory synapse by DAC level (index 0..=15),
    /// measured into a membrane at 0.15 V with the chip's input pulse width.
    #[serde(default)]
    pub input_synapse_charge_fc: Vec<f64>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct CalibratedMode {
    /// Resting potential (V) by number of idle excitatory synapses on the membrane.
    #[serde(default)]
    pub rest_v: Vec<(u32, f64)>,
    pub mode: String,
    pub vleak: f64,
    pub vpw: f64,
    pub cmem_ff: f64,
    pub cfb_ff: f64,
    /// The fit at `Calibration::temperature_c` (27 C) ...
    pub fit: FittedNeuron,
    /// ... and at every calibrated temperature (version 2; ascending, 27 C included). A
    /// version 1 file has none: its 27 C fit then holds at every temperature.
    #[serde(default)]
    pub temperature_fits: Vec<TemperatureFit>,
}

/// The behavioural model fitted to one mode's f-I sweep at one temperature.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct TemperatureFit {
    pub temperature_c: f64,
    pub fit: FittedNeuron,
    /// Supply energy per spike (fJ) against firing rate (Hz), from the same f-I sweep:
    /// (rate, energy) in rising rate.
    #[serde(default)]
    pub energy_vs_rate: Vec<(f64, f64)>,
}

impl Calibration {
    /// Calibrated charge (C) of one input pulse at `level`, if this supply was measured.
    pub fn input_charge(&self, level: u32, vdd: f64) -> Option<f64> {
        ((self.vdd - vdd).abs() < 1e-9 && self.models_sha256 == models_sha256()).then_some(())?;
        self.input_synapse_charge_fc
            .get(level as usize)
            .map(|q| q * 1e-15)
    }

    /// The calibrated entry (at 27 C) for a mode with exactly these biases at this supply.
    pub fn lookup(&self, mode: &NeuronMode, vdd: f64) -> Option<&FittedNeuron> {
        self.lookup_mode(mode, vdd).map(|m| &m.fit)
    }

    /// The calibrated fit of a mode at `celsius`: interpolated linearly between the two
    /// calibrated temperatures around it, held at the nearest one outside their range.
    pub fn lookup_at(&self, mode: &NeuronMode, vdd: f64, celsius: f64) -> Option<FittedNeuron> {
        let m = self.lookup_mode(mode, vdd)?;
        let fits = &m.temperature_fits;
        let (Some(first), Some(last)) = (fits.first(), fits.last()) else {
            return Some(m.fit.clone());
        };
        if celsius <= first.temperature_c {
            return Some(first.fit.clone());
        }
        if celsius >= last.temperature_c {
            return Some(last.fit.clone());
        }
        let i = fits.iter().position(|f| f.temperature_c >= celsius)?;
        let (a, b) = (&fits[i - 1], &fits[i]);
        if b.temperature_c == celsius {
            return Some(b.fit.clone());
        }
        let x = (celsius - a.temperature_c) / (b.temperature_c - a.temperature_c);
        Some(a.fit.interpolate(&b.fit, x))
    }

    /// Energy per spike (J) of a calibrated mode firing at `rate_hz` at `celsius`: the f-I
    /// sweeps' measurement interpolated linearly in rate (clamped to the measured range) and
    /// between the calibrated temperatures. None when the mode or energies are not calibrated.
    pub fn energy_per_spike(
        &self,
        mode: &NeuronMode,
        vdd: f64,
        celsius: f64,
        rate_hz: f64,
    ) -> Option<f64> {
        let m = self.lookup_mode(mode, vdd)?;
        let at = |t: &TemperatureFit| interpolate(&t.energy_vs_rate, rate_hz);
        let fits: Vec<&TemperatureFit> = m
            .temperature_fits
            .iter()
            .filter(|t| !t.energy_vs_rate.is_empty())
            .collect();
        let curve: Vec<(f64, f64)> = fits
            .iter()
            .map(|t| Some((t.temperature_c, at(t)?)))
            .collect::<Option<_>>()?;
        interpolate(&curve, celsius).map(|fj| fj * 1e-15)
    }

    /// Resting potential (V) of a calibrated mode with `synapses` idle excitatory synapses,
    /// interpolated linearly between the measured counts (0 V when not calibrated).
    pub fn rest_potential(&self, mode: &NeuronMode, vdd: f64, synapses: u32) -> f64 {
        let Some(m) = self.lookup_mode(mode, vdd) else {
            return 0.0;
        };
        let k = synapses as f64;
        let pts = &m.rest_v;
        match pts.iter().position(|&(n, _)| n as f64 >= k) {
            Some(0) => pts[0].1,
            Some(i) => {
                let ((n0, v0), (n1, v1)) = (pts[i - 1], pts[i]);
                v0 + (v1 - v0) * (k - n0 as f64) / (n1 as f64 - n0 as f64)
            }
            None => pts.last().map_or(0.0, |p| p.1),
        }
    }

    fn lookup_mode(&self, mode: &NeuronMode, vdd: f64) -> Option<&CalibratedMode> {
        let same = |a: f64, b: f64| (a - b).abs() < 1e-9;
        (same(self.vdd, vdd) && self.models_sha256 == models_sha256()).then_some(())?;
        self.modes.iter().find(|m| {
            same(m.vleak, mode.vleak)
                && same(m.vpw, mode.vpw)
                && same(m.cmem_ff, mode.cmem_ff)
                && same(m.cfb_ff, mode.cfb_ff)
        })
    }
}

impl NeuronParams {
    /// The behavioural equivalent of a bias preset at supply `vdd` and `celsius`: the fitted
    /// parameters when the bundled calibration holds this mode (interpolated between its
    /// calibrated temperatures, -20 / 27 / 85 C, held outside them), else the provisional
    /// formulas.
    pub fn from_mode(mode: &NeuronMode, vdd: f64, celsius: f64) -> NeuronParams {
        match bundled_calibration().lookup_at(mode, vdd, celsius) {
            Some(fit) => fit.params(celsius),
            None => NeuronParams::provisional(mode, celsius),
        }
    }
}

/// The calibration committed beside the model cards (written by
/// `snngen characterize designs/six_chip.yaml --calibration sim/calibration/generic180.json`).
pub fn bundled_calibration() -> &'static Calibration {
    static BUNDLED: std::sync::LazyLock<Calibration> = std::sync::LazyLock::new(|| {
        serde_json::from_str(include_str!("../../sim/calibration/generic180.json"))
            .expect("sim/calibration/generic180.json parses")
    });
    &BUNDLED
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::process::builtin_modes;

    #[test]
    fn fits_are_interpolated_between_calibrated_temperatures_and_held_outside() {
        let cal = bundled_calibration();
        let leaky = &builtin_modes()["leaky"];
        let fits = &cal.lookup_mode(leaky, 0.6).unwrap().temperature_fits;
        let temps: Vec<f64> = fits.iter().map(|f| f.temperature_c).collect();
        assert_eq!(temps, [-20.0, 27.0, 85.0]);
        for f in fits {
            assert_eq!(
                cal.lookup_at(leaky, 0.6, f.temperature_c).as_ref(),
                Some(&f.fit)
            );
        }
        assert_eq!(
            cal.lookup_at(leaky, 0.6, 27.0).as_ref(),
            cal.lookup(leaky, 0.6)
        );
        assert_eq!(cal.lookup_at(leaky, 0.6, -55.0), Some(fits[0].fit.clone()));
        assert_eq!(cal.lookup_at(leaky, 0.6, 125.0), Some(fits[2].fit.clone()));
        // Half-way: thresholds linear, the leak geometric.
        let mid = cal.lookup_at(leaky, 0.6, 56.0).unwrap();
        let (a, b) = (&fits[1].fit, &fits[2].fit);
        assert!((mid.v_threshold - (a.v_threshold + b.v_threshold) / 2.0).abs() < 1e-12);
        assert!((mid.i_leak_pa - (a.i_leak_pa * b.i_leak_pa).sqrt()).abs() < 1e-9);
        // The regular mode has no widening at any temperature.
        let regular = &builtin_modes()["regular"];
        assert_eq!(cal.lookup_at(regular, 0.6, 0.0).unwrap().i_reset_na, None);
    }

    #[test]
    fn a_version_1_file_holds_its_27_c_fit_everywhere() {
        let mut v1 = bundled_calibration().clone();
        v1.version = 1;
        let mut json: serde_json::Value = serde_json::to_value(&v1).unwrap();
        for m in json["modes"].as_array_mut().unwrap() {
            m.as_object_mut().unwrap().remove("temperature_fits");
        }
        let v1: Calibration = serde_json::from_value(json).unwrap();
        let leaky = &builtin_modes()["leaky"];
        assert_eq!(
            v1.lookup_at(leaky, 0.6, 85.0).as_ref(),
            v1.lookup(leaky, 0.6)
        );
    }
}
