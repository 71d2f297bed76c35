//! `snngen check`: every problem of a design, or a one-line summary of it.

use super::Global;
use super::report::{Report, show};
use crate::compiler::render;
use crate::flows::spintronic::setup::{SpinSetup, is_spin_design};
use crate::support::error::Result;
use serde::Serialize;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The design file (YAML).
    design: PathBuf,
}

#[derive(Serialize)]
struct CheckReport {
    file: String,
    chips: usize,
    neurons: u32,
    synapses: usize,
    route_destinations: usize,
}

/// A spintronic network design: its size and device card.
#[derive(Serialize)]
struct SpinCheckReport {
    file: String,
    inputs: usize,
    card: String,
}

impl Report for SpinCheckReport {
    fn table(&self) -> String {
        format!(
            "{}: ok (spintronic network: 1 neuron, {} STDP synapses, device card {})\n",
            self.file, self.inputs, self.card
        )
    }
}

impl Report for CheckReport {
    fn table(&self) -> String {
        format!(
            "{}: ok ({} chips, {} neurons, {} synapses, {} route destinations)\n",
            self.file, self.chips, self.neurons, self.synapses, self.route_destinations
        )
    }
}

pub fn run(a: Args, g: &Global) -> Result<()> {
    if is_spin_design(&a.design) {
        let setup = SpinSetup::load(&a.design)?;
        let report = SpinCheckReport {
            file: a.design.display().to_string(),
            inputs: setup.inputs(),
            card: setup.card.name.clone(),
        };
        show(&report, g);
        return Ok(());
    }
    // Rendered in memory, not written: the last pass checks the generated names.
    let rendered = render(&a.design)?;
    let (compiled, file) = (&rendered.compiled, a.design.display().to_string());
    let net = &compiled.network;
    show(
        &CheckReport {
            file,
            chips: net.chips.len(),
            neurons: net.neuron_count(),
            synapses: net.synapse_count(),
            route_destinations: compiled.routing.destination_count(),
        },
        g,
    );
    Ok(())
}
