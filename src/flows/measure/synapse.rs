//! The input synapse in ngspice (charge per pulse at every DAC level, idle leakage) and the
//! resting potential it leaves on a neuron.

use crate::compiler::emit::deck;
use crate::compiler::lower::spice::cells::{resting_neuron, synapse_hold_source, synapse_levels};
use crate::compiler::lower::spice::{Signal, TEST_PULSE_EDGE, TEST_PULSE_WIDTH};
use crate::device::dac::WEIGHT_LEVELS;
use crate::device::process::NeuronMode;
use crate::support::error::{Result, ToolError};
use crate::tools::ngspice;

/// Membrane voltage the synapse charge is measured at: mid-way to the threshold.
pub const SYNAPSE_HOLD_V: f64 = 0.15;

/// The input synapse measured in ngspice.
#[derive(Debug, Clone)]
pub struct SynapseMeasurement {
    /// Charge (C) one input pulse moves at every DAC level (index = level, 0 = no synapse).
    pub charge: Vec<f64>,
    /// Current (A) an idle synapse still leaks into the membrane (its switch's off-current).
    pub off_current: f64,
}

/// Charge of one input pulse through the excitatory synapse at every DAC level into a
/// membrane held at SYNAPSE_HOLD_V, and the idle leakage before the pulse.
pub fn measure_input_synapse(vdd: f64, celsius: f64) -> Result<SynapseMeasurement> {
    let delay = 2e-6;
    let tstop = delay + TEST_PULSE_WIDTH + 4e-6;
    let levels: Vec<u32> = (1..=WEIGHT_LEVELS).collect();
    let view = synapse_levels(
        vdd,
        celsius,
        &levels,
        SYNAPSE_HOLD_V,
        delay,
        TEST_PULSE_WIDTH,
        TEST_PULSE_EDGE,
        tstop,
    );
    let w = ngspice::run(&deck::synapse_levels(&view)?)?;
    let t = w.time();
    let mut charges = vec![0.0];
    let mut off_current = 0.0;
    for l in levels {
        let i = w.get(&synapse_hold_source(l))?;
        // The off-state leak before the pulse is not the pulse's charge.
        let before = t.partition_point(|&x| x < delay * 0.9).max(1) - 1;
        let baseline = i[before];
        off_current = baseline;
        let q: f64 = (1..t.len())
            .filter(|&k| t[k] > delay * 0.95)
            .map(|k| 0.5 * (i[k] + i[k - 1] - 2.0 * baseline) * (t[k] - t[k - 1]))
            .sum();
        charges.push(q);
    }
    Ok(SynapseMeasurement {
        charge: charges,
        off_current,
    })
}

/// Idle excitatory synapse counts the resting potential is measured for.
pub const REST_SYNAPSE_COUNTS: [u32; 5] = [0, 1, 2, 4, 8];

/// Resting membrane potential (V) of a `mode` neuron with `synapses` idle excitatory
/// synapses: the DC operating point of the deck.
pub fn measure_rest(
    mode_name: &str,
    mode: &NeuronMode,
    vdd: f64,
    synapses: u32,
    celsius: f64,
) -> Result<f64> {
    let view = resting_neuron(mode_name, mode, vdd, synapses, celsius);
    let w = ngspice::run(&deck::resting_neuron(&view)?)?;
    let vmem = w.get(&Signal::v("vmem"))?;
    let first = vmem.first().copied().ok_or_else(|| ToolError::Simulation {
        tool: "ngspice".into(),
        message: "rest.cir: v(vmem) holds no sample".into(),
        excerpt: String::new(),
    })?;
    Ok(first)
}
