//! `snngen characterize`: every neuron mode and tile of a design measured in ngspice.

use super::Global;
use super::report::{Report, Written, show, verbosity};
use crate::flows::build::default_out_dir;
use crate::flows::characterize::{self, Characterization, SweepPoint, calibration};
use crate::support::error::Result;
use crate::support::fs::write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The design file (YAML).
    design: PathBuf,
    /// Output folder [default: out/<design name>/characterization].
    #[arg(short, long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Parallel ngspice processes.
    #[arg(long, default_value_t = super::default_jobs())]
    jobs: usize,
    /// Also write the fitted behavioural parameters as a calibration file (the bundled
    /// one is sim/calibration/generic180.json).
    #[arg(long, value_name = "FILE")]
    calibration: Option<PathBuf>,
}

/// One block per mode, then the energy sweeps, the synapse and the tiles.
impl Report for Characterization {
    fn table(&self) -> String {
        let c = self;
        let mut s = format!(
            "characterize {}: {} ngspice runs in {:.1} s, VDD {} V\n",
            c.design, c.ngspice_runs, c.seconds, c.vdd
        );
        let opt =
            |v: Option<f64>, digits: usize| v.map_or("-".to_string(), |x| format!("{x:.digits$}"));
        for m in &c.modes {
            s += &format!(
                "mode {} (vleak {} V, vpw {} V, cmem {} fF, cfb {} fF)\n  {:>8} {:>10} {:>11} {:>10} {:>9} {:>10}\n",
                m.mode,
                m.vleak,
                m.vpw,
                m.cmem_ff,
                m.cfb_ff,
                "I (nA)",
                "rate (Hz)",
                "first (us)",
                "width (ns)",
                "thr (V)",
                "E (fJ)"
            );
            for p in &m.f_i {
                s += &format!(
                    "  {:>8} {:>10.0} {:>11} {:>10} {:>9} {:>10}\n",
                    p.current_na,
                    p.rate_hz,
                    opt(p.first_spike_s.map(|t| t * 1e6), 2),
                    opt(p.spike_width_ns, 0),
                    opt(p.threshold_v, 3),
                    opt(p.energy_per_spike_fj, 1)
                );
            }
            for p in &m.temperatures {
                s += &format!(
                    "  energy per spike at {} nA, {:>4} C: {} fJ\n",
                    p.current_na,
                    p.temperature_c,
                    opt(p.energy_per_spike_fj, 1)
                );
            }
            for t in &m.temperature_fits {
                let f = &t.fit;
                s += &format!(
                    "  fit at {:>3} C: C {:.0} fF, threshold {:.3} V, reset {:.3} V, refractory {:.0} ns{}, onset delay {:.0} ns, leak {:.1} pA; worst timing error {:.2} %\n",
                    t.temperature_c,
                    f.capacitance_ff,
                    f.v_threshold,
                    f.v_reset,
                    f.t_refractory_ns,
                    f.i_reset_na
                        .map(|i| format!(" + {:.1} fC / ({i:.2} nA - I)", f.q_reset_fc))
                        .unwrap_or_default(),
                    f.t_delay_ns,
                    f.i_leak_pa,
                    f.max_relative_error * 100.0
                );
            }
        }
        let sweep = |label: &str, unit: &str, points: &[SweepPoint]| -> String {
            let cells: Vec<String> = points
                .iter()
                .map(|p| format!("{} {unit}: {} fJ", p.value, opt(p.energy_per_spike_fj, 1)))
                .collect();
            format!(
                "energy per spike vs {label} (1 nA, 27 C): {}\n",
                cells.join(", ")
            )
        };
        s += &format!(
            "input synapse charge per pulse (fC) by DAC level 1..15: {}\n",
            c.input_synapse_charge_fc[1..]
                .iter()
                .map(|q| format!("{q:.2}"))
                .collect::<Vec<_>>()
                .join(" ")
        );
        s += &sweep("VDD", "V", &c.energy_vs_vdd);
        s += &sweep("membrane capacitance", "fF", &c.energy_vs_cmem);
        for t in &c.tiles {
            s += &format!(
                "tile {} at vsyn {} V: diode-aware model within {:.1e} of ngspice; up to threshold a \
resistor-only model is off by {:.0} % and the ideal weighted sum by {:.0} % (resistive coupling)\n",
                t.tile,
                t.vsyn,
                t.diode_model_error,
                t.resistor_model_error * 100.0,
                t.weighted_sum_error * 100.0
            );
        }
        for m in &c.mac_energy {
            s += &format!(
                "tile {} MAC ({} inputs at {} V to a {} V threshold in {:.1} us): {:.1} fJ, {:.2} fJ per input; C V^2 / N = {:.2} fJ\n",
                m.tile,
                m.inputs,
                m.vsyn,
                m.threshold_v,
                m.time_to_threshold_us,
                m.energy_fj,
                m.energy_per_input_fj,
                m.cv2_over_n_fj
            );
        }
        if let Some(e) = c.energy_per_spike_fj {
            s += &format!(
                "energy_per_spike_fj: {e:.2} (first population's mode, {} nA, 27 C)\n",
                c.reference_current_na
            );
        }
        s
    }
}

pub fn run(a: Args, g: &Global) -> Result<()> {
    let opts = characterize::Options {
        jobs: a.jobs,
        verbosity: verbosity(g),
        ..characterize::Options::default()
    };
    let report = characterize::characterize(&a.design, &opts)?;
    let out = a
        .out
        .unwrap_or_else(|| default_out_dir(&report.design).join("characterization"));
    characterize::write(&report, &out)?;
    if let Some(path) = &a.calibration {
        let cal = calibration::from_report(&report);
        let text = serde_json::to_string_pretty(&cal).expect("calibration serializes") + "\n";
        write(path, text)?;
    }
    show(&Written { report, out }, g);
    Ok(())
}
