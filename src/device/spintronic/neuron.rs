//! The stochastic spintronic neuron in behaviour: an internal state that each input pulse
//! raises (the pulse injects `increment` evenly over its width while the leak acts) and that
//! relaxes to 0 between pulses; at the end of every pulse the device switches with
//! probability p(x), a logistic function of the state, and a switched device is reset.
//!
//! A uniform draw u in (0, 1) switches the device exactly when the state exceeds
//! `threshold(u)`: the ngspice macro-model takes its randomness as these thresholds, so the
//! model and the netlist can run on the very same draws.

use super::card::NeuronCard;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpinNeuron {
    pub pulse_width_s: f64,
    pub increment: f64,
    pub leak_tau_s: f64,
    pub p_half: f64,
    pub p_width: f64,
}

impl SpinNeuron {
    pub fn new(card: &NeuronCard) -> SpinNeuron {
        SpinNeuron {
            pulse_width_s: card.pulse_width_us * 1e-6,
            increment: card.increment,
            leak_tau_s: card.leak_tau_ms * 1e-3,
            p_half: card.p_half_state,
            p_width: card.p_width_state,
        }
    }

    /// The state at the end of a pulse that starts at `x0`.
    pub fn after_pulse(&self, x0: f64) -> f64 {
        let e = (-self.pulse_width_s / self.leak_tau_s).exp();
        x0 * e + self.increment * self.leak_tau_s / self.pulse_width_s * (1.0 - e)
    }

    /// The state `dt` seconds after it was `x`, with no pulse in between.
    pub fn decay(&self, x: f64, dt: f64) -> f64 {
        x * (-dt / self.leak_tau_s).exp()
    }

    /// Probability that a pulse ending at state `x` switches the device.
    pub fn p_switch(&self, x: f64) -> f64 {
        1.0 / (1.0 + (-(x - self.p_half) / self.p_width).exp())
    }

    /// The state above which the draw `u` switches the device: x > threshold(u) exactly
    /// when u < p_switch(x).
    pub fn threshold(&self, u: f64) -> f64 {
        self.p_half + self.p_width * (u / (1.0 - u)).ln()
    }

    /// The state at the end of each of `n` pulses that start every `period` seconds, on a
    /// device that does not switch.
    pub fn pulse_states(&self, n: usize, period: f64) -> Vec<f64> {
        let gap = period - self.pulse_width_s;
        let mut x = 0.0;
        (0..n)
            .map(|_| {
                x = self.after_pulse(x);
                let end = x;
                x = self.decay(x, gap);
                end
            })
            .collect()
    }

    /// Probability that the device has switched by the end of pulse k, for k = 1..=n.
    pub fn switched_by(&self, n: usize, period: f64) -> Vec<f64> {
        let mut stays = 1.0;
        self.pulse_states(n, period)
            .into_iter()
            .map(|x| {
                stays *= 1.0 - self.p_switch(x);
                1.0 - stays
            })
            .collect()
    }

    /// The pulse (1-based) at which a trial with one uniform draw per pulse switches, if any.
    pub fn trial(&self, draws: &[f64], period: f64) -> Option<usize> {
        self.pulse_states(draws.len(), period)
            .into_iter()
            .zip(draws)
            .position(|(x, &u)| x > self.threshold(u))
            .map(|k| k + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn neuron() -> SpinNeuron {
        SpinNeuron::new(&NeuronCard::default())
    }

    #[test]
    fn a_threshold_switches_exactly_when_the_draw_is_below_the_probability() {
        let n = neuron();
        for u in [0.01, 0.3, 0.5, 0.9, 0.999] {
            let x = n.threshold(u);
            assert!((n.p_switch(x) - u).abs() < 1e-12);
        }
    }

    #[test]
    fn switching_rises_with_pulse_count_and_frequency() {
        let n = neuron();
        let slow = n.switched_by(10, 10e-3);
        let fast = n.switched_by(10, 2e-3);
        assert!(slow.windows(2).all(|w| w[1] >= w[0]));
        assert!(fast.windows(2).all(|w| w[1] >= w[0]));
        assert!(fast[9] > slow[9] + 0.3, "fast {fast:?} slow {slow:?}");
        // One pulse alone almost never switches it: the rise is nonlinear in the count.
        assert!(fast[0] < 1e-3);
    }

    #[test]
    fn the_state_after_a_pulse_is_the_integral_of_the_injection_under_the_leak() {
        let n = neuron();
        // Euler integration of dx/dt = inc/tw - x/tau over the pulse.
        let steps = 100_000;
        let dt = n.pulse_width_s / steps as f64;
        let mut x = 0.4;
        for _ in 0..steps {
            x += dt * (n.increment / n.pulse_width_s - x / n.leak_tau_s);
        }
        assert!((x - n.after_pulse(0.4)).abs() < 1e-6);
    }
}
