//! A feed-forward network of RC-Spike TTFS layers: pixels become step times, each layer's
//! neurons fire once (or never) from the times of the layer below, and the class is the
//! output neuron that fires first. The backward pass gives the exact gradient of any loss of
//! the output times, through every layer's firing times ([`RcNeuron::fire`]).

use super::ttfs::{
    Events, ExcitatoryOnly, Firing, Membrane, RcNeuron, Sensitivities, SynapseEvent,
};

/// A signed conductance (S) as a crosspoint's [excitatory, inhibitory] pair: a positive one on
/// the excitatory line, a negative one on the inhibitory line.
pub fn crosspoint(g: f64) -> [f64; 2] {
    [g.max(0.0), (-g).max(0.0)]
}

/// One layer's crosspoints, row-major `[output][input]`: `g()[k] = [excitatory,
/// inhibitory]` conductance (S) of crosspoint k. The two sit side by side because a neuron
/// reads its row in the order its inputs fire, all over the row: one cache line per event
/// instead of two. A copy by input (`[input][output]`) lets a pass over the events read each
/// event's crosspoints of every neuron at once ([`Layer::provably_silent`],
/// [`Layer::excitatory_charges`]); every field is private so that the copy cannot go stale.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    inputs: usize,
    outputs: usize,
    g: Vec<[f64; 2]>,
    by_input: Vec<[f64; 2]>,
    /// Whether every conductance is >= 0, which the silence bound needs.
    nonnegative: bool,
}

/// Every layer shares the neuron constants and the window in which a neuron may fire
/// (all times are measured from the start of the inference).
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    pub neuron: RcNeuron,
    pub window: f64,
    pub layers: Vec<Layer>,
}

/// What one layer did: the inputs that fired (in time order) and each neuron's firing.
#[derive(Debug, Clone)]
pub struct LayerTrace {
    /// Indices of the inputs that fired, earliest first: the synapse events of every neuron.
    pub sources: Vec<usize>,
    /// `source_times[k]`: when input `sources[k]` fired.
    pub source_times: Vec<f64>,
    pub firings: Vec<Option<Firing>>,
}

/// One neuron's synapse events in a layer's trace, read from its crossbar row as the neuron
/// takes them (none are copied out).
pub struct RowEvents<'a> {
    sources: &'a [usize],
    times: &'a [f64],
    g: &'a [[f64; 2]],
}

impl Events for RowEvents<'_> {
    fn count(&self) -> usize {
        self.sources.len()
    }

    fn event(&self, k: usize) -> SynapseEvent {
        let [g_exc, g_inh] = self.g[self.sources[k]];
        SynapseEvent {
            time: self.times[k],
            g_exc,
            g_inh,
        }
    }

    fn in_time_order(&self) -> bool {
        true
    }
}

/// A whole inference: each layer's trace.
#[derive(Debug, Clone)]
pub struct Trace {
    pub layers: Vec<LayerTrace>,
    /// Whether the firings carry their gradients ([`Network::forward`]) or not
    /// ([`Network::infer`]): only the first can go backward.
    pub with_gradients: bool,
}

/// d loss / d conductance for every layer (`g[layer][k]`: by the [excitatory, inhibitory]
/// conductance of crosspoint k, side by side as in [`Layer`]), and d loss / d input time.
#[derive(Debug, Clone, PartialEq)]
pub struct Gradients {
    pub g: Vec<Vec<[f64; 2]>>,
    pub inputs: Vec<f64>,
}

impl Gradients {
    /// Sets every entry to 0.
    pub fn clear(&mut self) {
        self.g.iter_mut().flatten().for_each(|g| *g = [0.0; 2]);
        self.inputs.fill(0.0);
    }
}

/// Pixel intensity to step time: a brighter pixel steps earlier, `t = window (1 - x / 255)`;
/// a pixel of 0 never steps.
pub fn encode(pixels: &[u8], window: f64) -> Vec<Option<f64>> {
    pixels
        .iter()
        .map(|&x| (x > 0).then(|| window * (1.0 - f64::from(x) / 255.0)))
        .collect()
}

impl LayerTrace {
    pub fn times(&self) -> Vec<Option<f64>> {
        self.firings
            .iter()
            .map(|f| f.as_ref().map(|f| f.time))
            .collect()
    }
}

impl Trace {
    /// The output layer's firing times (None: silent in the window).
    pub fn output_times(&self) -> Vec<Option<f64>> {
        self.layers
            .last()
            .map(LayerTrace::times)
            .unwrap_or_default()
    }

    /// The class: the output neuron that fires first; of two that fire at the same time the
    /// lower index wins; None when no output fires.
    pub fn class(&self) -> Option<usize> {
        let times = self.output_times();
        let mut best: Option<(usize, f64)> = None;
        for (i, t) in times.iter().enumerate() {
            if let Some(t) = *t
                && best.is_none_or(|(_, b)| t < b)
            {
                best = Some((i, t));
            }
        }
        best.map(|(i, _)| i)
    }

    /// Spikes per neuron of each layer (the fraction of its neurons that fired).
    pub fn spikes_per_neuron(&self) -> Vec<f64> {
        self.layers
            .iter()
            .map(|l| {
                let fired = l.firings.iter().filter(|f| f.is_some()).count();
                fired as f64 / l.firings.len().max(1) as f64
            })
            .collect()
    }
}

impl Layer {
    /// A layer of `inputs` x `outputs` crosspoints, `g` row-major as in [`Layer::g`].
    pub fn new(inputs: usize, outputs: usize, g: Vec<[f64; 2]>) -> Layer {
        assert_eq!(g.len(), inputs * outputs, "a layer's crosspoints");
        let mut layer = Layer {
            inputs,
            outputs,
            g,
            by_input: Vec::new(),
            nonnegative: true,
        };
        layer.set_crosspoints(|_| {});
        layer
    }

    pub fn inputs(&self) -> usize {
        self.inputs
    }

    pub fn outputs(&self) -> usize {
        self.outputs
    }

    /// The crosspoints, row-major `[output][input]`.
    pub fn g(&self) -> &[[f64; 2]] {
        &self.g
    }

    /// Changes the crosspoints (row-major, as [`Layer::g`]) in place.
    pub fn set_crosspoints(&mut self, change: impl FnOnce(&mut [[f64; 2]])) {
        change(&mut self.g);
        self.nonnegative = self.g.iter().flatten().all(|&g| g >= 0.0);
        let (inputs, outputs) = (self.inputs, self.outputs);
        self.by_input.resize(self.g.len(), [0.0; 2]);
        for (j, column) in self.by_input.chunks_exact_mut(outputs.max(1)).enumerate() {
            for (i, x) in column.iter_mut().enumerate() {
                *x = self.g[i * inputs + j];
            }
        }
    }

    /// Which neurons provably stay below the threshold over `[0, until)` under the inputs
    /// `sources` that fired at `times` (in time order), by an upper bound on each membrane
    /// that takes no exponential ([`RcNeuron::bound_after`]): all false where the bound does
    /// not apply (the ideal neuron, a negative conductance). About half of a trained
    /// network's neurons stay silent on an image, and the exact run of each took an
    /// exponential per event; this pass reads each event's crosspoints of every neuron at
    /// once and settles nearly all of them.
    fn provably_silent(
        &self,
        neuron: &RcNeuron,
        sources: &[usize],
        times: &[f64],
        until: f64,
    ) -> Vec<bool> {
        let Some(level) = neuron.silence_level().filter(|_| self.nonnegative) else {
            return vec![false; self.outputs];
        };
        let n = self.outputs;
        let inv_c = 1.0 / neuron.capacitance;
        let (mut a, mut g) = (vec![0.0; n], vec![0.0; n]);
        let mut bound = vec![neuron.v_start; n];
        for (k, step) in steps(sources, times, until).enumerate() {
            // A bound never falls (but for rounding, which the level's margin covers): once
            // every neuron's has reached the level, none can be proved silent (an untrained
            // network's first events, where nearly all fire).
            if k % 16 == 15 && bound.iter().all(|&b| b >= level) {
                return vec![false; n];
            }
            for ((b, &a), &g) in bound.iter_mut().zip(&a).zip(&g) {
                *b = RcNeuron::bound_after(*b, a, g, step.dt, inv_c);
            }
            if let Some(j) = step.input {
                let column = &self.by_input[j * n..(j + 1) * n];
                for ((a, g), &[g_exc, g_inh]) in a.iter_mut().zip(&mut g).zip(column) {
                    *a += g_exc * neuron.e_exc + g_inh * neuron.e_inh;
                    *g += g_exc + g_inh;
                }
            }
        }
        // A bound never falls (but for rounding), so its last value is its highest.
        bound.iter().map(|&b| b < level).collect()
    }

    /// The excitatory charge (C) each neuron's lines deliver over `[0, until)` under the
    /// inputs `sources` that fired at `times` (in time order), its membrane never reset: the
    /// charges of [`RcNeuron::excitatory_charge`] to the bit, in one pass over the events
    /// that reads each event's crosspoints of every neuron at once (contiguous, from the copy
    /// by input) instead of a run per neuron that reads its row all over and stores every
    /// interval.
    fn excitatory_charges(
        &self,
        neuron: &RcNeuron,
        sources: &[usize],
        times: &[f64],
        until: f64,
    ) -> Vec<f64> {
        let n = self.outputs;
        let mut v = vec![neuron.v_start; n];
        let mut lines = vec![[0.0; 3]; n];
        let mut charge = vec![0.0; n];
        for step in steps(sources, times, until) {
            if step.dt > 0.0 {
                carry_charges(neuron, &mut v, &lines, &mut charge, step.dt);
            }
            if let Some(j) = step.input {
                let column = &self.by_input[j * n..(j + 1) * n];
                for (sums, &[g_exc, g_inh]) in lines.iter_mut().zip(column) {
                    *sums = neuron.add_event(*sums, g_exc, g_inh);
                }
            }
        }
        charge
    }

    /// Neuron `neuron`'s events from the inputs `sources` that fired at `times`.
    fn row_events<'a>(
        &'a self,
        neuron: usize,
        sources: &'a [usize],
        times: &'a [f64],
    ) -> RowEvents<'a> {
        RowEvents {
            sources,
            times,
            g: &self.g[neuron * self.inputs..(neuron + 1) * self.inputs],
        }
    }

    /// Neuron `neuron`'s events in this layer's trace `lt`.
    fn events<'a>(&'a self, neuron: usize, lt: &'a LayerTrace) -> RowEvents<'a> {
        self.row_events(neuron, &lt.sources, &lt.source_times)
    }
}

/// One step of a pass over a layer's events: the time since the step before (or the frame's
/// start), then the input that steps there; the last step (no input) reaches the end.
struct Step {
    dt: f64,
    input: Option<usize>,
}

/// The steps of the inputs `sources` that fired at `times` (in time order) over `[0, until)`,
/// taken as [`RcNeuron::run`] takes a neuron's events: those at or after `until` are left out,
/// and one before the step before (an input that steps before the frame) is taken at its time.
fn steps<'a>(
    sources: &'a [usize],
    times: &'a [f64],
    until: f64,
) -> impl Iterator<Item = Step> + 'a {
    let mut events = sources.iter().zip(times);
    let mut start = Some(0.0);
    std::iter::from_fn(move || {
        let last = start?;
        let (input, time) = match events.next() {
            Some((&j, &time)) if time < until => (Some(j), time.max(last)),
            _ => (None, until),
        };
        start = input.map(|_| time);
        Some(Step {
            dt: time - last,
            input,
        })
    })
}

/// Where each of `inputs` inputs fired in the time order `sources` (usize::MAX: it did not).
fn time_positions(sources: &[usize], inputs: usize) -> Vec<usize> {
    let mut position = vec![usize::MAX; inputs];
    for (k, &j) in sources.iter().enumerate() {
        position[j] = k;
    }
    position
}

/// Carries every membrane `v` (under its lines' sums, `lines`) over `dt`, adding each
/// neuron's excitatory charge to `charge` ([`RcNeuron::carry_charge`]).
fn carry_charges(
    neuron: &RcNeuron,
    v: &mut [f64],
    lines: &[[f64; 3]],
    charge: &mut [f64],
    dt: f64,
) {
    for ((v, &sums), charge) in v.iter_mut().zip(lines).zip(charge) {
        let (end, q) = neuron.carry_charge(*v, sums, dt);
        *v = end;
        *charge += q;
    }
}

impl Network {
    /// Runs one inference from the input step times, with each firing's gradient (what
    /// [`Network::backward`] needs).
    pub fn forward(&self, inputs: &[Option<f64>]) -> Trace {
        self.run(inputs, true)
    }

    /// Runs one inference for its firing times only: the firings carry no gradients (an
    /// evaluation, which then runs at about twice the speed).
    pub fn infer(&self, inputs: &[Option<f64>]) -> Trace {
        self.run(inputs, false)
    }

    fn run(&self, inputs: &[Option<f64>], with_gradients: bool) -> Trace {
        let mut times = inputs.to_vec();
        let mut layers = Vec::with_capacity(self.layers.len());
        for layer in &self.layers {
            // The inputs that fired, earliest first (of two at the same time the lower index).
            let mut fired: Vec<(usize, f64)> = times
                .iter()
                .take(layer.inputs)
                .enumerate()
                .filter_map(|(j, t)| t.map(|t| (j, t)))
                .collect();
            fired.sort_by(|a, b| a.1.total_cmp(&b.1));
            let (sources, source_times): (Vec<usize>, Vec<f64>) = fired.into_iter().unzip();
            let silent = layer.provably_silent(&self.neuron, &sources, &source_times, self.window);
            let firings: Vec<Option<Firing>> = (0..layer.outputs)
                .map(|i| {
                    if silent[i] {
                        return None;
                    }
                    let events = layer.row_events(i, &sources, &source_times);
                    if with_gradients {
                        self.neuron.fire(&events, self.window)
                    } else {
                        let time = self.neuron.fire_time(&events, self.window)?;
                        let grad = Sensitivities::default();
                        Some(Firing { time, grad })
                    }
                })
                .collect();
            let trace = LayerTrace {
                sources,
                source_times,
                firings,
            };
            times = trace.times();
            layers.push(trace);
        }
        Trace {
            layers,
            with_gradients,
        }
    }

    /// The gradient of a loss from its derivatives by each output: `d_output` by the firing
    /// time of the outputs that fire, `d_silent` by the membrane at the window's end of those
    /// that stay silent (the other entry of each output is ignored), and the hidden neurons'
    /// terms of `hidden`.
    pub fn backward(
        &self,
        trace: &Trace,
        d_output: &[f64],
        d_silent: &[f64],
        hidden: &HiddenTerms,
    ) -> Gradients {
        let mut grads = self.zero_gradients();
        self.accumulate(trace, d_output, d_silent, hidden, &mut grads);
        grads
    }

    /// The energy (J) each layer's excitatory line drivers deliver in this inference: every
    /// neuron's excitatory charge over the window times vsyn, its membrane never reset (as in
    /// the crossbar netlists; `snngen sim spice` measures the same in ngspice).
    pub fn energy(&self, trace: &Trace) -> Vec<f64> {
        assert_eq!(
            trace.layers.len(),
            self.layers.len(),
            "a trace with another number of layers"
        );
        self.layers
            .iter()
            .zip(&trace.layers)
            .map(|(layer, lt)| {
                let charges = layer.excitatory_charges(
                    &self.neuron,
                    &lt.sources,
                    &lt.source_times,
                    self.window,
                );
                charges.iter().sum::<f64>() * self.neuron.e_exc
            })
            .collect()
    }

    /// The membrane of output `i` at the window's end, with its gradient, if it is silent.
    pub fn silent_output(&self, trace: &Trace, i: usize) -> Option<Membrane> {
        self.silent_membrane(trace, self.layers.len().checked_sub(1)?, i)
    }

    /// The membrane of neuron `i` of layer `l` at the window's end, with its gradient, if it
    /// is silent.
    pub fn silent_membrane(&self, trace: &Trace, l: usize, i: usize) -> Option<Membrane> {
        let events = self.layers[l].events(i, &trace.layers[l]);
        self.neuron.membrane_at(&events, self.window)
    }

    /// The membrane of neuron `i` of layer `l` at `at` as if it had no threshold (nothing
    /// resets it): how far from the threshold the model is when a circuit crosses it.
    pub fn free_membrane(&self, trace: &Trace, l: usize, i: usize, at: f64) -> f64 {
        let events = self.layers[l].events(i, &trace.layers[l]);
        self.neuron.free_membrane_at(&events, at).value
    }

    /// Gradients of the right shape, all zero.
    pub fn zero_gradients(&self) -> Gradients {
        Gradients {
            g: self
                .layers
                .iter()
                .map(|l| vec![[0.0; 2]; l.g.len()])
                .collect(),
            inputs: vec![0.0; self.layers.first().map_or(0, |l| l.inputs)],
        }
    }

    /// Adds this inference's gradient to `grads` (a batch sums into one buffer; the input
    /// entry holds the last inference's). See [`Network::backward`]. Returns the sums of the
    /// hidden neurons' terms (a term whose weight is 0 is not computed and sums to 0).
    pub fn accumulate(
        &self,
        trace: &Trace,
        d_output: &[f64],
        d_silent: &[f64],
        hidden: &HiddenTerms,
        grads: &mut Gradients,
    ) -> HiddenSums {
        assert!(
            trace.with_gradients,
            "a trace of Network::infer has no gradients to go backward with"
        );
        let last = self.layers.len().saturating_sub(1);
        let mut d_times = d_output.to_vec();
        let mut sums = HiddenSums::default();
        for (l, (layer, lt)) in self.layers.iter().zip(&trace.layers).enumerate().rev() {
            let mut d_inputs = vec![0.0; layer.inputs];
            let events = |i: usize| layer.events(i, lt);
            // A neuron's gradient is added along its row in input order: a sweep the
            // prefetcher streams, where the time order jumped all over the row (a cache miss
            // apiece in a 784-input layer). Each entry still gets the same additions in the
            // same order.
            let position = time_positions(&lt.sources, layer.inputs);
            let mut add = |i: usize, grad: &Sensitivities, d: f64| {
                if grad.used == 0 {
                    return;
                }
                let row = &mut grads.g[l][i * layer.inputs..(i + 1) * layer.inputs];
                for ((cell, &k), d_input) in row.iter_mut().zip(&position).zip(&mut d_inputs) {
                    if k < grad.used {
                        cell[0] += d * grad.d_g_exc[k];
                        cell[1] += d * grad.d_g_inh[k];
                        *d_input += d * grad.d_time[k];
                    }
                }
            };
            for (i, firing) in lt.firings.iter().enumerate() {
                if l != last && hidden.sparsity_weight != 0.0 {
                    let (value, term) = self.sparsity_term(hidden, firing, &events(i));
                    sums.sparsity += value;
                    match term {
                        SparsityGrad::Time(d) => d_times[i] += hidden.sparsity_weight * d,
                        SparsityGrad::Membrane(grad, d) => {
                            add(i, &grad, hidden.sparsity_weight * d)
                        }
                        SparsityGrad::None => {}
                    }
                }
                match firing {
                    // A firing neuron passes d loss / d time; a silent one its membrane's.
                    Some(f) if d_times[i] != 0.0 => add(i, &f.grad, d_times[i]),
                    Some(_) => {}
                    None => {
                        let d = if l == last {
                            d_silent.get(i).copied().unwrap_or(0.0)
                        } else {
                            hidden.d_silent_of(l, i)
                        };
                        if d == 0.0 {
                            continue;
                        }
                        let Some(m) = self.neuron.membrane_at(&events(i), self.window) else {
                            continue;
                        };
                        if l != last {
                            sums.silent += d * (m.value - self.neuron.threshold);
                        }
                        add(i, &m.grad, d);
                    }
                }
            }
            d_times = d_inputs;
        }
        grads.inputs = d_times;
        sums
    }

    /// One hidden neuron's sparsity penalty: its value and how its gradient enters.
    fn sparsity_term(
        &self,
        hidden: &HiddenTerms,
        firing: &Option<Firing>,
        events: &RowEvents,
    ) -> (f64, SparsityGrad) {
        let vth = self.neuron.threshold;
        let level = hidden.sparsity_level;
        let hinge = |m: Membrane| {
            if m.value > level {
                (
                    (m.value - level) / vth,
                    SparsityGrad::Membrane(m.grad, 1.0 / vth),
                )
            } else {
                (0.0, SparsityGrad::None)
            }
        };
        match (hidden.sparsity, firing) {
            (Sparsity::None, _) | (Sparsity::Mssr, None) => (0.0, SparsityGrad::None),
            (Sparsity::Mssr, Some(f)) => (
                (self.window - f.time) / self.window,
                SparsityGrad::Time(-1.0 / self.window),
            ),
            (Sparsity::Fssr, _) => {
                let excitatory = ExcitatoryOnly(events);
                let mut m = self.neuron.free_membrane_at(&excitatory, self.window);
                // The bound does not depend on the inhibitory crosspoints.
                m.grad.d_g_inh.iter_mut().for_each(|d| *d = 0.0);
                hinge(m)
            }
            (Sparsity::Membrane, _) => hinge(self.neuron.free_membrane_at(events, self.window)),
        }
    }
}

/// How a hidden neuron's sparsity penalty reaches the weights.
enum SparsityGrad {
    None,
    /// Through its firing time, with this derivative.
    Time(f64),
    /// Through a membrane of these sensitivities, with this derivative.
    Membrane(Sensitivities, f64),
}

/// The terms of a loss on the hidden neurons.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HiddenTerms {
    /// d loss / d window-end membrane of each silent hidden neuron.
    pub d_silent: f64,
    /// Added to `d_silent` for the hidden neurons marked in `dead` ([hidden layer][neuron]).
    pub d_dead: f64,
    pub dead: Vec<Vec<bool>>,
    pub sparsity: Sparsity,
    /// The level (V) above which F-SSR and the membrane penalty count.
    pub sparsity_level: f64,
    /// d loss / d each hidden neuron's sparsity penalty.
    pub sparsity_weight: f64,
}

impl HiddenTerms {
    /// d loss / d window-end membrane of neuron `i` of hidden layer `l` if it is silent.
    fn d_silent_of(&self, l: usize, i: usize) -> f64 {
        let dead = self.dead.get(l).and_then(|d| d.get(i)).copied();
        self.d_silent + if dead == Some(true) { self.d_dead } else { 0.0 }
    }
}

/// Sums over the hidden neurons of one inference.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct HiddenSums {
    /// The silent ones' pulls: d (v - Vth) summed, d their `HiddenTerms::d_silent_of` and v
    /// their window-end membranes (with d = -w / Vth, each is w (Vth - v) / Vth).
    pub silent: f64,
    /// Sparsity penalties.
    pub sparsity: f64,
}

/// A sparse-firing penalty on one hidden neuron (SEEDS.md §4; the published forms were not
/// at hand, these are built from the neuron's own solution, see docs/design-format.md).
/// Each is a function of the input times and the neuron's weights only, with an exact
/// gradient, for any vsyn.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sparsity {
    #[default]
    None,
    /// M-SSR: `(T - t) / T` for a neuron that fires at t in a window T, 0 for a silent one:
    /// the time its membrane spends above a level, as the level is taken to the threshold.
    /// Continuous where a neuron stops firing (t reaches T).
    Mssr,
    /// F-SSR: `(u - level)+ / Vth`, u the window-end membrane that the excitatory lines alone
    /// would charge without reset: an upper bound on the membrane, so a neuron with u below
    /// the threshold cannot fire.
    Fssr,
    /// The baseline of rate-coded work: `(v - level)+ / Vth`, v the window-end membrane
    /// without reset (every line).
    Membrane,
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// A 12-8-4 network with mixed-sign GOhm crosspoints and strong coupling (Vsyn = 2 Vth).
    fn network() -> Network {
        network_with(99, 0.25, [12, 8, 4])
    }

    /// A network of these sizes and seed whose crosspoints are `(x - inhibition) x scale`, x
    /// uniform in [0, 1): more of them inhibit as `inhibition` grows.
    fn network_with(seed: u64, inhibition: f64, sizes: [usize; 3]) -> Network {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut next = move || rng.random::<f64>();
        let mut layer = |inputs: usize, outputs: usize, scale: f64| {
            let n = inputs * outputs;
            let g = (0..n)
                .map(|_| {
                    let w = (next() - inhibition) * scale;
                    if w > 0.0 { [w, 0.0] } else { [0.0, -w] }
                })
                .collect();
            Layer::new(inputs, outputs, g)
        };
        Network {
            neuron: RcNeuron {
                capacitance: 100e-15,
                threshold: 0.3,
                e_exc: 0.6,
                e_inh: 0.0,
                v_start: 0.0,
                ideal: false,
            },
            window: 400e-6,
            layers: vec![
                layer(sizes[0], sizes[1], 1.0e-9),
                layer(sizes[1], sizes[2], 2.0e-9),
            ],
        }
    }

    fn pixels() -> Vec<u8> {
        vec![0, 255, 30, 200, 0, 90, 140, 255, 60, 0, 180, 220]
    }

    #[test]
    fn the_silence_bound_settles_only_silent_neurons_and_most_of_them() {
        // From mostly excitatory crosspoints (nearly all fire: the pass stops early on the
        // 64-input network) to mostly inhibitory ones (most stay silent).
        let (mut settled, mut silent) = (0, 0);
        for seed in 0..40 {
            let inhibition = 0.02 * seed as f64;
            for sizes in [[12, 8, 4], [64, 16, 4]] {
                let net = network_with(seed, inhibition, sizes);
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                let pixels: Vec<u8> = (0..sizes[0]).map(|_| rng.random()).collect();
                let trace = net.infer(&encode(&pixels, 100e-6));
                for (layer, lt) in net.layers.iter().zip(&trace.layers) {
                    let proved = layer.provably_silent(
                        &net.neuron,
                        &lt.sources,
                        &lt.source_times,
                        net.window,
                    );
                    for (i, firing) in lt.firings.iter().enumerate() {
                        // The exact run of the neuron alone, which takes no bound.
                        let exact = net.neuron.fire_time(&layer.events(i, lt), net.window);
                        assert_eq!(firing.as_ref().map(|f| f.time), exact, "seed {seed}");
                        assert!(!proved[i] || exact.is_none(), "seed {seed} neuron {i}");
                        silent += usize::from(exact.is_none());
                        settled += usize::from(proved[i]);
                    }
                }
            }
        }
        assert!(silent >= 300, "only {silent} silent neurons to check");
        // 448 of 454 when written.
        assert!(settled * 20 >= silent * 19, "settled {settled} of {silent}");
    }

    #[test]
    fn a_layers_charges_are_each_neurons_exact_charge_to_the_bit() {
        // Pixels drawn from few grey levels, so that many inputs step together (steps of no
        // length, which the pass does not carry), one input stepping before the frame
        // (clamped to its start), on the RC neuron and the ideal one, with every share of
        // inhibitory crosspoints, their rail at 0 V or below, to the window's end and to
        // 50 us (between two grey levels: the later inputs left out).
        let mut compared = 0;
        for seed in 0..20 {
            for ideal in [false, true] {
                let mut net = network_with(seed, 0.05 * seed as f64, [64, 16, 4]);
                net.neuron.ideal = ideal;
                net.neuron.e_inh = -0.1 * (seed % 2) as f64;
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                let pixels: Vec<u8> = (0..64).map(|_| 60 * rng.random_range(0..5u8)).collect();
                let mut inputs = encode(&pixels, 100e-6);
                inputs[0] = Some(-1e-6);
                let trace = net.infer(&inputs);
                for (layer, lt) in net.layers.iter().zip(&trace.layers) {
                    for until in [net.window, 50e-6] {
                        let charges = layer.excitatory_charges(
                            &net.neuron,
                            &lt.sources,
                            &lt.source_times,
                            until,
                        );
                        for (i, &q) in charges.iter().enumerate() {
                            let exact = net.neuron.excitatory_charge(&layer.events(i, lt), until);
                            assert_eq!(q.to_bits(), exact.to_bits(), "seed {seed} neuron {i}");
                            compared += usize::from(exact > 0.0);
                        }
                    }
                }
            }
        }
        assert!(compared >= 1000, "only {compared} neurons drew charge");
    }

    #[test]
    fn the_silence_bound_is_not_applied_where_it_does_not_hold() {
        let mut net = network_with(3, 0.9, [12, 8, 4]);
        let inputs = encode(&pixels(), 100e-6);
        let trace = net.infer(&inputs);
        let (layer, lt) = (&net.layers[0], &trace.layers[0]);
        let proved = |n: &Network, layer: &Layer| {
            layer.provably_silent(&n.neuron, &lt.sources, &lt.source_times, n.window)
        };
        assert!(
            proved(&net, layer).iter().any(|&p| p),
            "nothing to turn off"
        );
        // A negative conductance (a finite difference's nudge) breaks the bound's proof.
        let mut negative = layer.clone();
        negative.set_crosspoints(|g| g[0][0] = -1e-16);
        assert!(proved(&net, &negative).iter().all(|&p| !p));
        // The ideal neuron takes no exponential: nothing to save.
        net.neuron.ideal = true;
        assert!(proved(&net, &net.layers[0]).iter().all(|&p| !p));
    }

    #[test]
    fn encoding_puts_bright_pixels_first_and_black_ones_never() {
        let t = encode(&[0, 255, 51], 100e-6);
        assert_eq!(t[0], None);
        assert_eq!(t[1], Some(0.0));
        assert!((t[2].unwrap() - 80e-6).abs() < 1e-18);
    }

    fn nudge(n: &mut Network, layer: usize, k: usize, exc: bool, h: f64) {
        n.layers[layer].set_crosspoints(|g| g[k][usize::from(!exc)] += h);
    }

    /// Checks every `stride`-th crosspoint's gradient in both layers against central
    /// differences of `loss`; returns how many stand well above the rounding noise. The
    /// difference of two losses rounds to ~eps max(|loss|, `loss_floor`) / h; truncation
    /// (h^2) is far below.
    fn check_conductance_gradients(
        net: &Network,
        grads: &Gradients,
        loss: impl Fn(&Network) -> f64,
        stride: usize,
        loss_floor: f64,
    ) -> usize {
        let h = 1e-16;
        let rounding = f64::EPSILON * loss(net).abs().max(loss_floor) / h;
        let mut sizeable = 0;
        for l in 0..net.layers.len() {
            for k in (0..net.layers[l].g.len()).step_by(stride) {
                for exc in [true, false] {
                    let (mut up, mut down) = (net.clone(), net.clone());
                    nudge(&mut up, l, k, exc, h);
                    nudge(&mut down, l, k, exc, -h);
                    let numeric = (loss(&up) - loss(&down)) / (2.0 * h);
                    let analytic = grads.g[l][k][usize::from(!exc)];
                    assert!(
                        (analytic - numeric).abs() <= 10.0 * rounding,
                        "layer {l} crosspoint {k} exc {exc}: {analytic} vs {numeric}"
                    );
                    sizeable += usize::from(analytic.abs() > (100.0 * rounding).max(1.0));
                }
            }
        }
        sizeable
    }

    /// Inference without gradients fires every neuron at the same time as the forward pass,
    /// and a neuron reading its crossbar row fires as it does on the same events copied out.
    #[test]
    fn inference_and_row_reads_give_the_forward_pass_times() {
        let net = network();
        let inputs = encode(&pixels(), 100e-6);
        let (forward, inferred) = (net.forward(&inputs), net.infer(&inputs));
        for (f, i) in forward.layers.iter().zip(&inferred.layers) {
            assert_eq!(f.times(), i.times());
            assert_eq!(f.source_times, i.source_times);
        }
        let lt = &forward.layers[0];
        for i in 0..net.layers[0].outputs {
            let row = net.layers[0].events(i, lt);
            let copied: Vec<SynapseEvent> = (0..row.count()).map(|k| row.event(k)).collect();
            let (from_row, from_copy) = (
                net.neuron.fire(&row, net.window),
                net.neuron.fire(&copied, net.window),
            );
            assert_eq!(from_row, from_copy, "neuron {i}");
            assert_eq!(from_row, lt.firings[i], "neuron {i}");
        }
    }

    #[test]
    #[should_panic(expected = "no gradients")]
    fn an_inference_without_gradients_cannot_go_backward() {
        let net = network();
        let trace = net.infer(&encode(&pixels(), 100e-6));
        net.backward(&trace, &[1.0; 4], &[0.0; 4], &HiddenTerms::default());
    }

    #[test]
    fn backward_matches_central_differences_through_both_layers() {
        let net = network();
        let inputs = encode(&pixels(), 100e-6);
        let trace = net.forward(&inputs);
        let outputs = trace.output_times();
        assert!(
            outputs.iter().filter(|t| t.is_some()).count() >= 3,
            "{outputs:?}"
        );
        // Loss = sum of c_i t_i over the outputs that fire, with distinct weights.
        let c = [1.0, -2.0, 0.5, 3.0];
        let loss = |n: &Network| -> f64 {
            let t = n.forward(&inputs).output_times();
            t.iter().zip(c).filter_map(|(t, c)| t.map(|t| c * t)).sum()
        };
        let grads = net.backward(&trace, &c, &[0.0; 4], &HiddenTerms::default());
        let checked = check_conductance_gradients(&net, &grads, loss, 5, 0.0);
        assert!(checked >= 10, "only {checked} sizeable gradients");
    }

    #[test]
    fn silent_outputs_pass_their_membranes_gradient_through_both_layers() {
        let mut net = network();
        // Outputs mostly inhibited (signs swapped): their membranes settle below threshold.
        let out = &mut net.layers[1];
        out.set_crosspoints(|g| g.iter_mut().for_each(|g| g.swap(0, 1)));
        let inputs = encode(&pixels(), 100e-6);
        let trace = net.forward(&inputs);
        let silent = trace.output_times().iter().filter(|t| t.is_none()).count();
        assert!(silent >= 2, "{:?}", trace.output_times());
        let c = [1.0, -2.0, 0.5, 3.0];
        // Loss = sum of c_i v_i(window) over the silent outputs (a firing one has no term).
        let loss = |n: &Network| -> f64 {
            let t = n.forward(&inputs);
            (0..4)
                .filter_map(|i| n.silent_output(&t, i).map(|m| c[i] * m.value))
                .sum()
        };
        let grads = net.backward(&trace, &[0.0; 4], &c, &HiddenTerms::default());
        let checked = check_conductance_gradients(&net, &grads, loss, 3, 0.3);
        assert!(checked >= 10, "only {checked} sizeable gradients");
    }

    #[test]
    fn silent_hidden_neurons_pass_their_membranes_gradient() {
        let mut net = network();
        // Hidden neurons mostly inhibited: several stay silent.
        let hidden = &mut net.layers[0];
        hidden.set_crosspoints(|g| g.iter_mut().for_each(|g| g.swap(0, 1)));
        let inputs = encode(&pixels(), 100e-6);
        let trace = net.forward(&inputs);
        let silent = trace.layers[0]
            .firings
            .iter()
            .filter(|f| f.is_none())
            .count();
        assert!(silent >= 3, "{silent} silent hidden neurons");
        // Loss = sum of the window-end membranes of the silent hidden neurons.
        let loss = |n: &Network| -> f64 {
            let t = n.forward(&inputs);
            (0..8)
                .filter_map(|i| n.silent_membrane(&t, 0, i))
                .map(|m| m.value)
                .sum()
        };
        let mut grads = net.zero_gradients();
        let silent_terms = HiddenTerms {
            d_silent: 1.0,
            ..HiddenTerms::default()
        };
        let sums = net.accumulate(&trace, &[0.0; 4], &[0.0; 4], &silent_terms, &mut grads);
        let sum = sums.silent + silent as f64 * net.neuron.threshold;
        assert!((sum - loss(&net)).abs() < 1e-12, "{sum} vs {}", loss(&net));
        let checked = check_conductance_gradients(&net, &grads, loss, 2, 0.3);
        assert!(checked >= 5, "only {checked} sizeable gradients");

        // Only the neurons marked dead: the even ones, pulled twice as hard.
        let marked = |i: usize| i.is_multiple_of(2);
        let dead_terms = HiddenTerms {
            d_dead: 2.0,
            dead: vec![(0..8).map(marked).collect()],
            ..HiddenTerms::default()
        };
        let dead_loss = |n: &Network| -> f64 {
            let t = n.forward(&inputs);
            (0..8)
                .filter(|&i| marked(i))
                .filter_map(|i| n.silent_membrane(&t, 0, i))
                .map(|m| 2.0 * (m.value - n.neuron.threshold))
                .sum()
        };
        let mut grads = net.zero_gradients();
        let sums = net.accumulate(&trace, &[0.0; 4], &[0.0; 4], &dead_terms, &mut grads);
        assert!((sums.silent - dead_loss(&net)).abs() < 1e-12);
        let checked = check_conductance_gradients(&net, &grads, dead_loss, 2, 0.3);
        assert!(checked >= 2, "only {checked} sizeable gradients");
    }

    /// Every sparse-firing penalty's gradient, through the hidden layer's crosspoints and
    /// (M-SSR) its firing times, against central differences of the penalty summed over the
    /// hidden neurons. The level (0.2 V, two thirds of the threshold) puts most hidden
    /// neurons on the sloped side of the hinges.
    #[test]
    fn sparsity_penalties_match_central_differences() {
        let net = network();
        let inputs = encode(&pixels(), 100e-6);
        for sparsity in [Sparsity::Mssr, Sparsity::Fssr, Sparsity::Membrane] {
            let terms = HiddenTerms {
                sparsity,
                sparsity_level: 0.2,
                sparsity_weight: 1.0,
                ..HiddenTerms::default()
            };
            let penalty = |n: &Network| -> f64 {
                let t = n.forward(&inputs);
                let mut scratch = n.zero_gradients();
                n.accumulate(&t, &[0.0; 4], &[0.0; 4], &terms, &mut scratch)
                    .sparsity
            };
            assert!(penalty(&net) > 0.5, "{sparsity:?}: {}", penalty(&net));
            let grads = net.backward(&net.forward(&inputs), &[0.0; 4], &[0.0; 4], &terms);
            let checked = check_conductance_gradients(&net, &grads, penalty, 2, 1.0);
            assert!(
                checked >= 5,
                "{sparsity:?}: only {checked} sizeable gradients"
            );
        }
    }

    /// F-SSR's membrane bounds the membrane every line makes, at every time: where it is below
    /// the threshold the neuron cannot fire.
    #[test]
    fn the_fssr_membrane_bounds_the_real_one() {
        let net = network();
        let inputs = encode(&pixels(), 100e-6);
        let trace = net.forward(&inputs);
        for i in 0..8 {
            let events = net.layers[0].events(i, &trace.layers[0]);
            let excitatory = ExcitatoryOnly(&events);
            for k in 1..=20 {
                let at = net.window * f64::from(k) / 20.0;
                let real = net.neuron.free_membrane_at(&events, at).value;
                let bound = net.neuron.free_membrane_at(&excitatory, at).value;
                assert!(
                    real <= bound + 1e-15,
                    "neuron {i} at {at}: {real} > {bound}"
                );
                if bound < net.neuron.threshold {
                    assert!(
                        trace.layers[0].firings[i]
                            .as_ref()
                            .is_none_or(|f| f.time > at)
                    );
                }
            }
        }
    }

    #[test]
    fn the_first_output_spike_is_the_class_and_ties_go_to_the_lower_index() {
        let net = network();
        let trace = net.forward(&encode(&pixels(), 100e-6));
        let times = trace.output_times();
        let first = (0..4)
            .filter(|&i| times[i].is_some())
            .min_by(|&a, &b| times[a].unwrap().total_cmp(&times[b].unwrap()));
        assert_eq!(trace.class(), first);
        let mut tied = trace.clone();
        let last = tied.layers.len() - 1;
        for f in tied.layers[last].firings.iter_mut().flatten() {
            f.time = 1e-6;
        }
        let lowest = tied.layers[last].firings.iter().position(Option::is_some);
        assert_eq!(tied.class(), lowest);
    }
}
