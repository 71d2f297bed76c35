//! An RC-Spike tile column in behaviour: one resistor and one Shockley diode per crosspoint
//! into a membrane capacitor, and a comparator with hysteresis. Without the diodes the
//! membrane relaxes exponentially (resistive coupling); with them the ideal formula is 21 %
//! off, so the diode is modelled exactly.

use super::neuron::thermal_voltage;

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
}
