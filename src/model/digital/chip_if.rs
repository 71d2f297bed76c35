//! One chip's four-phase AER interface (templates/verilog/chip_if.v).
use super::{ChipInputs, Params, mask};

#[derive(Debug, Clone, Default)]
pub(super) struct ChipIf {
    pub(super) req_sync: [bool; 2],
    pub(super) chip_ack: bool,
    /// The one bit of `events` that is set, if any.
    pub(super) event: Option<u32>,
    pub(super) sender: SynapseSender,
}

/// The FPGA -> chip handshake of a synapse event, the same on a chip's own bus and on the
/// shared one: the event is held with `syn_req` high until the synchronized ack rises, and
/// the sender is busy until that ack has fallen again.
#[derive(Debug, Clone, Default)]
pub(super) struct SynapseSender {
    pub(super) ack_sync: [bool; 2],
    pub(super) busy: bool,
    pub(super) syn_req: bool,
    pub(super) syn_addr: u32,
}

impl SynapseSender {
    pub(super) fn ready(&self) -> bool {
        !self.busy
    }

    /// One edge with the chip's ack; `send` is the event offered when idle, and whether it
    /// was taken is returned.
    pub(super) fn clock(&mut self, p: &Params, syn_ack: bool, send: Option<u32>) -> bool {
        let old = self.clone();
        self.ack_sync = [syn_ack, old.ack_sync[0]];
        if !old.busy {
            if let Some(addr) = send {
                self.busy = true;
                self.syn_req = true;
                self.syn_addr = addr & mask(p.syn_w) as u32;
                return true;
            }
        } else if old.syn_req {
            if old.ack_sync[1] {
                self.syn_req = false;
            }
        } else if !old.ack_sync[1] {
            self.busy = false;
        }
        false
    }
}

impl ChipIf {
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
        let addr = i.addr & mask(p.src_w) as u32;
        let capture = old.req_sync[1] && !old.chip_ack;
        self.event = (capture && addr < sources).then_some(addr);
        if capture {
            self.chip_ack = true;
        } else if !old.req_sync[1] && old.chip_ack {
            self.chip_ack = false;
        }
        self.sender
            .clock(p, i.syn_ack, syn_valid.then_some(syn_addr));
    }
}
