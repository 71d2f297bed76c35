//! The calibration file written from a characterization (`--calibration FILE`; the bundled
//! one is sim/calibration/generic180.json, read by `device::calibration`).

use super::Characterization;
use crate::device::calibration::{CalibratedMode, Calibration, TemperatureFit};
use crate::device::process::models_sha256;

/// The fits of every mode of `c` at every temperature, with the energies per spike of
/// their f-I sweeps and the input synapse's charges.
pub fn from_report(c: &Characterization) -> Calibration {
    Calibration {
        version: 2,
        models_sha256: models_sha256(),
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
                temperature_fits: m
                    .temperature_fits
                    .iter()
                    .map(|t| TemperatureFit {
                        temperature_c: t.temperature_c,
                        fit: t.fit.clone(),
                        energy_vs_rate: sorted_by_x(
                            t.f_i
                                .iter()
                                .filter_map(|p| Some((p.rate_hz, p.energy_per_spike_fj?)))
                                .filter(|(rate, _)| *rate > 0.0)
                                .collect(),
                        ),
                    })
                    .collect(),
            })
            .collect(),
        input_synapse_charge_fc: c.input_synapse_charge_fc.clone(),
    }
}

/// `points` in rising x.
fn sorted_by_x(mut points: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    points
}
