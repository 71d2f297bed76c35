//! The AER spike router and its routing table (templates/verilog/router.v).
use super::{Params, mask};

#[derive(Debug, Clone)]
pub(super) struct Router {
    pub(super) pending: Vec<bool>,
    pub(super) sending: bool,
    pub(super) ptr: u64,
    pub(super) last: u64,
}

impl Router {
    /// The destination at `ptr` (the ROM's default, chip 0 synapse 0, past its end).
    pub(super) fn dest(&self, p: &Params) -> (u32, u32) {
        p.route_dest
            .get(self.ptr as usize)
            .copied()
            .unwrap_or((0, 0))
    }

    /// (chip that out_valid selects, synapse) while sending.
    pub(super) fn output(&self, p: &Params) -> Option<(u32, u32)> {
        self.sending.then(|| self.dest(p))
    }

    pub(super) fn clock(&mut self, p: &Params, rst: bool, src_spikes: &[bool], ready: &[bool]) {
        if rst {
            self.pending.iter_mut().for_each(|b| *b = false);
            self.sending = false;
            self.ptr = 0;
            self.last = 0;
            return;
        }
        let first = self.pending.iter().position(|&b| b);
        let grant = if self.sending { None } else { first };
        let fire = self.sending && ready.get(self.dest(p).0 as usize).copied().unwrap_or(false);
        debug_assert_eq!(src_spikes.len(), self.pending.len());
        // The granted source's pending bit clears unless it spikes again in this cycle.
        if let Some(g) = grant {
            self.pending[g] = false;
        }
        for (b, &spike) in self.pending.iter_mut().zip(src_spikes) {
            *b |= spike;
        }
        let ptr_mask = mask(p.ptr_w);
        match grant {
            Some(s) if p.route_count[s] != 0 => {
                self.sending = true;
                self.ptr = p.route_base[s];
                self.last = (p.route_base[s] + p.route_count[s] - 1) & ptr_mask;
            }
            _ if fire => {
                if self.ptr == self.last {
                    self.sending = false;
                } else {
                    self.ptr = (self.ptr + 1) & ptr_mask;
                }
            }
            _ => {}
        }
    }
}
