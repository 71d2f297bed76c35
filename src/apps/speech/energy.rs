//! Energy per classification: the analog chips' measured energies (ngspice, through the
//! calibration) for what the reservoir did, plus the FPGA readout's operations.

use super::reservoir::Spikes;
use super::setup::Setup;
use crate::device::calibration::bundled_calibration;
use crate::model::chip::ChipModel;
use serde::Serialize;

/// Assumed energy of one readout multiply-accumulate on the FPGA (8-bit count x 12-bit
/// weight, ROM read and accumulator at 50 MHz): an order-of-magnitude figure for small
/// FPGA fabric, not a measurement. The readout's share is reported on its own.
pub const READOUT_MAC_PJ: f64 = 20.0;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Energy {
    /// Neuron spikes: each neuron's spikes times the energy per spike its mode draws at
    /// the neuron's mean rate over the recording (ngspice f-I sweeps).
    pub neuron_nj: f64,
    /// Input synapse pulses (charge per pulse by DAC level, measured) and on-chip
    /// excitatory synapses (charge per spike), both drawn from VDD.
    pub synapse_nj: f64,
    /// FPGA readout: bins x classes x features MACs at READOUT_MAC_PJ.
    pub readout_nj: f64,
    pub total_nj: f64,
}

/// Energy of one recording's classification.
pub fn classification_energy(
    setup: &Setup,
    chips: &[ChipModel],
    celsius: f64,
    spikes: &Spikes,
) -> Energy {
    let c = &setup.rendered.compiled;
    let net = &c.network;
    let seconds = setup.cycles as f64 * 1e-6 / net.clock_mhz;
    let mut per_source = vec![0u64; c.layout.total_sources as usize];
    for &(_, s) in &spikes.events {
        per_source[s as usize] += 1;
    }
    let cal = bundled_calibration();
    let (mut neuron, mut synapse) = (0.0, 0.0);
    for (k, chip) in net.chips.iter().enumerate() {
        let offset = c.layout.chips[k].source_offset as usize;
        let mut i = 0;
        for p in &chip.populations {
            for _ in 0..p.count {
                let n = per_source[offset + i] as f64;
                let rate = n / seconds;
                // NaN (reported as not calibrated) for a mode or supply the calibration lacks.
                let per_spike = cal
                    .energy_per_spike(&p.mode, net.vdd, celsius, rate)
                    .unwrap_or(f64::NAN);
                neuron += n * per_spike;
                synapse += n * chips[k].excitatory_fanout_charge(i) * net.vdd;
                i += 1;
            }
        }
    }
    for &(chip, syn, events) in &spikes.input_events {
        if (syn as usize) < chips[chip].neuron_count() {
            synapse += events as f64 * chips[chip].input_event_charge(syn as usize) * net.vdd;
        }
    }
    let macs = setup.bins as f64 * setup.params.classes as f64 * setup.params.features.len() as f64;
    let (neuron_nj, synapse_nj) = (neuron * 1e9, synapse * 1e9);
    let readout_nj = macs * READOUT_MAC_PJ * 1e-3;
    Energy {
        neuron_nj,
        synapse_nj,
        readout_nj,
        total_nj: neuron_nj + synapse_nj + readout_nj,
    }
}

impl Energy {
    pub fn mean(all: &[Energy]) -> Energy {
        let n = all.len().max(1) as f64;
        let sum = |f: fn(&Energy) -> f64| all.iter().map(f).sum::<f64>() / n;
        Energy {
            neuron_nj: sum(|e| e.neuron_nj),
            synapse_nj: sum(|e| e.synapse_nj),
            readout_nj: sum(|e| e.readout_nj),
            total_nj: sum(|e| e.total_nj),
        }
    }
}
