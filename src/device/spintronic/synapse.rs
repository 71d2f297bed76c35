//! The multi-level spintronic synapse in behaviour. Its conductance, normalised to its range
//! (g in [0, 1] for g_min .. g_max), moves only while a programming pulse is on: a post pulse
//! raises it in proportion to the trace the last pre pulse left (potentiation), a pre pulse
//! lowers it in proportion to the trace of the last post pulse (depression). A pulse sets its
//! trace to (nearly) 1; a trace decays with tau_plus (pre) or tau_minus (post). The change is
//! bounded by the range and relaxes toward mid-range only over the retention time.
//!
//! A post pulse also lowers g by a_post on its own, whatever the timing. A pulse adds 1 to its
//! trace, so the traces of several pulses add up (all-to-all pairing).
//!
//! For pulses that do not overlap this gives the classic exponential STDP window, exactly:
//! dg = a_plus exp(-(dt - w) / tau_plus) for a post pulse dt after the pre pulse (w the pulse
//! width, dt between the pulses' starts), and -a_minus exp(-(|dt| - w) / tau_minus) for dt < 0,
//! each on top of the post pulse's own -a_post.

use super::card::SynapseCard;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpinSynapse {
    pub pulse_width_s: f64,
    pub a_plus: f64,
    pub a_minus: f64,
    pub a_post: f64,
    pub tau_plus_s: f64,
    pub tau_minus_s: f64,
    pub retention_s: f64,
}

/// The rate constants of the macro-model (templates/spice/spin_cells.cir) that give the
/// window above: a pulse raises its trace at `trace_rate` (1/s, one unit per pulse), a post
/// (pre) pulse moves g at `k_plus` (`k_minus`) times the pre (post) trace, and a post pulse
/// lowers g at `k_post`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SynapseRates {
    pub trace_rate: f64,
    pub k_plus: f64,
    pub k_minus: f64,
    pub k_post: f64,
}

impl SpinSynapse {
    pub fn new(card: &SynapseCard) -> SpinSynapse {
        SpinSynapse {
            pulse_width_s: card.pulse_width_us * 1e-6,
            a_plus: card.a_plus,
            a_minus: card.a_minus,
            a_post: card.a_post,
            tau_plus_s: card.tau_plus_ms * 1e-3,
            tau_minus_s: card.tau_minus_ms * 1e-3,
            retention_s: card.retention_s,
        }
    }

    /// The trace at the end of a pulse, from 0, decaying with `tau` (exact solution of
    /// dx/dt = 1 / width - x / tau over the width).
    fn trace_after_pulse(&self, tau: f64) -> f64 {
        tau / self.pulse_width_s * (1.0 - (-self.pulse_width_s / tau).exp())
    }

    /// The integral over a pulse of a trace that is 1 at its start, decaying with `tau`.
    fn trace_integral(&self, tau: f64) -> f64 {
        tau * (1.0 - (-self.pulse_width_s / tau).exp())
    }

    pub fn rates(&self) -> SynapseRates {
        let per = |tau: f64| self.trace_after_pulse(tau) * self.trace_integral(tau);
        SynapseRates {
            trace_rate: 1.0 / self.pulse_width_s,
            k_plus: self.a_plus / per(self.tau_plus_s),
            k_minus: self.a_minus / per(self.tau_minus_s),
            k_post: self.a_post / self.pulse_width_s,
        }
    }

    /// Unbounded change of g from one pulse pair, post minus pre start `dt` (|dt| >= width),
    /// without the post pulse's own change (`-a_post`): the timing-dependent part.
    pub fn window(&self, dt: f64) -> f64 {
        let gap = dt.abs() - self.pulse_width_s;
        if dt > 0.0 {
            self.a_plus * (-gap / self.tau_plus_s).exp()
        } else {
            -self.a_minus * (-gap / self.tau_minus_s).exp()
        }
    }

    /// g after one pulse pair from `g0`, bounded to the range (retention is negligible over
    /// a pair: its time constant is the card's retention, seconds to years).
    pub fn after_pair(&self, g0: f64, dt: f64) -> f64 {
        (g0 + self.window(dt) - self.a_post).clamp(0.0, 1.0)
    }

    /// g after a post pulse alone from `g0`.
    pub fn after_post(&self, g0: f64) -> f64 {
        (g0 - self.a_post).clamp(0.0, 1.0)
    }

    /// g after `dt` seconds with no pulse: the retention relaxes it toward mid-range.
    pub fn retained(&self, g: f64, dt: f64) -> f64 {
        0.5 + (g - 0.5) * (-dt / self.retention_s).exp()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_potentiates_after_and_depresses_before_and_fades() {
        let s = SpinSynapse::new(&SynapseCard::default());
        let w = s.pulse_width_s;
        assert!((s.window(w) - s.a_plus).abs() < 1e-15);
        assert!((s.window(-w) + s.a_minus).abs() < 1e-15);
        assert!(s.window(50e-3) < s.window(10e-3));
        assert_eq!(s.after_pair(0.999, w), 1.0);
        assert_eq!(s.after_pair(0.01, -w), 0.0);
        let kept = s.retained(0.8, 10.0);
        assert!((kept - 0.8).abs() < 1e-5 && kept < 0.8);
    }
}
