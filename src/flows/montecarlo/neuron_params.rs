//! neuron_params.csv: the behavioural neuron of every drawn instance of a sweep, written by
//! `snngen mc` and read back by the reference model.

use crate::device::neuron::NeuronParams;
use crate::support::error::{Error, Result};
use std::path::Path;

/// One row of `neuron_params.csv` (written by `snngen mc`): the behavioural neuron of one
/// instance in one run at one temperature. `instance` numbers the design's neurons across
/// chips (the draw's instance); `chip` and `neuron` say where it sits, so
/// `ChipModel::params[neuron]` of that chip can take `params`.
#[derive(Debug, Clone, PartialEq)]
pub struct DrawnNeuron {
    pub run: u32,
    pub temperature_c: f64,
    pub instance: u64,
    pub chip: usize,
    pub neuron: u32,
    pub mode: String,
    pub params: NeuronParams,
}

/// Header of neuron_params.csv: the coordinates, then every NeuronParams field in SI units
/// (F, V, s, C, A; an infinite i_reset, a reset too strong to widen spikes, is `inf`).
pub const NEURON_PARAMS_HEADER: &str = "run,temperature_c,instance,chip,neuron,mode,\
capacitance_f,v_threshold_v,v_reset_v,t_refractory_s,q_reset_c,i_reset_a,t_delay_s,i_leak_a,\
thermal_voltage_v";

impl DrawnNeuron {
    /// The CSV row; numbers in Rust's shortest round-trip form, so loading gives the same bits.
    pub fn csv_row(&self) -> String {
        // Destructured so that a new NeuronParams field cannot be forgotten here.
        let NeuronParams {
            capacitance,
            v_threshold,
            v_reset,
            t_refractory,
            q_reset,
            i_reset,
            t_delay,
            i_leak,
            thermal_voltage,
        } = self.params;
        format!(
            "{},{},{},{},{},{},{capacitance},{v_threshold},{v_reset},{t_refractory},{q_reset},\
{i_reset},{t_delay},{i_leak},{thermal_voltage}",
            self.run, self.temperature_c, self.instance, self.chip, self.neuron, self.mode
        )
    }
}

/// Reads a neuron_params.csv back: one DrawnNeuron per row, in file order (run,
/// temperature, chip, neuron). Look a neuron up with `find_neuron_params`.
pub fn load_neuron_params(path: &Path) -> Result<Vec<DrawnNeuron>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Usage(format!("cannot read {}: {e}", path.display())))?;
    let mut records = crate::support::csv::records(&text);
    let header = records
        .next()
        .and_then(|r| r.ok())
        .map(|r| r.fields.join(","));
    if header.as_deref() != Some(NEURON_PARAMS_HEADER) {
        return Err(Error::Usage(format!(
            "{} is not a neuron_params.csv of this snngen version (header differs)",
            path.display()
        )));
    }
    let mut rows = Vec::new();
    for record in records {
        let record = record.map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?;
        let bad = |why: String| Error::Usage(format!("{}:{}: {why}", path.display(), record.line));
        let f = &record.fields;
        if f.len() != 15 {
            return Err(bad(format!("{} fields, expected 15", f.len())));
        }
        let x = |i: usize| -> Result<f64> {
            f[i].parse::<f64>()
                .map_err(|_| bad(format!("field {} is not a number: `{}`", i + 1, f[i])))
        };
        let int = |i: usize| -> Result<u64> {
            f[i].parse::<u64>()
                .map_err(|_| bad(format!("field {} is not a count: `{}`", i + 1, f[i])))
        };
        rows.push(DrawnNeuron {
            run: int(0)? as u32,
            temperature_c: x(1)?,
            instance: int(2)?,
            chip: int(3)? as usize,
            neuron: int(4)? as u32,
            mode: f[5].clone(),
            params: NeuronParams {
                capacitance: x(6)?,
                v_threshold: x(7)?,
                v_reset: x(8)?,
                t_refractory: x(9)?,
                q_reset: x(10)?,
                i_reset: x(11)?,
                t_delay: x(12)?,
                i_leak: x(13)?,
                thermal_voltage: x(14)?,
            },
        });
    }
    Ok(rows)
}

/// The parameters of `instance` in `run` at `temperature_c` among loaded rows.
pub fn find_neuron_params(
    rows: &[DrawnNeuron],
    run: u32,
    temperature_c: f64,
    instance: u64,
) -> Option<&NeuronParams> {
    rows.iter()
        .find(|r| r.run == run && r.temperature_c == temperature_c && r.instance == instance)
        .map(|r| &r.params)
}
