//! The spintronic learning core's view model (templates/verilog/spin_core.v and its
//! testbench, templates/tb/spin_tb.sv): its constants and tables as the RTL spells them.
//! The caller quantizes the physics (model::spin_core); this module only lays them out.

use super::verilog::ident;

/// One synapse's row of the amplitude ROMs.
#[derive(Debug, Clone)]
pub struct SynapseRow {
    pub index: usize,
    pub a_plus: u32,
    pub a_minus: u32,
    pub a_post: u32,
}

#[derive(Debug, Clone)]
pub struct ProbabilityRow {
    pub index: usize,
    pub value: u32,
}

/// The core's constants, already quantized.
#[derive(Debug, Clone)]
pub struct CoreConstants {
    pub inputs: usize,
    pub leak: u32,
    pub gain: u32,
    pub pre_decay: u32,
    pub post_decay: u32,
    pub p_table: Vec<u32>,
    pub a_plus: Vec<u32>,
    pub a_minus: Vec<u32>,
    pub a_post: Vec<u32>,
    pub initial_weight: u32,
    pub seed: u32,
}

#[derive(Debug, Clone)]
pub struct SpinCoreView {
    pub design: String,
    pub card: String,
    pub prefix: String,
    pub inputs: usize,
    pub inputs_minus_one: usize,
    pub addr_bits: u32,
    pub addr_msb: u32,
    pub leak: u32,
    pub gain: u32,
    pub pre_decay: u32,
    pub post_decay: u32,
    pub initial_weight: u32,
    pub seed: u32,
    pub synapse_rows: Vec<SynapseRow>,
    pub p_rows: Vec<ProbabilityRow>,
}

pub fn lower(design: &str, card: &str, c: &CoreConstants) -> SpinCoreView {
    let addr_bits = super::index_width(c.inputs as u64);
    SpinCoreView {
        // Names reach Verilog comments and identifiers only through `ident`.
        design: ident(design),
        card: ident(card),
        prefix: ident(design),
        inputs: c.inputs,
        inputs_minus_one: c.inputs - 1,
        addr_bits,
        addr_msb: addr_bits - 1,
        leak: c.leak,
        gain: c.gain,
        pre_decay: c.pre_decay,
        post_decay: c.post_decay,
        initial_weight: c.initial_weight,
        seed: c.seed,
        synapse_rows: (0..c.inputs)
            .map(|index| SynapseRow {
                index,
                a_plus: c.a_plus[index],
                a_minus: c.a_minus[index],
                a_post: c.a_post[index],
            })
            .collect(),
        p_rows: c
            .p_table
            .iter()
            .enumerate()
            .map(|(index, &value)| ProbabilityRow { index, value })
            .collect(),
    }
}
