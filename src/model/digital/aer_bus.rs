//! The chips' side of the FPGA: one AER interface per chip (chip_if.rs) or one shared,
//! time-multiplexed bus for all of them (templates/verilog/aer_bus.v).
use super::chip_if::{ChipIf, SynapseSender};
use super::{ChipInputs, ChipOutputs, Outputs, Params, mask};
use crate::compiler::lower::verilog::{AER_SELECT_HOLD as SELECT_HOLD, SHARED_AER_BUS};

/// The shared bus. Events: `sel` names the chip that may drive req/addr; the bus looks at a
/// chip for one cycle once its request has passed the synchronizer, takes its event and
/// acknowledges it (four-phase, ack falls after req falls), then selects the next chip,
/// round robin. Synapses: one event at a time, to the chip `syn_sel` names.
#[derive(Debug, Clone)]
pub(super) struct SharedBus {
    req_sync: [bool; 2],
    ack: bool,
    sel: u32,
    hold: u32,
    /// The chip and source address of the event taken at the last edge.
    event: Option<(u32, u32)>,
    sender: SynapseSender,
    /// The chip the synapse event is for.
    syn_sel: u32,
}

impl Default for SharedBus {
    fn default() -> SharedBus {
        SharedBus {
            req_sync: [false; 2],
            ack: false,
            sel: 0,
            hold: SELECT_HOLD,
            event: None,
            sender: SynapseSender::default(),
            syn_sel: 0,
        }
    }
}

impl SharedBus {
    fn clock(&mut self, p: &Params, rst: bool, i: ChipInputs, route: Option<(u32, u32)>) {
        if rst {
            *self = SharedBus::default();
            return;
        }
        let old = self.clone();
        let chips = p.chip_sources.len() as u32;
        let next = if old.sel + 1 == chips { 0 } else { old.sel + 1 };
        self.req_sync = [i.req, old.req_sync[0]];
        let addr = i.addr & mask(p.src_w) as u32;
        let capture = old.hold == 0 && old.req_sync[1] && !old.ack;
        self.event =
            (capture && addr < p.chip_sources[old.sel as usize]).then_some((old.sel, addr));
        if capture {
            self.ack = true;
        } else if old.ack {
            if !old.req_sync[1] {
                self.ack = false;
                self.sel = next;
                self.hold = SELECT_HOLD;
            }
        } else if old.hold != 0 {
            self.hold = old.hold - 1;
        } else {
            self.sel = next;
            self.hold = SELECT_HOLD;
        }
        if self.sender.clock(p, i.syn_ack, route.map(|(_, syn)| syn)) {
            self.syn_sel = route.map_or(0, |(chip, _)| chip);
        }
    }
}

/// Every chip's interface, or the one shared bus.
#[derive(Debug, Clone)]
pub(super) enum AerSide {
    PerChip(Vec<ChipIf>),
    Shared(SharedBus),
}

impl AerSide {
    pub(super) fn new(p: &Params) -> AerSide {
        if p.shared_bus {
            AerSide::Shared(SharedBus::default())
        } else {
            AerSide::PerChip(vec![ChipIf::default(); p.chip_sources.len()])
        }
    }

    /// The events the registers drive now: (chip, source address on that chip).
    pub(super) fn events(&self) -> Vec<(u32, u32)> {
        match self {
            AerSide::PerChip(chips) => (0..)
                .zip(chips)
                .filter_map(|(k, c)| c.event.map(|a| (k, a)))
                .collect(),
            AerSide::Shared(bus) => bus.event.into_iter().collect(),
        }
    }

    /// Whether each chip takes a synapse event from the router now.
    pub(super) fn syn_ready(&self, chips: usize) -> Vec<bool> {
        match self {
            AerSide::PerChip(c) => c.iter().map(|c| c.sender.ready()).collect(),
            AerSide::Shared(bus) => vec![bus.sender.ready(); chips],
        }
    }

    /// One edge: the bus inputs, the router's destination when it sends, and the synapse
    /// address it drives otherwise (a per-chip interface latches it only when valid).
    pub(super) fn clock(
        &mut self,
        p: &Params,
        rst: bool,
        inputs: &[ChipInputs],
        route: Option<(u32, u32)>,
        idle_syn: u32,
    ) {
        match self {
            AerSide::PerChip(chips) => {
                for (k, chip) in chips.iter_mut().enumerate() {
                    let (valid, addr) = match route {
                        Some((c, s)) => (c as usize == k, s),
                        None => (false, idle_syn),
                    };
                    chip.clock(p, p.chip_sources[k], rst, inputs[k], valid, addr);
                }
            }
            AerSide::Shared(bus) => bus.clock(p, rst, inputs[0], route),
        }
    }

    /// The buses' outputs, one per chip or the shared one.
    pub(super) fn outputs(&self) -> Vec<ChipOutputs> {
        match self {
            AerSide::PerChip(chips) => chips
                .iter()
                .map(|c| ChipOutputs {
                    ack: c.chip_ack,
                    syn_req: c.sender.syn_req,
                    syn_addr: c.sender.syn_addr,
                    ..ChipOutputs::default()
                })
                .collect(),
            AerSide::Shared(bus) => vec![ChipOutputs {
                ack: bus.ack,
                syn_req: bus.sender.syn_req,
                syn_addr: bus.sender.syn_addr,
                sel: bus.sel,
                syn_sel: bus.syn_sel,
            }],
        }
    }
}

impl Params {
    /// The AER buses' names as their ports spell them (`<bus>_req`, ...): the chips', or
    /// `aer` for the shared bus.
    pub fn bus_names(&self) -> Vec<String> {
        if self.shared_bus {
            vec![SHARED_AER_BUS.to_string()]
        } else {
            self.chip_names.clone()
        }
    }

    /// What each chip sees of the buses' outputs: on the shared bus, `ack` and `syn_req`
    /// only while it is the chip selected for them.
    pub fn chip_views(&self, o: &Outputs) -> Vec<ChipOutputs> {
        if !self.shared_bus {
            return o.chips.clone();
        }
        let bus = o.chips[0];
        (0..self.chip_sources.len() as u32)
            .map(|k| ChipOutputs {
                ack: bus.ack && bus.sel == k,
                syn_req: bus.syn_req && bus.syn_sel == k,
                ..bus
            })
            .collect()
    }

    /// The buses' inputs when each chip drives `chips` and the buses' outputs are `o`: on
    /// the shared bus, the selected chips' lines (the others are off the bus).
    pub fn bus_inputs(&self, chips: &[ChipInputs], o: &Outputs) -> Vec<ChipInputs> {
        if !self.shared_bus {
            return chips.to_vec();
        }
        let bus = o.chips[0];
        let event = chips[bus.sel as usize];
        vec![ChipInputs {
            req: event.req,
            addr: event.addr,
            syn_ack: chips[bus.syn_sel as usize].syn_ack,
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// two_chip's parameters with its chips on the shared bus.
    fn shared_params() -> Params {
        let r = crate::compiler::render(std::path::Path::new("designs/two_chip.yaml")).unwrap();
        Params {
            shared_bus: true,
            ..Params::new(&r.compiled, &r.verilog)
        }
    }

    /// Chips that each raise one request per entry of `wants` (cycle, chip, address) and
    /// drop it as soon as they see their ack: the events the bus takes, with their cycles.
    fn run(p: &Params, wants: &[(u64, usize, u32)], cycles: u64) -> Vec<(u64, u32, u32)> {
        let mut bus = SharedBus::default();
        let mut chips = vec![ChipInputs::default(); p.chip_sources.len()];
        let mut queued: Vec<Vec<u32>> = vec![Vec::new(); chips.len()];
        let mut taken = Vec::new();
        for cycle in 0..cycles {
            let outputs = Outputs {
                chips: AerSide::Shared(bus.clone()).outputs(),
                class_valid: false,
                class_out: 0,
                class_score: 0,
            };
            for &(_, k, a) in wants.iter().filter(|w| w.0 == cycle) {
                queued[k].push(a);
            }
            for (k, (c, view)) in chips.iter_mut().zip(p.chip_views(&outputs)).enumerate() {
                if c.req && view.ack {
                    c.req = false;
                } else if !c.req && !view.ack && !queued[k].is_empty() {
                    c.req = true;
                    c.addr = queued[k].remove(0);
                }
            }
            let i = p.bus_inputs(&chips, &outputs)[0];
            bus.clock(p, cycle == 0, i, None);
            if let Some((chip, addr)) = bus.event {
                taken.push((cycle, chip, addr));
            }
        }
        taken
    }

    #[test]
    fn every_chip_is_served_in_turn_and_a_late_request_waits_for_its_next_turn() {
        let p = shared_params();
        let taken = run(&p, &[(1, 0, 3), (1, 1, 5), (2, 1, 6)], 80);
        let events: Vec<(u32, u32)> = taken.iter().map(|t| (t.1, t.2)).collect();
        // Round robin: chip 0's event, chip 1's, chip 0 has none, chip 1's second.
        assert_eq!(events, vec![(0, 3), (1, 5), (1, 6)]);
        // With no requests, chip 0 is passed over at the edge of cycle SELECT_HOLD + 1. A
        // request raised just after is kept up and taken when chip 0 is selected again,
        // after chip 1's slot: SELECT_HOLD + 1 cycles later than one raised while chip 0
        // was selected (cycle 1).
        let pass = SELECT_HOLD as u64 + 1;
        let late = run(&p, &[(pass + 1, 0, 2)], 60);
        let early = run(&p, &[(1, 0, 2)], 60);
        assert_eq!((early.len(), late.len()), (1, 1));
        assert_eq!(early[0].0, pass, "read once the hold is over");
        assert_eq!(late[0].0 - (pass + 1), early[0].0 - 1 + pass);
    }

    #[test]
    fn chips_see_only_what_is_selected_for_them() {
        let p = shared_params();
        let bus = ChipOutputs {
            ack: true,
            syn_req: true,
            syn_addr: 7,
            sel: 1,
            syn_sel: 0,
        };
        let o = Outputs {
            chips: vec![bus],
            class_valid: false,
            class_out: 0,
            class_score: 0,
        };
        let views = p.chip_views(&o);
        assert_eq!((views[0].ack, views[0].syn_req), (false, true));
        assert_eq!((views[1].ack, views[1].syn_req), (true, false));
        let chips = [
            ChipInputs {
                req: false,
                addr: 1,
                syn_ack: true,
            },
            ChipInputs {
                req: true,
                addr: 2,
                syn_ack: false,
            },
        ];
        let i = p.bus_inputs(&chips, &o)[0];
        assert_eq!((i.req, i.addr, i.syn_ack), (true, 2, true));
    }
}
