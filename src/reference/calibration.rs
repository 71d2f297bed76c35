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
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct CalibratedMode {
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
                    mode: m.mode.clone(),
                    vleak: m.vleak,
                    vpw: m.vpw,
                    cmem_ff: m.cmem_ff,
                    cfb_ff: m.cfb_ff,
                    fit: m.fit.clone(),
                })
                .collect(),
        }
    }

    /// The calibrated entry for a mode with exactly these biases at this supply, if any.
    pub fn lookup(&self, mode: &NeuronMode, vdd: f64) -> Option<&FittedNeuron> {
        let same = |a: f64, b: f64| (a - b).abs() < 1e-9;
        (same(self.vdd, vdd)
            && self.models_sha256 == crate::emit::sha256_hex(GENERIC_180_MODELS.as_bytes()))
        .then_some(())?;
        self.modes
            .iter()
            .find(|m| {
                same(m.vleak, mode.vleak)
                    && same(m.vpw, mode.vpw)
                    && same(m.cmem_ff, mode.cmem_ff)
                    && same(m.cfb_ff, mode.cfb_ff)
            })
            .map(|m| &m.fit)
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
