//! Decks ready to run: the text of a lowered single-cell deck, the data file it writes, the
//! signals it saves there and the files it includes. `tools::ngspice::run` takes one.

use crate::compiler::lower::spice::Signal;
use crate::compiler::lower::spice::cells::{
    NeuronStep, RestingNeuron, Saved, SynapseLevels, TileSteps,
};
use crate::compiler::lower::spice::spintronic::{NeuronMonteCarlo, StdpWindow};
use crate::device::process::GENERIC_180_MODELS;
use askama::Template;

/// A rendered deck and what running it yields.
#[derive(Debug, Clone)]
pub struct Deck {
    /// File name of the deck, e.g. `neuron.cir` (also its name in error messages).
    pub name: String,
    pub text: String,
    /// The `wrdata` file it writes, beside it.
    pub data_file: String,
    /// The vectors it saves there, in order (time comes first).
    pub signals: Vec<Signal>,
    /// Files placed beside the deck before it runs: (path relative to it, contents).
    pub includes: Vec<(&'static str, &'static str)>,
}

/// The model cards, as every transistor deck includes them.
const MODELS: (&str, &str) = ("models/generic180.lib", GENERIC_180_MODELS);

const VERSION: &str = env!("CARGO_PKG_VERSION");

#[derive(Template)]
#[template(path = "spice/neuron_char.cir", escape = "none")]
struct NeuronStepTemplate<'a> {
    d: &'a NeuronStep,
    version: &'a str,
}

#[derive(Template)]
#[template(path = "spice/rest_char.cir", escape = "none")]
struct RestingNeuronTemplate<'a> {
    d: &'a RestingNeuron,
    version: &'a str,
}

#[derive(Template)]
#[template(path = "spice/synapse_char.cir", escape = "none")]
struct SynapseLevelsTemplate<'a> {
    d: &'a SynapseLevels,
    version: &'a str,
}

#[derive(Template)]
#[template(path = "spice/tile_char.cir", escape = "none")]
struct TileStepsTemplate<'a> {
    d: &'a TileSteps,
    version: &'a str,
}

/// A deck named `name` whose text `template` renders, saving what `saved` says.
fn deck(
    name: &str,
    template: impl Template,
    saved: &Saved,
    includes: Vec<(&'static str, &'static str)>,
) -> Result<Deck, askama::Error> {
    Ok(Deck {
        name: name.into(),
        text: template.render()?,
        data_file: saved.file.clone(),
        signals: saved.signals.clone(),
        includes,
    })
}

pub fn neuron_step(d: &NeuronStep) -> Result<Deck, askama::Error> {
    let t = NeuronStepTemplate {
        d,
        version: VERSION,
    };
    deck("neuron.cir", t, &d.saved, vec![MODELS])
}

pub fn resting_neuron(d: &RestingNeuron) -> Result<Deck, askama::Error> {
    let t = RestingNeuronTemplate {
        d,
        version: VERSION,
    };
    deck("rest.cir", t, &d.saved, vec![MODELS])
}

pub fn synapse_levels(d: &SynapseLevels) -> Result<Deck, askama::Error> {
    let t = SynapseLevelsTemplate {
        d,
        version: VERSION,
    };
    deck("synapse.cir", t, &d.saved, vec![MODELS])
}

/// A tile deck under `name` (tile.cir for trajectories, mac.cir for the MAC energy); it
/// has no transistors, so no model cards.
pub fn tile_steps(d: &TileSteps, name: &str) -> Result<Deck, askama::Error> {
    let t = TileStepsTemplate {
        d,
        version: VERSION,
    };
    deck(name, t, &d.saved, Vec::new())
}

#[derive(Template)]
#[template(path = "spice/spin_neuron_mc.cir", escape = "none")]
struct SpinNeuronTemplate<'a> {
    d: &'a NeuronMonteCarlo,
    version: &'a str,
}

#[derive(Template)]
#[template(path = "spice/spin_stdp.cir", escape = "none")]
struct SpinStdpTemplate<'a> {
    d: &'a StdpWindow,
    version: &'a str,
}

/// The spintronic macro-models alone, as a build writes them for other decks to include.
#[derive(Template)]
#[template(path = "spice/spin_cells.cir", escape = "none")]
struct SpinCellsTemplate;

/// Neuron Monte-Carlo and STDP window decks of the spintronic devices (no transistors).
pub fn spin_neuron_mc(d: &NeuronMonteCarlo) -> Result<Deck, askama::Error> {
    let t = SpinNeuronTemplate {
        d,
        version: VERSION,
    };
    deck("spin_neuron_mc.cir", t, &d.saved, Vec::new())
}

pub fn spin_stdp(d: &StdpWindow) -> Result<Deck, askama::Error> {
    let t = SpinStdpTemplate {
        d,
        version: VERSION,
    };
    deck("spin_stdp.cir", t, &d.saved, Vec::new())
}

pub fn spin_cells() -> Result<String, askama::Error> {
    SpinCellsTemplate.render()
}
