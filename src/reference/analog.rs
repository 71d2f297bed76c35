//! Behavioural models of the analog cells, the oracle the ngspice decks are held against:
//! the subthreshold Axon-Hillock neuron, its synapses, and RC-Spike tile columns with one
//! resistor and one Shockley diode per crosspoint.
//!
//! The neuron constants below come from the ngspice sweeps of the bundled cells
//! (sim/README.md) and are provisional: `snngen characterize` fits them per mode.

use crate::design::NeuronMode;
use crate::lower::spice::{WEIGHT_LEVELS, weight_level};

/// Boltzmann constant over electron charge (V/K).
const K_OVER_Q: f64 = 8.617_333e-5;

/// Thermal voltage kT/q at `celsius`.
pub fn thermal_voltage(celsius: f64) -> f64 {
    K_OVER_Q * (celsius + 273.15)
}

/// Leak current of the `regular` mode (vleak = 0): the off-current of the leak nMOS.
const LEAK_AT_ZERO_BIAS: f64 = 2e-12;
/// Leak grows one e-fold per this many volts of vleak (0.55 nA at 0.24 V, measured rheobase).
const LEAK_VOLTS_PER_EFOLD: f64 = 0.0427;
/// Refractory time (spike width) at vpw = 0.5 V, and its growth per volt below that
/// (90 ns at 0.5 V, several us at 0.3 V in the sweeps).
const REFRACTORY_AT_HALF_VOLT: f64 = 90e-9;
const REFRACTORY_VOLTS_PER_EFOLD: f64 = 0.05;
/// Membrane charge (per fF of total capacitance) that reaches the inverter's switching
/// point: 31 fC on 120 fF in the sweeps (the feedback capacitor's kick included).
const THRESHOLD_VOLTS: f64 = 0.26;
/// Charge a weight-1 synapse moves per presynaptic spike (28.6 fC, regular-mode spike).
pub const SYNAPSE_FULL_CHARGE: f64 = 28.6e-15;

/// Parameters of one behavioural neuron (per neuron, so mismatch draws can be fed in).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NeuronParams {
    /// Membrane plus feedback capacitance (F).
    pub capacitance: f64,
    pub v_threshold: f64,
    pub v_reset: f64,
    /// Fixed part of the refractory time (s): the membrane is held at v_reset this long ...
    pub t_refractory: f64,
    /// ... plus q_reset / (i_reset - I): a weak reset transistor (current i_reset) has to
    /// remove charge q_reset against the input current I, so spikes widen with input.
    pub q_reset: f64,
    pub i_reset: f64,
    /// From the membrane reaching threshold to the spike output's rising edge (s): the
    /// inverters' positive-feedback switching time.
    pub t_delay: f64,
    /// Saturated leak current (A); it rolls off as 1 - exp(-v / U_T) near 0 V.
    pub i_leak: f64,
    pub thermal_voltage: f64,
}

impl NeuronParams {
    /// The behavioural equivalent of a bias preset at supply `vdd` and `celsius`: the fitted
    /// parameters when sim/calibration/ holds this mode (interpolated between its calibrated
    /// temperatures, -20 / 27 / 85 C, held outside them), else the provisional formulas.
    pub fn from_mode(mode: &NeuronMode, vdd: f64, celsius: f64) -> NeuronParams {
        if let Some(fit) = super::calibration::bundled_calibration().lookup_at(mode, vdd, celsius) {
            return fit.params(celsius);
        }
        NeuronParams {
            capacitance: (mode.cmem_ff + mode.cfb_ff) * 1e-15,
            v_threshold: THRESHOLD_VOLTS,
            v_reset: 0.0,
            t_refractory: REFRACTORY_AT_HALF_VOLT
                * ((0.5 - mode.vpw) / REFRACTORY_VOLTS_PER_EFOLD).exp(),
            q_reset: 0.0,
            i_reset: f64::INFINITY,
            t_delay: 0.0,
            i_leak: LEAK_AT_ZERO_BIAS * (mode.vleak / LEAK_VOLTS_PER_EFOLD).exp(),
            thermal_voltage: thermal_voltage(celsius),
        }
    }

    /// Refractory time (s) after a spike under input current `current`; infinite when the
    /// input outweighs the reset (the circuit latches high).
    pub fn refractory(&self, current: f64) -> f64 {
        if self.q_reset == 0.0 {
            self.t_refractory
        } else if current < self.i_reset {
            self.t_refractory + self.q_reset / (self.i_reset - current)
        } else {
            f64::INFINITY
        }
    }

    /// Time (s) the membrane takes from `v0` to the threshold under a constant `current`,
    /// or None when it never gets there. Closed form of C dv/dt = I - I_leak (1 - e^(-v/U_T)):
    /// with w = e^(v/U_T) the equation is linear, C U_T dw/dt = (I - I_leak) w + I_leak.
    pub fn charge_time(&self, current: f64, v0: f64) -> Option<f64> {
        let (a, b, ut) = (current - self.i_leak, self.i_leak, self.thermal_voltage);
        let (w0, w1) = ((v0 / ut).exp(), (self.v_threshold / ut).exp());
        if a == 0.0 {
            return (b > 0.0).then(|| self.capacitance * ut * (w1 - w0) / b);
        }
        let (start, end) = (a * w0 + b, a * w1 + b);
        if start <= 0.0 || end <= 0.0 {
            return None;
        }
        Some(self.capacitance * ut / a * (end / start).ln())
    }

    /// Spike times (s) under a constant `current` from v = 0 at t = 0, up to `until`.
    pub fn dc_spike_times(&self, current: f64, until: f64) -> Vec<f64> {
        let mut times = Vec::new();
        let Some(first) = self.charge_time(current, 0.0) else {
            return times;
        };
        let mut t = first;
        while t + self.t_delay <= until {
            times.push(t + self.t_delay);
            match self.charge_time(current, self.v_reset) {
                Some(isi) => t += self.refractory(current) + isi,
                None => break,
            }
        }
        times
    }

    /// Steady firing rate (Hz) under a constant input current.
    pub fn rate(&self, current: f64) -> f64 {
        match self.charge_time(current, self.v_reset) {
            Some(t) => 1.0 / (self.refractory(current) + t),
            None => 0.0,
        }
    }
}

/// State of one neuron.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Neuron {
    pub v: f64,
    /// Time left in the refractory period (s).
    pub refractory: f64,
    /// Time left until a threshold crossing shows as an output spike (s).
    pub spike_in: Option<f64>,
}

impl Neuron {
    pub fn new() -> Neuron {
        Neuron::default()
    }

    /// Advances by `dt` with input current `current` (A) and `charge` (C) delivered by
    /// synapses at the start of the step; returns whether the neuron fired. The membrane
    /// moves along the exact solution for a constant current (see `charge_time`).
    pub fn step(&mut self, p: &NeuronParams, current: f64, charge: f64, dt: f64) -> bool {
        let fired = match self.spike_in {
            Some(left) if left <= dt => {
                self.spike_in = None;
                true
            }
            Some(left) => {
                self.spike_in = Some(left - dt);
                false
            }
            None => false,
        };
        if self.refractory > 0.0 {
            self.refractory -= dt;
            self.v = p.v_reset;
            return fired;
        }
        let ut = p.thermal_voltage;
        let v = (self.v + charge / p.capacitance).max(0.0);
        let (a, b) = (current - p.i_leak, p.i_leak);
        let w0 = (v / ut).exp();
        let w = if a == 0.0 {
            w0 + b * dt / (p.capacitance * ut)
        } else {
            (w0 + b / a) * (a * dt / (p.capacitance * ut)).exp() - b / a
        };
        self.v = if w > 1.0 { ut * w.ln() } else { 0.0 };
        if self.v >= p.v_threshold {
            self.v = p.v_reset;
            self.refractory = p.refractory(current);
            if p.t_delay <= 0.0 {
                return true;
            }
            self.spike_in = Some(p.t_delay);
        }
        fired
    }
}

/// Charge (C) one FPGA input pulse moves through a neuron's input synapse of weight `w`:
/// measured per DAC level when the bundled calibration covers `vdd`.
pub fn input_charge(w: f64, vdd: f64) -> f64 {
    super::calibration::bundled_calibration()
        .input_charge(weight_level(w), vdd)
        .unwrap_or_else(|| synapse_charge(w))
}

/// Charge (C, signed) a synapse of weight `w` in [-1, 1] moves per presynaptic spike; the
/// netlist's 4-bit bias DAC quantizes the weight the same way.
pub fn synapse_charge(w: f64) -> f64 {
    let level = weight_level(w) as f64 / WEIGHT_LEVELS as f64;
    w.signum() * level * SYNAPSE_FULL_CHARGE
}

/// Saturation current (A) of the crosspoint diode (`dsyn`: is=1e-14 at 27 C, n=1) at
/// `celsius`, as ngspice's diode model scales it (defaults eg=1.11 eV, xti=3):
/// Is(T) = Is exp((T/Tnom - 1) eg / (n kT/q) + xti/n ln(T/Tnom)). It grows ~1000x from 27
/// to 85 C, which a model held at 1e-14 misses (20 % of full scale off at 85 C).
pub fn crosspoint_saturation_current(celsius: f64) -> f64 {
    const IS_NOMINAL: f64 = 1e-14;
    const EG: f64 = 1.11;
    const XTI: f64 = 3.0;
    const TNOM: f64 = 27.0 + 273.15;
    let t = celsius + 273.15;
    IS_NOMINAL * ((t / TNOM - 1.0) * EG / thermal_voltage(celsius) + XTI * (t / TNOM).ln()).exp()
}

/// Shockley diode in series with a resistor: the current through both for a voltage `v`
/// across the pair, solved exactly with the Lambert W function.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResistorDiode {
    pub ohms: f64,
    pub saturation_current: f64,
    /// Emission coefficient times thermal voltage (V).
    pub n_vt: f64,
}

impl ResistorDiode {
    pub fn current(&self, v: f64) -> f64 {
        let (r, is, nvt) = (self.ohms, self.saturation_current, self.n_vt);
        // I = (nVt/R) W((Is R / nVt) exp((v + Is R) / nVt)) - Is
        let x = (is * r / nvt).ln() + (v + is * r) / nvt;
        nvt / r * lambert_w_exp(x) - is
    }
}

/// W(e^x) for real x, by Newton iteration on w + ln w = x (stable for huge x).
fn lambert_w_exp(x: f64) -> f64 {
    let mut w = if x > 1.0 {
        x - x.ln()
    } else {
        x.exp().max(1e-300)
    };
    for _ in 0..50 {
        let f = w + w.ln() - x;
        let step = f / (1.0 + 1.0 / w);
        w = (w - step).max(w * 1e-3);
        if step.abs() <= 1e-14 * w.abs().max(1e-300) {
            break;
        }
    }
    w
}

/// One output column of an RC-Spike tile: crosspoints into a membrane capacitor, and a
/// comparator that discharges it from the threshold to threshold - hysteresis.
#[derive(Debug, Clone, PartialEq)]
pub struct TileColumn {
    pub capacitance: f64,
    pub threshold: f64,
    pub hysteresis: f64,
    /// One crosspoint per input (None where the weight is 0).
    pub crosspoints: Vec<Option<ResistorDiode>>,
    /// With `diodes = false` the diodes are left out: resistor-only coupling.
    pub diodes: bool,
}

impl TileColumn {
    /// Membrane current (A) at membrane voltage `v` for input voltages `inputs`.
    pub fn current(&self, v: f64, inputs: &[f64]) -> f64 {
        self.crosspoints
            .iter()
            .zip(inputs)
            .filter_map(|(x, &vin)| x.map(|x| (x, vin)))
            .map(|(x, vin)| {
                if self.diodes {
                    x.current(vin - v)
                } else {
                    (vin - v) / x.ohms
                }
            })
            .sum()
    }

    /// Advances the membrane by `dt` (classic Runge-Kutta); returns whether it fired.
    pub fn step(&self, v: &mut f64, inputs: &[f64], dt: f64) -> bool {
        let f = |v: f64| self.current(v, inputs) / self.capacitance;
        let k1 = f(*v);
        let k2 = f(*v + 0.5 * dt * k1);
        let k3 = f(*v + 0.5 * dt * k2);
        let k4 = f(*v + dt * k3);
        *v += dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
        if *v >= self.threshold {
            *v = self.threshold - self.hysteresis;
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::build::builtin_modes;

    #[test]
    fn regular_mode_fits_the_measured_f_i_curve() {
        let p = NeuronParams::from_mode(&builtin_modes()["regular"], 0.6, 27.0);
        // ngspice (sim/README.md): 6.5 kHz at 0.2 nA, 31.8 kHz at 1 nA, 92.7 kHz at 3 nA.
        // The bundled calibration fits the sweep to 0.3 % (characterize re-measures it).
        for (current, measured) in [(0.2e-9, 6.5e3), (1e-9, 31.8e3), (3e-9, 92.7e3)] {
            let rate = p.rate(current);
            assert!(
                (rate / measured - 1.0).abs() < 0.01,
                "{current}: {rate} vs {measured}"
            );
        }
        // A mode the calibration does not hold gets the provisional formulas: within 12 %.
        let mut other = builtin_modes()["regular"].clone();
        other.cmem_ff += 1e-6;
        let rough = NeuronParams::from_mode(&other, 0.6, 27.0);
        assert!((rough.rate(1e-9) / 31.8e3 - 1.0).abs() < 0.12);
    }

    #[test]
    fn leaky_mode_has_the_measured_rheobase() {
        let p = NeuronParams::from_mode(&builtin_modes()["leaky"], 0.6, 27.0);
        assert_eq!(p.rate(0.4e-9), 0.0, "0.4 nA is below the 0.55 nA rheobase");
        assert!(p.rate(1e-9) > 1e3);
    }

    #[test]
    fn resistor_diode_current_solves_both_laws() {
        let x = ResistorDiode {
            ohms: 1e9,
            saturation_current: 1e-14,
            n_vt: thermal_voltage(27.0),
        };
        for v in [-0.5, 0.0, 0.1, 0.4, 0.8, 1.5] {
            let i = x.current(v);
            let vd = v - i * x.ohms;
            let shockley = x.saturation_current * ((vd / x.n_vt).exp() - 1.0);
            assert!(
                (i - shockley).abs() <= 1e-9 * i.abs().max(1e-15),
                "{v}: {i} vs {shockley}"
            );
        }
        // At nA currents the diode drops ~0.3 V: half of the resistor-only current at 0.8 V.
        assert!(x.current(0.8) < 0.7 * 0.8 / 1e9);
    }

    #[test]
    fn resistor_only_column_relaxes_exponentially() {
        let col = TileColumn {
            capacitance: 100e-15,
            threshold: 10.0,
            hysteresis: 0.1,
            crosspoints: vec![Some(ResistorDiode {
                ohms: 1e9,
                saturation_current: 1e-14,
                n_vt: 0.0259,
            })],
            diodes: false,
        };
        let (mut v, dt) = (0.0, 1e-7);
        for _ in 0..1000 {
            col.step(&mut v, &[1.0], dt);
        }
        let exact = 1.0 - (-1e-4f64 / (1e9 * 100e-15)).exp();
        assert!((v - exact).abs() < 1e-9, "{v} vs {exact}");
    }

    #[test]
    fn synapse_charge_follows_the_bias_dac() {
        assert_eq!(synapse_charge(0.0), 0.0);
        assert_eq!(synapse_charge(1.0), SYNAPSE_FULL_CHARGE);
        assert_eq!(synapse_charge(-1.0), -SYNAPSE_FULL_CHARGE);
        assert!((synapse_charge(0.5) - SYNAPSE_FULL_CHARGE * 8.0 / 15.0).abs() < 1e-30);
    }
}
