//! The multi-level spintronic synapse in behaviour. Its conductance, normalised to its range
//! (g in [0, 1] for g_min .. g_max), moves only while a programming pulse is on: a post pulse
//! raises it in proportion to the trace the last pre pulse left (potentiation), a pre pulse
//! lowers it in proportion to the trace of the last post pulse (depression). A pulse sets its
//! trace to (nearly) 1; a trace decays with tau_plus (pre) or tau_minus (post). The change is
//! bounded by the range and relaxes toward mid-range only over the retention time.
//!
//! For pulses that do not overlap this gives the classic exponential STDP window, exactly:
//! dg = a_plus exp(-(dt - w) / tau_plus) for a post pulse dt after the pre pulse (w the pulse
//! width, dt between the pulses' starts), and -a_minus exp(-(|dt| - w) / tau_minus) for dt < 0.

use super::card::SynapseCard;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpinSynapse {
    pub pulse_width_s: f64,
    pub a_plus: f64,
    pub a_minus: f64,
    pub tau_plus_s: f64,
    pub tau_minus_s: f64,
    pub retention_s: f64,
}

/// The rate constants of the macro-model (templates/spice/spin_cells.cir) that give the
/// window above: a pulse drives its trace toward 1 at `set_rate` (1/s), and a post (pre)
/// pulse moves g at `k_plus` (`k_minus`) times the pre (post) trace.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SynapseRates {
    pub set_rate: f64,
    pub k_plus: f64,
    pub k_minus: f64,
}

/// Trace set rate in units of 1 / pulse width: the trace ends a pulse within e^-20 of its
/// set level, which the rates account for exactly anyway.
const SET_RATE_PER_WIDTH: f64 = 20.0;

impl SpinSynapse {
    pub fn new(card: &SynapseCard) -> SpinSynapse {
        SpinSynapse {
            pulse_width_s: card.pulse_width_us * 1e-6,
            a_plus: card.a_plus,
            a_minus: card.a_minus,
            tau_plus_s: card.tau_plus_ms * 1e-3,
            tau_minus_s: card.tau_minus_ms * 1e-3,
            retention_s: card.retention_s,
        }
    }

    /// The trace at the end of a pulse, from 0, decaying with `tau` (exact solution of
    /// dx/dt = set_rate (1 - x) - x / tau over the width).
    fn trace_after_pulse(&self, tau: f64) -> f64 {
        let s = SET_RATE_PER_WIDTH / self.pulse_width_s;
        let r = s + 1.0 / tau;
        s / r * (1.0 - (-r * self.pulse_width_s).exp())
    }

    /// The integral over a pulse of a trace that is 1 at its start, decaying with `tau`.
    fn trace_integral(&self, tau: f64) -> f64 {
        tau * (1.0 - (-self.pulse_width_s / tau).exp())
    }

    pub fn rates(&self) -> SynapseRates {
        let per = |tau: f64| self.trace_after_pulse(tau) * self.trace_integral(tau);
        SynapseRates {
            set_rate: SET_RATE_PER_WIDTH / self.pulse_width_s,
            k_plus: self.a_plus / per(self.tau_plus_s),
            k_minus: self.a_minus / per(self.tau_minus_s),
        }
    }

    /// Unbounded change of g from one pulse pair, post minus pre start `dt` (|dt| >= width).
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
        (g0 + self.window(dt)).clamp(0.0, 1.0)
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
        assert_eq!(s.after_pair(0.99, w), 1.0);
        assert_eq!(s.after_pair(0.01, -w), 0.0);
        let kept = s.retained(0.8, 10.0);
        assert!((kept - 0.8).abs() < 1e-5 && kept < 0.8);
    }
}
