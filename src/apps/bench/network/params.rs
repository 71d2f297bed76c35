//! What a network is made of: per-neuron parameters, their checks, and the errors of
//! building a network.

/// Errors from building a network. Every message names the offending index and value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NetworkError {
    #[error("time step dt must be finite and > 0, got {0}")]
    BadDt(f64),
    #[error("parameter array `{name}` has {got} entries, expected {expected}")]
    Length {
        name: &'static str,
        got: usize,
        expected: usize,
    },
    #[error("neuron {neuron}: `{name}` must be {rule}, got {value}")]
    BadParam {
        neuron: usize,
        name: &'static str,
        rule: &'static str,
        value: f64,
    },
    #[error("connectivity is for {got} neurons, the network has {expected}")]
    SizeMismatch { got: usize, expected: usize },
    #[error("synapse {index}: neuron index {neuron} out of range for {n} neurons")]
    BadIndex {
        index: usize,
        neuron: usize,
        n: usize,
    },
    #[error("synapse {index}: weight must be finite, got {value}")]
    BadWeight { index: usize, value: f64 },
    #[error("CSR offsets must start at 0, be non-decreasing and end at {synapses}")]
    BadOffsets { synapses: usize },
    #[error("too many neurons ({0}); the limit is 2^30")]
    TooLarge(usize),
}

/// Parameters of one neuron (same units as [`NetworkParams`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LifParams {
    pub v_rest: f64,
    pub v_th: f64,
    pub v_reset: f64,
    pub tau_m: f64,
    pub tau_e: f64,
    pub tau_i: f64,
    pub refractory: f64,
}

/// Per-neuron parameter arrays (structure of arrays, all of length `len()`) and the time step.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkParams {
    pub dt: f64,
    pub v_rest: Vec<f64>,
    pub v_th: Vec<f64>,
    pub v_reset: Vec<f64>,
    pub tau_m: Vec<f64>,
    pub tau_e: Vec<f64>,
    pub tau_i: Vec<f64>,
    pub refractory: Vec<f64>,
}

impl NetworkParams {
    /// `n` neurons, all with the parameters `p`.
    pub fn uniform(n: usize, dt: f64, p: &LifParams) -> Self {
        NetworkParams {
            dt,
            v_rest: vec![p.v_rest; n],
            v_th: vec![p.v_th; n],
            v_reset: vec![p.v_reset; n],
            tau_m: vec![p.tau_m; n],
            tau_e: vec![p.tau_e; n],
            tau_i: vec![p.tau_i; n],
            refractory: vec![p.refractory; n],
        }
    }

    /// Number of neurons (length of `v_rest`; `validate` checks the others agree).
    pub fn len(&self) -> usize {
        self.v_rest.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The parameters of neuron `i`. Panics if `i` is out of range.
    pub fn neuron(&self, i: usize) -> LifParams {
        LifParams {
            v_rest: self.v_rest[i],
            v_th: self.v_th[i],
            v_reset: self.v_reset[i],
            tau_m: self.tau_m[i],
            tau_e: self.tau_e[i],
            tau_i: self.tau_i[i],
            refractory: self.refractory[i],
        }
    }

    /// Overwrite the parameters of neuron `i` (e.g. with a mismatch draw). Panics if out of range.
    pub fn set_neuron(&mut self, i: usize, p: &LifParams) {
        self.v_rest[i] = p.v_rest;
        self.v_th[i] = p.v_th;
        self.v_reset[i] = p.v_reset;
        self.tau_m[i] = p.tau_m;
        self.tau_e[i] = p.tau_e;
        self.tau_i[i] = p.tau_i;
        self.refractory[i] = p.refractory;
    }

    /// Check lengths and values; the first problem is returned.
    pub fn validate(&self) -> Result<(), NetworkError> {
        if !(self.dt.is_finite() && self.dt > 0.0) {
            return Err(NetworkError::BadDt(self.dt));
        }
        let n = self.len();
        if n > MAX_NEURONS {
            return Err(NetworkError::TooLarge(n));
        }
        let arrays: [ParamCheck<'_>; 7] = [
            ("v_rest", &self.v_rest, "finite", |x| x.is_finite()),
            ("v_th", &self.v_th, "finite", |x| x.is_finite()),
            ("v_reset", &self.v_reset, "finite", |x| x.is_finite()),
            ("tau_m", &self.tau_m, "finite and > 0", |x| {
                x.is_finite() && x > 0.0
            }),
            ("tau_e", &self.tau_e, "finite and > 0", |x| {
                x.is_finite() && x > 0.0
            }),
            ("tau_i", &self.tau_i, "finite and > 0", |x| {
                x.is_finite() && x > 0.0
            }),
            ("refractory", &self.refractory, "finite and >= 0", |x| {
                x.is_finite() && x >= 0.0
            }),
        ];
        for (name, a, rule, ok) in arrays {
            if a.len() != n {
                return Err(NetworkError::Length {
                    name,
                    got: a.len(),
                    expected: n,
                });
            }
            if let Some((neuron, &value)) = a.iter().enumerate().find(|(_, x)| !ok(**x)) {
                return Err(NetworkError::BadParam {
                    neuron,
                    name,
                    rule,
                    value,
                });
            }
        }
        for i in 0..n {
            let steps = timestep(self.refractory[i], self.dt);
            if steps > MAX_REFRACTORY_STEPS as f64 {
                return Err(NetworkError::BadParam {
                    neuron: i,
                    name: "refractory",
                    rule: "at most 2^28 time steps",
                    value: self.refractory[i],
                });
            }
        }
        Ok(())
    }
}

/// (name, values, rule, test) for `NetworkParams::validate`.
type ParamCheck<'a> = (&'static str, &'a [f64], &'static str, fn(f64) -> bool);

pub(super) const MAX_NEURONS: usize = 1 << 30;
const MAX_REFRACTORY_STEPS: i32 = 1 << 28;
/// The step clock is an `i32` that is rebased by this amount when it gets there.
pub(super) const CLOCK_REBASE: i32 = 1 << 30;

/// Brian2's `timestep(t, dt)`: the number of whole steps in `t`, robust to rounding.
pub(super) fn timestep(t: f64, dt: f64) -> f64 {
    ((t + 1e-3 * dt) / dt).floor()
}
