//! Behavioural neuron parameters fitted to ngspice measurements (`snngen characterize`),
//! and the calibration file bundled beside the device models.

use super::analog::{NeuronParams, thermal_voltage};
use crate::build::GENERIC_180_MODELS;
use crate::design::NeuronMode;
use serde::Serialize;

/// Behavioural parameters fitted to one mode's f-I sweep at 27 C.
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
    pub fit: FittedNeuron,
}

impl Calibration {
    pub fn from_report(c: &crate::characterize::Characterization) -> Calibration {
        Calibration {
            version: 1,
            models_sha256: crate::emit::sha256_hex(GENERIC_180_MODELS.as_bytes()),
            vdd: c.vdd,
            temperature_c: 27.0,
            modes: c
                .modes
                .iter()
                .map(|m| CalibratedMode {
                    rest_v: m.rest_v.clone(),
                    mode: m.mode.clone(),
                    vleak: m.vleak,
                    vpw: m.vpw,
                    cmem_ff: m.cmem_ff,
                    cfb_ff: m.cfb_ff,
                    fit: m.fit.clone(),
                })
                .collect(),
            input_synapse_charge_fc: c.input_synapse_charge_fc.clone(),
        }
    }

    /// Calibrated charge (C) of one input pulse at `level`, if this supply was measured.
    pub fn input_charge(&self, level: u32, vdd: f64) -> Option<f64> {
        ((self.vdd - vdd).abs() < 1e-9
            && self.models_sha256 == crate::emit::sha256_hex(GENERIC_180_MODELS.as_bytes()))
        .then_some(())?;
        self.input_synapse_charge_fc
            .get(level as usize)
            .map(|q| q * 1e-15)
    }

    /// The calibrated entry for a mode with exactly these biases at this supply, if any.
    pub fn lookup(&self, mode: &NeuronMode, vdd: f64) -> Option<&FittedNeuron> {
        self.lookup_mode(mode, vdd).map(|m| &m.fit)
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
        (same(self.vdd, vdd)
            && self.models_sha256 == crate::emit::sha256_hex(GENERIC_180_MODELS.as_bytes()))
        .then_some(())?;
        self.modes.iter().find(|m| {
            same(m.vleak, mode.vleak)
                && same(m.vpw, mode.vpw)
                && same(m.cmem_ff, mode.cmem_ff)
                && same(m.cfb_ff, mode.cfb_ff)
        })
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
