//! One chip's four-phase AER interface (templates/verilog/chip_if.v).
use super::{ChipInputs, Params, mask};

#[derive(Debug, Clone, Default)]
pub(super) struct ChipIf {
    pub(super) req_sync: [bool; 2],
    pub(super) ack_sync: [bool; 2],
    pub(super) chip_ack: bool,
    /// The one bit of `events` that is set, if any.
    pub(super) event: Option<u32>,
    pub(super) busy: bool,
    pub(super) syn_req: bool,
    pub(super) syn_addr: u32,
}

impl ChipIf {
    pub(super) fn syn_ready(&self) -> bool {
        !self.busy
    }

    pub(super) fn clock(
        &mut self,
        p: &Params,
        sources: u32,
        rst: bool,
        i: ChipInputs,
        syn_valid: bool,
        syn_addr: u32,
    ) {
        if rst {
            *self = ChipIf::default();
            return;
        }
        let old = self.clone();
        self.req_sync = [i.req, old.req_sync[0]];
        self.ack_sync = [i.syn_ack, old.ack_sync[0]];
        let addr = i.addr & mask(p.src_w) as u32;
        let capture = old.req_sync[1] && !old.chip_ack;
        self.event = (capture && addr < sources).then_some(addr);
        if capture {
            self.chip_ack = true;
        } else if !old.req_sync[1] && old.chip_ack {
            self.chip_ack = false;
        }
        if !old.busy {
            if syn_valid {
                self.busy = true;
                self.syn_req = true;
                self.syn_addr = syn_addr & mask(p.syn_w) as u32;
            }
        } else if old.syn_req {
            if old.ack_sync[1] {
                self.syn_req = false;
            }
        } else if !old.ack_sync[1] {
            self.busy = false;
        }
    }
}
