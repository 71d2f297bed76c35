//! The spintronic learning core, bit for bit and tick for tick as the emitted RTL
//! (templates/verilog/spin_core.v) computes it: one stochastic spintronic neuron fed by N
//! multi-level spintronic synapses, whose states the FPGA writes after every STDP update.
//!
//! Fixed point: the neuron state is Q4.12 in 16 bits (in the card's state units, where one
//! pulse adds `increment` and p_half_state is the half-probability point); the FPGA keeps every weight as Q8.8 levels (updates smaller than a level add up)
//! and the device holds its integer part, 0 ..= 255, which is what the neuron sees; STDP traces are Q4.8 in 12 bits (256 = one
//! recent spike; they add up, as the devices' traces do: all-to-all pairing); amplitudes are
//! levels in Q8.8. One tick (the time step) processes every synapse once:
//!
//! 1. if the neuron fired last tick and learning is on, each weight gains
//!    a_plus[i] x pre_trace[i] (the trace as of the end of last tick) and loses a_post[i]
//!    (the post pulse's own depression: it keeps only inputs that reliably spike shortly
//!    before the neuron, Masquelier 2017);
//! 2. every pre trace decays (x PRE_DECAY / 2^16); an input that spikes this tick loses
//!    a_minus[i] x post_trace (decayed to this tick), adds 256 to its trace and sends its
//!    weight to the neuron;
//! 3. the state leaks (x LEAK / 2^16), adds the summed weights x GAIN / 2^8, and, if any
//!    input arrived, switches when a 16-bit draw (xorshift32) is below P[x >> 4]; a switch
//!    is an output spike, resets the state and adds 256 to the post trace.

/// Weight levels (the synapse device's states) the core stores.
pub const WEIGHT_MAX: u32 = 255;
/// The FPGA's copy of a weight: Q8.8 levels, so that updates smaller than a level add up;
/// the device holds (and the neuron sees) its integer part.
pub const WEIGHT_Q_MAX: u32 = 0xFFFF;
/// A trace of one spike just now, and the largest trace (12 bits).
pub const TRACE_ONE: u32 = 256;
pub const TRACE_MAX: u32 = 4095;
/// Fractional bits of the neuron state.
pub const STATE_FRAC: u32 = 12;
/// The switching table is indexed by the state's top bits: x >> P_SHIFT.
pub const P_SHIFT: u32 = 4;
pub const P_ENTRIES: usize = 1 << (16 - P_SHIFT);
/// The largest gain the core's 16-bit constant holds.
pub const GAIN_MAX: u32 = 0xFFFF;
/// A table probability of 1.
pub const P_ONE: u32 = 1 << 16;

/// Every constant of one core (one fabricated network: mismatch is in the tables).
#[derive(Debug, Clone, PartialEq)]
pub struct CoreParams {
    pub inputs: usize,
    /// State multiplier per tick, Q0.16.
    pub leak: u32,
    /// State added per unit of summed weight, Q4.12 per level, times 2^8 (16 bits).
    pub gain: u32,
    /// Switching probability per state bin, 0 ..= 2^16.
    pub p_table: Vec<u32>,
    /// Per-tick decay of the pre and post traces, Q0.16.
    pub pre_decay: u32,
    pub post_decay: u32,
    /// Per-synapse amplitudes, levels in Q8.8.
    pub a_plus: Vec<u32>,
    pub a_minus: Vec<u32>,
    /// Per-synapse depression of every post spike alone, levels in Q8.8.
    pub a_post: Vec<u32>,
    /// Q8.8 levels.
    pub initial_weight: u32,
    /// Seed of the neuron's xorshift32 (never 0).
    pub seed: u32,
}

/// The core's state between ticks.
#[derive(Debug, Clone, PartialEq)]
pub struct Core {
    pub weights: Vec<u32>,
    pub pre_traces: Vec<u32>,
    pub post_trace: u32,
    pub state: u32,
    pub fired_last: bool,
    pub rng: u32,
}

/// One step of the xorshift32 generator the neuron draws from.
pub fn xorshift32(mut x: u32) -> u32 {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    x
}

impl Core {
    pub fn new(p: &CoreParams) -> Core {
        Core {
            weights: vec![p.initial_weight; p.inputs],
            pre_traces: vec![0; p.inputs],
            post_trace: 0,
            state: 0,
            fired_last: false,
            rng: p.seed.max(1),
        }
    }

    /// One tick with the inputs `spiking` (sorted indices) active; returns whether the
    /// neuron fired.
    pub fn tick(&mut self, p: &CoreParams, spiking: &[u32], learn: bool) -> bool {
        // The RTL sees a spike bit per input: a list with repeats would count one twice.
        debug_assert!(
            spiking.windows(2).all(|w| w[0] < w[1]),
            "sorted, no repeats"
        );
        debug_assert!(spiking.last().is_none_or(|&i| (i as usize) < p.inputs));
        if learn && self.fired_last {
            for i in 0..p.inputs {
                let gain = scale(p.a_plus[i], self.pre_traces[i]);
                let w = (self.weights[i] + gain).min(WEIGHT_Q_MAX);
                self.weights[i] = w.saturating_sub(p.a_post[i]);
            }
        }
        for t in &mut self.pre_traces {
            *t = decay(*t, p.pre_decay);
        }
        self.post_trace = decay(self.post_trace, p.post_decay);
        let mut sum = 0u32;
        for &i in spiking {
            let i = i as usize;
            if learn {
                let loss = scale(p.a_minus[i], self.post_trace);
                self.weights[i] = self.weights[i].saturating_sub(loss);
            }
            self.pre_traces[i] = (self.pre_traces[i] + TRACE_ONE).min(TRACE_MAX);
            sum += self.weights[i] >> 8;
        }
        let leaked = (self.state * p.leak) >> 16;
        self.rng = xorshift32(self.rng);
        let drive = (u64::from(sum) * u64::from(p.gain)) >> 8;
        self.state = (u64::from(leaked) + drive).min(0xFFFF) as u32;
        let fired =
            !spiking.is_empty() && (self.rng >> 16) < p.p_table[(self.state >> P_SHIFT) as usize];
        if fired {
            self.state = 0;
            self.post_trace = (self.post_trace + TRACE_ONE).min(TRACE_MAX);
        }
        self.fired_last = fired;
        fired
    }
}

/// An amplitude (levels, Q8.8) times a trace (Q4.8), in Q8.8 levels.
fn scale(amplitude: u32, trace: u32) -> u32 {
    (amplitude * trace) >> 8
}

fn decay(trace: u32, factor: u32) -> u32 {
    (trace * factor) >> 16
}

/// The physics a core is quantized from, in the devices' own units.
#[derive(Debug, Clone, PartialEq)]
pub struct CorePhysics {
    pub inputs: usize,
    pub tick_s: f64,
    pub leak_tau_s: f64,
    /// Neuron state one input spike through a full-conductance synapse adds.
    pub state_per_full_input: f64,
    pub p_half: f64,
    pub p_width: f64,
    /// Window: amplitude (fraction of the range at a gap of one pulse width) and decay.
    pub pulse_width_s: f64,
    pub tau_plus_s: f64,
    pub tau_minus_s: f64,
    /// Per-synapse amplitudes, fractions of the conductance range.
    pub a_plus: Vec<f64>,
    pub a_minus: Vec<f64>,
    pub a_post: Vec<f64>,
    pub initial_weight: f64,
    pub seed: u32,
}

fn q(x: f64, one: f64) -> u32 {
    (x * one).round().clamp(0.0, u32::MAX as f64) as u32
}

impl CoreParams {
    pub fn quantize(ph: &CorePhysics) -> CoreParams {
        let levels = f64::from(WEIGHT_MAX);
        let state_one = f64::from(1u32 << STATE_FRAC);
        let p_table = (0..P_ENTRIES)
            .map(|k| {
                // The probability at the middle of the bin.
                let x =
                    (((k as u32) << P_SHIFT) as f64 + f64::from(1u32 << (P_SHIFT - 1))) / state_one;
                let p = 1.0 / (1.0 + (-(x - ph.p_half) / ph.p_width).exp());
                q(p, f64::from(P_ONE)).min(P_ONE)
            })
            .collect();
        // A trace of 1 at the gap of one pulse width is the window's peak: a pair one tick
        // apart changes the weight by a x exp(-(tick - width) / tau), as the devices do.
        let peak = |tau: f64| (ph.pulse_width_s / tau).exp();
        CoreParams {
            inputs: ph.inputs,
            leak: q((-ph.tick_s / ph.leak_tau_s).exp(), 65536.0).min(65535),
            gain: q(ph.state_per_full_input / levels, state_one * 256.0).min(GAIN_MAX),
            p_table,
            pre_decay: q((-ph.tick_s / ph.tau_plus_s).exp(), 65536.0).min(65535),
            post_decay: q((-ph.tick_s / ph.tau_minus_s).exp(), 65536.0).min(65535),
            a_plus: ph
                .a_plus
                .iter()
                .map(|a| q(a * levels * peak(ph.tau_plus_s), 256.0).min(0xFFFF))
                .collect(),
            a_minus: ph
                .a_minus
                .iter()
                .map(|a| q(a * levels * peak(ph.tau_minus_s), 256.0).min(0xFFFF))
                .collect(),
            a_post: ph
                .a_post
                .iter()
                .map(|a| q(a * levels, 256.0).min(0xFFFF))
                .collect(),
            initial_weight: q(ph.initial_weight * levels, 256.0).min(WEIGHT_Q_MAX),
            seed: ph.seed.max(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn physics() -> CorePhysics {
        CorePhysics {
            inputs: 4,
            tick_s: 1e-3,
            leak_tau_s: 10e-3,
            state_per_full_input: 0.5,
            p_half: 1.0,
            p_width: 0.05,
            pulse_width_s: 10e-6,
            tau_plus_s: 16.8e-3,
            tau_minus_s: 33.7e-3,
            a_plus: vec![0.03125; 4],
            a_minus: vec![0.0265625; 4],
            a_post: vec![0.0; 4],
            initial_weight: 0.5,
            seed: 7,
        }
    }

    #[test]
    fn quantized_tables_keep_the_physics() {
        let p = CoreParams::quantize(&physics());
        assert_eq!(p.pre_decay, 61749); // exp(-1 / 16.8) x 2^16
        assert_eq!(p.a_plus[0], 2041); // 0.03125 x 255 levels = 7.97 levels, x exp(10 us / tau+)
        // Half probability at state 1.0 = 4096 -> bin 256.
        assert!((p.p_table[256] as i64 - 32768).abs() < 1500);
        assert_eq!(p.p_table[0], 0);
        assert_eq!(p.p_table[P_ENTRIES - 1], P_ONE);
        assert_eq!(p.initial_weight, 128 * 255);
    }

    #[test]
    fn a_post_spike_potentiates_recent_inputs_and_a_later_input_is_depressed() {
        let mut ph = physics();
        ph.state_per_full_input = 4.0; // one input fires the neuron for sure
        let p = CoreParams::quantize(&ph);
        let mut core = Core::new(&p);
        assert!(core.tick(&p, &[0, 1], true));
        assert!(!core.tick(&p, &[], true));
        // Inputs 0 and 1 spiked with the post spike: full potentiation.
        assert_eq!(core.weights[0], 128 * 255 + 2041);
        assert_eq!(core.weights[2], 128 * 255);
        core.tick(&p, &[2], true);
        assert!(core.weights[2] < 128 * 255);
    }
}
