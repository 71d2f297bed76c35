//! `snngen characterize`: every neuron mode of a design measured in ngspice (f-I curve,
//! first-spike latency, spike width, threshold, energy per spike at three temperatures) and
//! the behavioural model's parameters fitted to those measurements.

use crate::build::GENERIC_180_MODELS;
use crate::design::NeuronMode;
use crate::error::{Error, Result};
use crate::lower::spice::num;
use crate::plot::{Chart, Mark, Series, write_png};
use crate::reference::analog::{NeuronParams, thermal_voltage};
pub use crate::reference::calibration::{Calibration, FittedNeuron};
use crate::runner::ngspice::{self, Waveforms};
use askama::Template;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Input currents of the f-I sweep (nA).
pub const DEFAULT_CURRENTS_NA: [f64; 10] = [0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0];
/// Temperatures of the f-I sweep, its fit and the energy measurement (C). 27 C is always
/// measured: the resting potential and the synapse are characterized there.
pub const DEFAULT_TEMPERATURES: [f64; 3] = [-20.0, 27.0, 85.0];
/// Tiles are measured at these multiples of their own drive voltage.
pub const TILE_VSYN_FACTORS: [f64; 4] = [0.5, 0.75, 1.0, 1.25];
/// The operating point energy per spike is quoted at (nA).
pub const REFERENCE_CURRENT_NA: f64 = 1.0;
/// Spikes a run aims for: enough intervals for a stable mean and energy.
const TARGET_SPIKES: f64 = 12.0;

#[derive(Template)]
#[template(path = "spice/neuron_char.cir", escape = "none")]
struct NeuronDeck {
    d: DeckView,
}

struct DeckView {
    version: &'static str,
    mode: String,
    current: String,
    temperature: String,
    reltol: String,
    vdd: String,
    vleak: String,
    vpw: String,
    cmem: String,
    cfb: String,
    /// Per-instance mismatch parameters of the `lif` subckt (empty: nominal).
    mismatch: String,
    step_at: String,
    step_end: String,
    tstep: String,
    tstop: String,
    data_file: String,
}

/// The input current steps up at this time (s); spike times are reported from it.
pub const STEP_AT: f64 = 1e-6;
const STEP_RISE: f64 = 1e-9;

/// One ngspice run of one neuron at one current and temperature.
#[derive(Debug, Clone, Serialize)]
pub struct NeuronPoint {
    pub current_na: f64,
    pub temperature_c: f64,
    pub simulated_us: f64,
    pub spikes: usize,
    /// Spike onsets (s): the spike output rising through VDD/2.
    pub spike_times_s: Vec<f64>,
    pub rate_hz: f64,
    pub first_spike_s: Option<f64>,
    pub spike_width_ns: Option<f64>,
    /// Membrane voltage where the spike output starts to rise (10 % of VDD).
    pub threshold_v: Option<f64>,
    /// Supply energy over whole interspike intervals divided by their number.
    pub energy_per_spike_fj: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ModeReport {
    pub mode: String,
    pub vleak: f64,
    pub vpw: f64,
    pub cmem_ff: f64,
    pub cfb_ff: f64,
    pub f_i: Vec<NeuronPoint>,
    /// Resting potential (V) with 0, 1, 2, 4 and 8 idle excitatory synapses.
    pub rest_v: Vec<(u32, f64)>,
    /// Runs at the reference current at each temperature.
    pub temperatures: Vec<NeuronPoint>,
    /// The fit at 27 C (the f_i sweep above) ...
    pub fit: FittedNeuron,
    /// ... and the f-I sweep and its fit at every temperature (27 C included).
    pub temperature_fits: Vec<TemperatureSweep>,
}

/// The f-I sweep of one mode at one temperature and the behavioural model fitted to it.
#[derive(Debug, Clone, Serialize)]
pub struct TemperatureSweep {
    pub temperature_c: f64,
    pub f_i: Vec<NeuronPoint>,
    pub fit: FittedNeuron,
}

#[derive(Debug, Clone, Serialize)]
pub struct Characterization {
    pub design: String,
    pub vdd: f64,
    pub reference_current_na: f64,
    /// Energy per spike of the design's first population's mode at 27 C and the reference current.
    pub energy_per_spike_fj: Option<f64>,
    pub modes: Vec<ModeReport>,
    /// Energy per spike of that mode at the reference current and 27 C against the supply
    /// voltage and against the membrane capacitance.
    pub energy_vs_vdd: Vec<SweepPoint>,
    pub energy_vs_cmem: Vec<SweepPoint>,
    /// Charge per input pulse (fC) of the excitatory synapse at each DAC level (index).
    pub input_synapse_charge_fc: Vec<f64>,
    /// Off-current of an idle excitatory synapse into the membrane (pA).
    pub input_synapse_off_pa: f64,
    /// Every tile at drive voltages 0.5, 0.75, 1 and 1.25 x its own vsyn.
    pub tiles: Vec<TileTrajectory>,
    /// One time-domain MAC per tile (column 0).
    pub mac_energy: Vec<MacEnergy>,
    pub ngspice_runs: usize,
    pub seconds: f64,
}

/// One point of an energy sweep.
#[derive(Debug, Clone, Serialize)]
pub struct SweepPoint {
    /// VDD (V) or membrane capacitance (fF).
    pub value: f64,
    pub rate_hz: f64,
    pub energy_per_spike_fj: Option<f64>,
}

/// Supplies (V) and membrane capacitances (fF) of the energy sweeps.
pub const ENERGY_VDDS: [f64; 5] = [0.5, 0.6, 0.7, 0.8, 1.0];
pub const ENERGY_CMEMS_FF: [f64; 4] = [25.0, 50.0, 100.0, 200.0];

#[derive(Debug, Clone)]
pub struct Options {
    pub currents_na: Vec<f64>,
    pub temperatures: Vec<f64>,
    pub jobs: usize,
    pub progress: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            currents_na: DEFAULT_CURRENTS_NA.to_vec(),
            temperatures: DEFAULT_TEMPERATURES.to_vec(),
            jobs: 2,
            progress: false,
        }
    }
}

/// Transient length (s) for about TARGET_SPIKES spikes at `current` (regular-mode charge of
/// ~31 fC per spike), between 100 us and 2 ms.
fn transient_for(current: f64) -> f64 {
    (TARGET_SPIKES * 31e-15 / current).clamp(100e-6, 2e-3)
}

/// Simulates one neuron of `mode` at `current` (A) and `celsius`.
pub fn measure_neuron(
    mode_name: &str,
    mode: &NeuronMode,
    vdd: f64,
    current: f64,
    celsius: f64,
) -> Result<NeuronPoint> {
    measure_neuron_with(mode_name, mode, vdd, current, celsius, None)
}

/// `measure_neuron` for a mismatched instance.
pub fn measure_neuron_with(
    mode_name: &str,
    mode: &NeuronMode,
    vdd: f64,
    current: f64,
    celsius: f64,
    mismatch: Option<&crate::mismatch::Draw>,
) -> Result<NeuronPoint> {
    let deck = neuron_deck(mode_name, mode, vdd, current, celsius, mismatch)?;
    let models = [("generic180.lib".to_string(), GENERIC_180_MODELS.to_string())];
    let w = ngspice::run_deck_text("neuron.cir", &deck, &models, "neuron.dat")?;
    Ok(measure(&w, vdd, current, celsius, transient_for(current)))
}

/// The single-neuron deck `measure_neuron_with` runs (it writes neuron.dat).
pub fn neuron_deck(
    mode_name: &str,
    mode: &NeuronMode,
    vdd: f64,
    current: f64,
    celsius: f64,
    mismatch: Option<&crate::mismatch::Draw>,
) -> Result<String> {
    let tstop = transient_for(current);
    Ok(NeuronDeck {
        d: DeckView {
            version: env!("CARGO_PKG_VERSION"),
            mode: mode_name.to_string(),
            current: num(current),
            temperature: num(celsius),
            // Spike times to better than 0.5 %: the default 1e-4 runs ~1.5 % fast (sim/README.md).
            reltol: "1e-5".into(),
            vdd: num(vdd),
            vleak: num(mode.vleak),
            vpw: num(mode.vpw),
            cmem: num(mode.cmem_ff * 1e-15),
            cfb: num(mode.cfb_ff * 1e-15),
            mismatch: mismatch.map(|d| d.subckt_params()).unwrap_or_default(),
            step_at: num(STEP_AT),
            step_end: num(STEP_AT + STEP_RISE),
            tstep: num(tstop / 400.0),
            tstop: num(STEP_AT + tstop),
            data_file: "neuron.dat".into(),
        },
    }
    .render()?)
}

fn measure(w: &Waveforms, vdd: f64, current: f64, celsius: f64, tstop: f64) -> NeuronPoint {
    let onsets: Vec<f64> = w
        .rising_crossings("v(spk)", vdd / 2.0)
        .unwrap_or_default()
        .into_iter()
        .map(|t| t - STEP_AT)
        .collect();
    let t = w.time();
    let spk = w.get("v(spk)").unwrap_or(&[]);
    let vmem = w.get("v(vmem)").unwrap_or(&[]);
    let supply = w.get("i(vdd)").unwrap_or(&[]);
    let index_at = |time: f64| t.partition_point(|&x| x < time + STEP_AT).min(t.len() - 1);
    let widths: Vec<f64> = onsets
        .iter()
        .filter_map(|&on| {
            let i = index_at(on);
            (i..spk.len())
                .find(|&k| spk[k] < vdd / 2.0)
                .map(|k| t[k] - STEP_AT - on)
        })
        .collect();
    let thresholds: Vec<f64> = onsets
        .iter()
        .filter_map(|&on| {
            let i = index_at(on);
            (0..i).rev().find(|&k| spk[k] < 0.1 * vdd).map(|k| vmem[k])
        })
        .collect();
    let mean = |v: &[f64]| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
    let (rate, energy) = if onsets.len() >= 3 {
        let (a, b) = (onsets[1], onsets[onsets.len() - 1]);
        let intervals = (onsets.len() - 2) as f64;
        let (ia, ib) = (index_at(a), index_at(b));
        let energy: f64 = (ia..ib)
            .map(|k| 0.5 * (-supply[k] - supply[k + 1]) * vdd * (t[k + 1] - t[k]))
            .sum();
        (intervals / (b - a), Some(energy / intervals * 1e15))
    } else {
        (0.0, None)
    };
    NeuronPoint {
        current_na: current * 1e9,
        temperature_c: celsius,
        simulated_us: tstop * 1e6,
        spikes: onsets.len(),
        rate_hz: rate,
        first_spike_s: onsets.first().copied(),
        spike_width_ns: mean(&widths).map(|x| x * 1e9),
        threshold_v: mean(&thresholds),
        energy_per_spike_fj: energy,
        spike_times_s: onsets,
    }
}

/// Fits the behavioural parameters to a sweep at `celsius`: first-spike time from rest and
/// the steady interval at every current that spiked at least three times, and no spike where
/// the circuit stayed silent.
pub fn fit(mode: &NeuronMode, points: &[NeuronPoint], celsius: f64) -> FittedNeuron {
    let capacitance = (mode.cmem_ff + mode.cfb_ff) * 1e-15;
    let ut = thermal_voltage(celsius);
    let (q_reset, i_reset) = fit_widening(points);
    let params = |x: &[f64]| NeuronParams {
        capacitance,
        v_threshold: x[0].clamp(0.02, 0.6),
        v_reset: x[3].clamp(0.0, 0.95) * x[0].clamp(0.02, 0.6),
        t_refractory: x[2].abs() * 1e-6,
        q_reset,
        i_reset,
        t_delay: x[4].abs() * 1e-6,
        i_leak: x[1].exp() * 1e-12,
        thermal_voltage: ut,
    };
    let errors = |p: &NeuronParams| -> Vec<f64> {
        let mut e = Vec::new();
        for pt in points {
            let current = pt.current_na * 1e-9;
            if pt.spikes >= 3 {
                let first = p.charge_time(current, 0.0).map(|t| t + p.t_delay);
                let isi = p
                    .charge_time(current, p.v_reset)
                    .map(|t| t + p.refractory(current));
                let measured_isi = 1.0 / pt.rate_hz;
                e.push(first.map_or(1.0, |f| f / pt.first_spike_s.unwrap_or(f) - 1.0));
                e.push(isi.map_or(1.0, |i| i / measured_isi - 1.0));
            } else if pt.spikes == 0 {
                // Silent in the circuit: the model must not fire within the same transient.
                let fired = p
                    .charge_time(current, 0.0)
                    .is_some_and(|t| t < pt.simulated_us * 1e-6);
                e.push(if fired { 1.0 } else { 0.0 });
            }
        }
        e
    };
    let cost = |x: &[f64]| errors(&params(x)).iter().map(|e| e * e).sum::<f64>();
    // Several starts (a strong and a weak leak, short and long delays), each restarted from
    // its own optimum: the cost has shallow valleys along threshold x delay.
    let step = [0.05, 2.0, 0.5, 0.3, 0.2];
    let starts = [
        [0.29, (2.0f64).ln(), 0.5, 0.1, 0.4],
        [0.26, (2.0f64).ln(), 0.1, 0.0, 0.1],
        [0.29, (500.0f64).ln(), 0.1, 0.5, 0.3],
        [0.3, (500.0f64).ln(), 3.0, 0.5, 0.3],
        [0.2, (50.0f64).ln(), 1.0, 0.2, 0.5],
    ];
    let mut best = starts[0].to_vec();
    for start in starts {
        let mut x = start.to_vec();
        for _ in 0..3 {
            x = nelder_mead(&cost, &x, &step, 4000);
        }
        if cost(&x) < cost(&best) {
            best = x;
        }
    }
    let p = params(&best);
    let max_relative_error = errors(&p).iter().fold(0.0f64, |m, e| m.max(e.abs()));
    FittedNeuron {
        capacitance_ff: capacitance * 1e15,
        v_threshold: p.v_threshold,
        v_reset: p.v_reset,
        t_refractory_ns: p.t_refractory * 1e9,
        q_reset_fc: p.q_reset * 1e15,
        t_delay_ns: p.t_delay * 1e9,
        i_reset_na: p.i_reset.is_finite().then_some(p.i_reset * 1e9),
        i_leak_pa: p.i_leak * 1e12,
        max_relative_error,
    }
}

/// Spike width w(I) = q / (i_r - I) fitted by least squares on 1/w = i_r/q - I/q. Widths that
/// do not grow with the current (a strong reset) give no widening: (0, infinity).
fn fit_widening(points: &[NeuronPoint]) -> (f64, f64) {
    let samples: Vec<(f64, f64)> = points
        .iter()
        .filter(|p| p.spikes >= 3)
        .filter_map(|p| Some((p.current_na * 1e-9, 1.0 / (p.spike_width_ns? * 1e-9))))
        .collect();
    if samples.len() < 3 {
        return (0.0, f64::INFINITY);
    }
    let n = samples.len() as f64;
    let (mx, my) = (
        samples.iter().map(|s| s.0).sum::<f64>() / n,
        samples.iter().map(|s| s.1).sum::<f64>() / n,
    );
    let sxy: f64 = samples.iter().map(|s| (s.0 - mx) * (s.1 - my)).sum();
    let sxx: f64 = samples.iter().map(|s| (s.0 - mx).powi(2)).sum();
    let slope = sxy / sxx;
    // Widening below 5 % over the sweep is no widening (the regular mode: 90-91 ns).
    let spread = samples.iter().map(|s| s.1).fold(f64::MIN, f64::max)
        / samples.iter().map(|s| s.1).fold(f64::MAX, f64::min);
    if slope >= 0.0 || spread < 1.05 {
        return (0.0, f64::INFINITY);
    }
    let q = -1.0 / slope;
    let i_r = (my - slope * mx) * q;
    (q, i_r)
}

/// Nelder-Mead simplex minimization (standard coefficients).
fn nelder_mead(
    f: &dyn Fn(&[f64]) -> f64,
    start: &[f64],
    step: &[f64],
    iterations: usize,
) -> Vec<f64> {
    let n = start.len();
    let mut simplex: Vec<(Vec<f64>, f64)> = (0..=n)
        .map(|i| {
            let mut x = start.to_vec();
            if i > 0 {
                x[i - 1] += step[i - 1];
            }
            let fx = f(&x);
            (x, fx)
        })
        .collect();
    for _ in 0..iterations {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let centroid: Vec<f64> = (0..n)
            .map(|j| simplex[..n].iter().map(|s| s.0[j]).sum::<f64>() / n as f64)
            .collect();
        let towards = |t: f64| -> Vec<f64> {
            (0..n)
                .map(|j| centroid[j] + t * (simplex[n].0[j] - centroid[j]))
                .collect()
        };
        let reflected = towards(-1.0);
        let fr = f(&reflected);
        if fr < simplex[0].1 {
            let expanded = towards(-2.0);
            let fe = f(&expanded);
            simplex[n] = if fe < fr {
                (expanded, fe)
            } else {
                (reflected, fr)
            };
        } else if fr < simplex[n - 1].1 {
            simplex[n] = (reflected, fr);
        } else {
            let contracted = towards(0.5);
            let fc = f(&contracted);
            if fc < simplex[n].1 {
                simplex[n] = (contracted, fc);
            } else {
                let best = simplex[0].0.clone();
                for s in simplex.iter_mut().skip(1) {
                    s.0 = (0..n).map(|j| best[j] + 0.5 * (s.0[j] - best[j])).collect();
                    s.1 = f(&s.0);
                }
            }
        }
        if (simplex[n].1 - simplex[0].1).abs() < 1e-14 {
            break;
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    simplex.swap_remove(0).0
}

/// Runs `run` over `items` on `workers` threads, keeping the input order.
pub fn parallel<T: Sync, R: Send>(
    items: &[T],
    workers: usize,
    run: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..workers.max(1) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let r = run(item);
                    results.lock().expect("no worker panicked")[i] = Some(r);
                }
            });
        }
    });
    results
        .into_inner()
        .expect("no worker panicked")
        .into_iter()
        .map(|r| r.expect("every item ran"))
        .collect()
}

/// Characterizes every neuron mode the design uses.
pub fn characterize(design: &Path, opts: &Options) -> Result<Characterization> {
    let start = std::time::Instant::now();
    let (_, compiled) = crate::build::compile(design)?;
    let net = &compiled.network;
    let mut modes: BTreeMap<String, NeuronMode> = BTreeMap::new();
    let mut first_mode = None;
    for p in net.chips.iter().flat_map(|c| &c.populations) {
        first_mode.get_or_insert_with(|| p.mode_name.clone());
        modes
            .entry(p.mode_name.clone())
            .or_insert_with(|| p.mode.clone());
    }
    let mut temperatures = opts.temperatures.clone();
    temperatures.push(27.0);
    temperatures.sort_by(f64::total_cmp);
    temperatures.dedup();
    // The f-I sweep at every temperature, plus the reference current where the sweep
    // does not hold it.
    let mut currents = opts.currents_na.clone();
    if !currents
        .iter()
        .any(|&i| (i - REFERENCE_CURRENT_NA).abs() < 1e-12)
    {
        currents.push(REFERENCE_CURRENT_NA);
    }
    let mut jobs: Vec<(String, f64, f64)> = Vec::new();
    for name in modes.keys() {
        for &t in &temperatures {
            jobs.extend(currents.iter().map(|&i| (name.clone(), i, t)));
        }
    }
    let done = AtomicUsize::new(0);
    let results = parallel(&jobs, opts.jobs, |(name, current, celsius)| {
        let r =
            measure_neuron(name, &modes[name], net.vdd, current * 1e-9, *celsius).map(|mut p| {
                p.current_na = *current;
                p
            });
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        if opts.progress {
            eprintln!("  [{n}/{}] {name} at {current} nA, {celsius} C", jobs.len());
        }
        r
    });
    // Per mode: the sweep at each temperature (in job order: ascending temperature).
    let mut by_mode: BTreeMap<&str, Vec<(f64, Vec<NeuronPoint>)>> = BTreeMap::new();
    for ((name, _, celsius), r) in jobs.iter().zip(results) {
        let point = r?;
        let sweeps = by_mode.entry(name).or_default();
        match sweeps.last_mut() {
            Some((t, points)) if t == celsius => points.push(point),
            _ => sweeps.push((*celsius, vec![point])),
        }
    }
    let reports: Vec<ModeReport> = by_mode
        .into_iter()
        .map(|(name, sweeps)| {
            let mode = &modes[name];
            let is_reference =
                |p: &&NeuronPoint| (p.current_na - REFERENCE_CURRENT_NA).abs() < 1e-12;
            let temps: Vec<NeuronPoint> = sweeps
                .iter()
                .filter_map(|(_, points)| points.iter().find(is_reference).cloned())
                .collect();
            let temperature_fits: Vec<TemperatureSweep> = sweeps
                .iter()
                .map(|(t, points)| {
                    // The sweep as asked (the reference current only when it is in it).
                    let f_i: Vec<NeuronPoint> = points
                        .iter()
                        .filter(|p| {
                            opts.currents_na
                                .iter()
                                .any(|&i| (i - p.current_na).abs() < 1e-12)
                        })
                        .cloned()
                        .collect();
                    TemperatureSweep {
                        temperature_c: *t,
                        fit: fit(mode, &f_i, *t),
                        f_i,
                    }
                })
                .collect();
            let at_27 = temperature_fits
                .iter()
                .find(|s| s.temperature_c == 27.0)
                .expect("27 C is always swept");
            let (f_i, fit_27) = (at_27.f_i.clone(), at_27.fit.clone());
            let rest_v = REST_SYNAPSE_COUNTS
                .iter()
                .map(|&k| measure_rest(name, mode, net.vdd, k, 27.0).map(|v| (k, v)))
                .collect::<Result<Vec<_>>>()?;
            Ok(ModeReport {
                rest_v,
                mode: name.to_string(),
                vleak: mode.vleak,
                vpw: mode.vpw,
                cmem_ff: mode.cmem_ff,
                cfb_ff: mode.cfb_ff,
                fit: fit_27,
                f_i,
                temperatures: temps,
                temperature_fits,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let energy = first_mode.as_ref().and_then(|m| {
        reports
            .iter()
            .find(|r| r.mode == *m)?
            .temperatures
            .iter()
            .find(|p| p.temperature_c == 27.0)?
            .energy_per_spike_fj
    });
    if reports.is_empty() {
        return Err(Error::Usage(
            "the design has no neuron population to characterize".into(),
        ));
    }
    let sweep_mode = first_mode
        .as_ref()
        .map(|m| (m.clone(), modes[m].clone()))
        .expect("a design with populations has a first mode");
    let sweeps: Vec<(bool, f64)> = ENERGY_VDDS
        .iter()
        .map(|&v| (true, v))
        .chain(ENERGY_CMEMS_FF.iter().map(|&c| (false, c)))
        .collect();
    let swept = parallel(&sweeps, opts.jobs, |&(is_vdd, value)| {
        let (name, mut mode) = sweep_mode.clone();
        let vdd = if is_vdd { value } else { net.vdd };
        if !is_vdd {
            mode.cmem_ff = value;
        }
        measure_neuron(&name, &mode, vdd, REFERENCE_CURRENT_NA * 1e-9, 27.0).map(|p| SweepPoint {
            value,
            rate_hz: p.rate_hz,
            energy_per_spike_fj: p.energy_per_spike_fj,
        })
    })
    .into_iter()
    .collect::<Result<Vec<_>>>()?;
    let (energy_vs_vdd, energy_vs_cmem) = swept.split_at(ENERGY_VDDS.len());
    let synapse = measure_input_synapse(net.vdd, 27.0)?;
    let tile_jobs: Vec<(&crate::ir::TileIr, f64)> = net
        .chips
        .iter()
        .flat_map(|c| &c.tiles)
        .flat_map(|t| TILE_VSYN_FACTORS.iter().map(move |f| (t, t.vsyn * f)))
        .collect();
    let tiles = parallel(&tile_jobs, opts.jobs, |(t, vsyn)| {
        measure_tile(t, *vsyn, net.temperature)
    })
    .into_iter()
    .collect::<Result<Vec<_>>>()?;
    let mac_energy = net
        .chips
        .iter()
        .flat_map(|c| &c.tiles)
        .map(|t| measure_mac_energy(t, net.temperature))
        .collect::<Result<Vec<_>>>()?;
    Ok(Characterization {
        design: net.name.clone(),
        vdd: net.vdd,
        reference_current_na: REFERENCE_CURRENT_NA,
        energy_per_spike_fj: energy,
        modes: reports,
        ngspice_runs: jobs.len() + sweeps.len() + tile_jobs.len() + mac_energy.len() + 1,
        mac_energy,
        input_synapse_charge_fc: synapse.charge.iter().map(|q| q * 1e15).collect(),
        input_synapse_off_pa: synapse.off_current * 1e12,
        energy_vs_vdd: energy_vs_vdd.to_vec(),
        energy_vs_cmem: energy_vs_cmem.to_vec(),
        tiles,
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// A plain-text summary: one block per mode.
pub fn table(c: &Characterization) -> String {
    let mut s = format!(
        "characterize {}: {} ngspice runs in {:.1} s, VDD {} V\n",
        c.design, c.ngspice_runs, c.seconds, c.vdd
    );
    let opt =
        |v: Option<f64>, digits: usize| v.map_or("-".to_string(), |x| format!("{x:.digits$}"));
    for m in &c.modes {
        s += &format!(
            "mode {} (vleak {} V, vpw {} V, cmem {} fF, cfb {} fF)\n  {:>8} {:>10} {:>11} {:>10} {:>9} {:>10}\n",
            m.mode,
            m.vleak,
            m.vpw,
            m.cmem_ff,
            m.cfb_ff,
            "I (nA)",
            "rate (Hz)",
            "first (us)",
            "width (ns)",
            "thr (V)",
            "E (fJ)"
        );
        for p in &m.f_i {
            s += &format!(
                "  {:>8} {:>10.0} {:>11} {:>10} {:>9} {:>10}\n",
                p.current_na,
                p.rate_hz,
                opt(p.first_spike_s.map(|t| t * 1e6), 2),
                opt(p.spike_width_ns, 0),
                opt(p.threshold_v, 3),
                opt(p.energy_per_spike_fj, 1)
            );
        }
        for p in &m.temperatures {
            s += &format!(
                "  energy per spike at {} nA, {:>4} C: {} fJ\n",
                p.current_na,
                p.temperature_c,
                opt(p.energy_per_spike_fj, 1)
            );
        }
        for t in &m.temperature_fits {
            let f = &t.fit;
            s += &format!(
                "  fit at {:>3} C: C {:.0} fF, threshold {:.3} V, reset {:.3} V, refractory {:.0} ns{}, onset delay {:.0} ns, leak {:.1} pA; worst timing error {:.2} %\n",
                t.temperature_c,
                f.capacitance_ff,
                f.v_threshold,
                f.v_reset,
                f.t_refractory_ns,
                f.i_reset_na
                    .map(|i| format!(" + {:.1} fC / ({i:.2} nA - I)", f.q_reset_fc))
                    .unwrap_or_default(),
                f.t_delay_ns,
                f.i_leak_pa,
                f.max_relative_error * 100.0
            );
        }
    }
    let sweep = |label: &str, unit: &str, points: &[SweepPoint]| -> String {
        let cells: Vec<String> = points
            .iter()
            .map(|p| format!("{} {unit}: {} fJ", p.value, opt(p.energy_per_spike_fj, 1)))
            .collect();
        format!(
            "energy per spike vs {label} (1 nA, 27 C): {}\n",
            cells.join(", ")
        )
    };
    s += &format!(
        "input synapse charge per pulse (fC) by DAC level 1..15: {}\n",
        c.input_synapse_charge_fc[1..]
            .iter()
            .map(|q| format!("{q:.2}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    s += &sweep("VDD", "V", &c.energy_vs_vdd);
    s += &sweep("membrane capacitance", "fF", &c.energy_vs_cmem);
    for t in &c.tiles {
        s += &format!(
            "tile {} at vsyn {} V: diode-aware model within {:.1e} of ngspice; up to threshold a \
resistor-only model is off by {:.0} % and the ideal weighted sum by {:.0} % (resistive coupling)\n",
            t.tile,
            t.vsyn,
            t.diode_model_error,
            t.resistor_model_error * 100.0,
            t.weighted_sum_error * 100.0
        );
    }
    for m in &c.mac_energy {
        s += &format!(
            "tile {} MAC ({} inputs at {} V to a {} V threshold in {:.1} us): {:.1} fJ, {:.2} fJ per input; C V^2 / N = {:.2} fJ\n",
            m.tile,
            m.inputs,
            m.vsyn,
            m.threshold_v,
            m.time_to_threshold_us,
            m.energy_fj,
            m.energy_per_input_fj,
            m.cv2_over_n_fj
        );
    }
    if let Some(e) = c.energy_per_spike_fj {
        s += &format!(
            "energy_per_spike_fj: {e:.2} (first population's mode, {} nA, 27 C)\n",
            c.reference_current_na
        );
    }
    s
}

/// The f-I, energy and tile plots of a characterization.
fn charts(c: &Characterization) -> Vec<(String, Chart)> {
    let mut charts = Vec::new();
    let mut f_i = Vec::new();
    let mut energy = Vec::new();
    for m in &c.modes {
        let spiking: Vec<&NeuronPoint> = m.f_i.iter().filter(|p| p.spikes >= 3).collect();
        f_i.push(Series {
            name: format!("{} (ngspice)", m.mode),
            points: m
                .f_i
                .iter()
                .map(|p| (p.current_na, p.rate_hz / 1e3))
                .collect(),
            mark: Mark::Points,
        });
        let model = m.fit.params(27.0);
        let (lo, hi) = (
            m.f_i.first().map_or(0.1, |p| p.current_na),
            m.f_i.last().map_or(3.0, |p| p.current_na),
        );
        f_i.push(Series {
            name: format!("{} (fitted model)", m.mode),
            points: (0..=200)
                .map(|k| lo + (hi - lo) * k as f64 / 200.0)
                .map(|i| (i, model.rate(i * 1e-9) / 1e3))
                .collect(),
            mark: Mark::Line,
        });
        energy.push(Series {
            name: m.mode.clone(),
            points: spiking
                .iter()
                .filter_map(|p| Some((p.current_na, p.energy_per_spike_fj?)))
                .collect(),
            mark: Mark::Line,
        });
    }
    charts.push((
        "f_i.png".into(),
        Chart {
            title: format!("{}: firing rate vs input current (27 C)", c.design),
            x_label: "input current (nA)".into(),
            y_label: "rate (kHz)".into(),
            series: f_i,
        },
    ));
    charts.push((
        "energy.png".into(),
        Chart {
            title: format!("{}: energy per spike (27 C, VDD {} V)", c.design, c.vdd),
            x_label: "input current (nA)".into(),
            y_label: "energy per spike (fJ)".into(),
            series: energy,
        },
    ));
    let mut by_tile: BTreeMap<&str, Vec<Series>> = BTreeMap::new();
    for t in &c.tiles {
        by_tile.entry(&t.tile).or_default().push(Series {
            name: format!("vsyn {} V", t.vsyn),
            points: t
                .time_s
                .iter()
                .zip(t.columns_v.first().map(Vec::as_slice).unwrap_or(&[]))
                .map(|(&t, &v)| (t * 1e6, v))
                .collect(),
            mark: Mark::Line,
        });
    }
    for (tile, series) in by_tile {
        charts.push((
            format!("tile_{tile}.png"),
            Chart {
                title: format!("RC-Spike tile {tile}: column 0 membrane, inputs stepping in turn"),
                x_label: "time (us)".into(),
                y_label: "membrane (V)".into(),
                series,
            },
        ));
    }
    charts
}

/// Writes characterization.json, f_i.csv, tile trajectory CSVs and PNG plots into `dir`.
pub fn write(c: &Characterization, dir: &Path) -> Result<()> {
    let io = |source| Error::Output {
        path: dir.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    let json = serde_json::to_string_pretty(c).expect("report serializes") + "\n";
    std::fs::write(dir.join("characterization.json"), json).map_err(io)?;
    let mut csv = String::from(
        "mode,current_na,temperature_c,spikes,rate_hz,first_spike_us,spike_width_ns,threshold_v,energy_per_spike_fj\n",
    );
    let cell = |v: Option<f64>| v.map_or(String::new(), |x| format!("{x}"));
    for m in &c.modes {
        for p in m.temperature_fits.iter().flat_map(|s| &s.f_i) {
            csv += &format!(
                "{},{},{},{},{},{},{},{},{}\n",
                m.mode,
                p.current_na,
                p.temperature_c,
                p.spikes,
                p.rate_hz,
                cell(p.first_spike_s.map(|t| t * 1e6)),
                cell(p.spike_width_ns),
                cell(p.threshold_v),
                cell(p.energy_per_spike_fj)
            );
        }
    }
    std::fs::write(dir.join("f_i.csv"), csv).map_err(io)?;
    for t in &c.tiles {
        let mut csv = String::from("time_s");
        for j in 0..t.columns_v.len() {
            csv += &format!(",mem{j}_v");
        }
        csv.push('\n');
        for (k, time) in t.time_s.iter().enumerate() {
            csv += &format!("{time}");
            for col in &t.columns_v {
                csv += &format!(",{}", col[k]);
            }
            csv.push('\n');
        }
        std::fs::write(
            dir.join(format!("tile_{}_vsyn_{}.csv", t.tile, num(t.vsyn))),
            csv,
        )
        .map_err(io)?;
    }
    for (name, chart) in charts(c) {
        write_png(&chart, &dir.join(name))?;
    }
    Ok(())
}

#[derive(Template)]
#[template(path = "spice/tile_char.cir", escape = "none")]
struct TileDeck {
    d: TileDeckView,
}

struct TileDeckView {
    version: &'static str,
    tile: String,
    vsyn: String,
    temperature: String,
    inputs: Vec<TileInput>,
    crosspoints: Vec<crate::lower::spice::Crosspoint>,
    columns: Vec<TileColumnView>,
    tstep: String,
    tstop: String,
    vectors: String,
}

struct TileColumnView {
    name: String,
    cmem: String,
}

struct TileInput {
    name: String,
    at: String,
    high: String,
}

/// Membrane trajectories of one tile at one drive voltage, ngspice against three models.
#[derive(Debug, Clone, Serialize)]
pub struct TileTrajectory {
    pub tile: String,
    pub vsyn: f64,
    /// Times (s) at which input i steps to vsyn.
    pub input_steps_s: Vec<f64>,
    #[serde(skip)]
    pub time_s: Vec<f64>,
    /// ngspice membrane voltage per column (written to CSV, not JSON).
    #[serde(skip)]
    pub columns_v: Vec<Vec<f64>>,
    /// Largest |model - ngspice| relative to the largest membrane voltage: the diode-aware
    /// model over the whole run; a resistor-only model and the ideal weighted sum (constant
    /// currents vsyn / R, the conventional in-memory-computing assumption) up to where the
    /// membrane reaches the comparator threshold, the part a time-domain MAC reads.
    pub diode_model_error: f64,
    pub resistor_model_error: f64,
    pub weighted_sum_error: f64,
    /// When each column's membrane reaches the comparator threshold (s; None: never), in
    /// ngspice and in the diode-aware model.
    pub threshold_time_s: Vec<Option<f64>>,
    pub model_threshold_time_s: Vec<Option<f64>>,
}

/// The comparator-less deck of `tile` with input i stepping to `vsyn` at `steps[i]`; with
/// `input_currents` it also writes every input source's current. `draw` scales every
/// crosspoint resistor and column capacitor (mismatch).
fn tile_deck(
    tile: &crate::ir::TileIr,
    vsyn: f64,
    celsius: f64,
    steps: &[f64],
    tstop: f64,
    input_currents: bool,
    draw: Option<&crate::mismatch::TileDraw>,
) -> Result<String> {
    let r_factor = |i: usize, j: usize| draw.map_or(1.0, |d| d.r_factor[i][j]);
    let c_factor = |j: usize| draw.map_or(1.0, |d| d.c_factor[j]);
    let input = |i: usize| format!("in{i}");
    let column = |j: usize| format!("mem{j}");
    let mut crosspoints = Vec::new();
    for (i, row) in tile.weights.iter().enumerate() {
        for (j, &w) in row.iter().enumerate() {
            if w > 0.0 {
                crosspoints.push(crate::lower::spice::Crosspoint {
                    name: format!("x{i}_{j}"),
                    input: input(i),
                    column: column(j),
                    ohms: num(tile.r_unit_gohm * 1e9 / w * r_factor(i, j)),
                });
            }
        }
    }
    let columns: Vec<TileColumnView> = (0..tile.outputs as usize)
        .map(|j| TileColumnView {
            name: column(j),
            cmem: num(tile.c_mem_ff * 1e-15 * c_factor(j)),
        })
        .collect();
    let mut vectors: Vec<String> = columns.iter().map(|c| format!("v({})", c.name)).collect();
    if input_currents {
        vectors.extend((0..steps.len()).map(|i| format!("i(v{})", input(i))));
    }
    Ok(TileDeck {
        d: TileDeckView {
            version: env!("CARGO_PKG_VERSION"),
            tile: tile.name.clone(),
            vsyn: num(vsyn),
            temperature: num(celsius),
            inputs: steps
                .iter()
                .enumerate()
                .map(|(i, &t)| TileInput {
                    name: input(i),
                    at: num(t),
                    high: num(t + 1e-9),
                })
                .collect(),
            crosspoints,
            tstep: num(tstop / 2000.0),
            tstop: num(tstop),
            vectors: vectors.join(" "),
            columns,
        },
    }
    .render()?)
}

/// Energy of one time-domain RC multiply-accumulate: column 0 of a tile, every input with a
/// crosspoint there stepping to vsyn at once, until the membrane reaches the threshold.
#[derive(Debug, Clone, Serialize)]
pub struct MacEnergy {
    pub tile: String,
    /// Inputs with a crosspoint on column 0.
    pub inputs: usize,
    pub vsyn: f64,
    pub threshold_v: f64,
    pub time_to_threshold_us: f64,
    /// Energy the input sources deliver until the threshold, and per input.
    pub energy_fj: f64,
    pub energy_per_input_fj: f64,
    /// Morie's estimate C V^2 / N with V = vsyn, N = inputs.
    pub cv2_over_n_fj: f64,
}

pub fn measure_mac_energy(tile: &crate::ir::TileIr, celsius: f64) -> Result<MacEnergy> {
    let mut column0 = tile.clone();
    column0.outputs = 1;
    column0.weights = tile.weights.iter().map(|row| vec![row[0]]).collect();
    let inputs = column0.weights.iter().filter(|r| r[0] > 0.0).count();
    let tau = tile.r_unit_gohm * 1e9 * tile.c_mem_ff * 1e-15;
    let tstop = 2.0 * tau;
    let at = 1e-6;
    let steps = vec![at; tile.inputs as usize];
    let deck = tile_deck(&column0, tile.vsyn, celsius, &steps, tstop, true, None)?;
    let w = ngspice::run_deck_text("mac.cir", &deck, &[], "tile.dat")?;
    let t = w.time();
    let v = w.get("v(mem0)").unwrap_or(&[]);
    let end = (0..v.len())
        .find(|&k| v[k] >= tile.threshold_v)
        .unwrap_or(v.len() - 1);
    let mut energy = 0.0;
    for i in 0..steps.len() {
        let current = w.get(&format!("i(vin{i})")).unwrap_or(&[]);
        // A source delivering current has a negative branch current.
        energy += (1..=end)
            .map(|k| -0.5 * (current[k] + current[k - 1]) * tile.vsyn * (t[k] - t[k - 1]))
            .sum::<f64>();
    }
    let c = tile.c_mem_ff * 1e-15;
    Ok(MacEnergy {
        tile: tile.name.clone(),
        inputs,
        vsyn: tile.vsyn,
        threshold_v: tile.threshold_v,
        time_to_threshold_us: (t[end] - at) * 1e6,
        energy_fj: energy * 1e15,
        energy_per_input_fj: energy * 1e15 / inputs.max(1) as f64,
        cv2_over_n_fj: c * tile.vsyn * tile.vsyn / inputs.max(1) as f64 * 1e15,
    })
}

/// Steps the inputs of `tile` to `vsyn` one after another (no comparator) and compares the
/// column membranes with the models.
pub fn measure_tile(tile: &crate::ir::TileIr, vsyn: f64, celsius: f64) -> Result<TileTrajectory> {
    measure_tile_with(tile, vsyn, celsius, None)
}

/// `measure_tile` for a mismatched tile: the same drawn resistors and capacitors in the
/// deck and in the behavioural columns.
pub fn measure_tile_with(
    tile: &crate::ir::TileIr,
    vsyn: f64,
    celsius: f64,
    draw: Option<&crate::mismatch::TileDraw>,
) -> Result<TileTrajectory> {
    use crate::reference::analog::{ResistorDiode, TileColumn};
    let tau = tile.r_unit_gohm * 1e9 * tile.c_mem_ff * 1e-15;
    let tstop = 3.0 * tau;
    let steps: Vec<f64> = (0..tile.inputs)
        .map(|i| tstop * 0.5 * i as f64 / tile.inputs as f64 + 1e-6)
        .collect();
    let column = |j: usize| format!("mem{j}");
    let deck = tile_deck(tile, vsyn, celsius, &steps, tstop, false, draw)?;
    let w = ngspice::run_deck_text("tile.cir", &deck, &[], "tile.dat")?;
    let time = w.time().to_vec();
    let measured: Vec<Vec<f64>> = (0..tile.outputs as usize)
        .map(|j| w.get(&format!("v({})", column(j))).unwrap_or(&[]).to_vec())
        .collect();
    let n_vt = thermal_voltage(celsius);
    let saturation_current = crate::reference::analog::crosspoint_saturation_current(celsius);
    let model_column = |j: usize, diodes: bool| {
        let mut col = TileColumn {
            capacitance: tile.c_mem_ff * 1e-15,
            threshold: f64::INFINITY,
            hysteresis: 0.0,
            crosspoints: tile
                .weights
                .iter()
                .map(|row| {
                    (row[j] > 0.0).then(|| ResistorDiode {
                        ohms: tile.r_unit_gohm * 1e9 / row[j],
                        saturation_current,
                        n_vt,
                    })
                })
                .collect(),
            diodes,
        };
        if let Some(d) = draw {
            d.apply(j, &mut col);
        }
        col
    };
    let inputs_at = |t: f64| -> Vec<f64> {
        steps
            .iter()
            .map(|&s| if t >= s { vsyn } else { 0.0 })
            .collect()
    };
    // Integrate each model along ngspice's own time points, subdividing long intervals.
    let simulate = |j: usize, diodes: bool| -> Vec<f64> {
        let col = model_column(j, diodes);
        let mut v = 0.0;
        let mut out = vec![0.0];
        for k in 1..time.len() {
            let (t0, t1) = (time[k - 1], time[k]);
            let pieces = ((t1 - t0) / (tau / 2000.0)).ceil().max(1.0) as usize;
            let h = (t1 - t0) / pieces as f64;
            for p in 0..pieces {
                col.step(&mut v, &inputs_at(t0 + (p as f64 + 0.5) * h), h);
            }
            out.push(v);
        }
        out
    };
    let weighted_sum = |j: usize| -> Vec<f64> {
        time.iter()
            .map(|&t| {
                let r_factor = |i: usize| draw.map_or(1.0, |d| d.r_factor[i][j]);
                let c_factor = draw.map_or(1.0, |d| d.c_factor[j]);
                tile.weights
                    .iter()
                    .zip(&steps)
                    .enumerate()
                    .filter(|(_, (row, s))| row[j] > 0.0 && t > **s)
                    .map(|(i, (row, s))| {
                        vsyn * row[j] / (tile.r_unit_gohm * 1e9 * r_factor(i)) * (t - s)
                    })
                    .sum::<f64>()
                    / (tile.c_mem_ff * 1e-15 * c_factor)
            })
            .collect()
    };
    let scale = measured
        .iter()
        .flatten()
        .fold(0.0f64, |m, v| m.max(v.abs()))
        .max(1e-12);
    let error = |model: &dyn Fn(usize) -> Vec<f64>, limit: f64| -> f64 {
        (0..measured.len())
            .map(|j| {
                model(j)
                    .iter()
                    .zip(&measured[j])
                    .take_while(|(_, b)| **b <= limit)
                    .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()))
            })
            .fold(0.0, f64::max)
            / scale
    };
    let threshold = tile.threshold_v;
    // When each column reaches the comparator threshold, linearly between time points.
    let crossing = |v: &[f64]| -> Option<f64> {
        let k = v.iter().position(|&x| x >= threshold)?;
        (k > 0).then(|| {
            time[k - 1] + (threshold - v[k - 1]) / (v[k] - v[k - 1]) * (time[k] - time[k - 1])
        })
    };
    let model: Vec<Vec<f64>> = (0..measured.len()).map(|j| simulate(j, true)).collect();
    Ok(TileTrajectory {
        tile: tile.name.clone(),
        vsyn,
        input_steps_s: steps.clone(),
        threshold_time_s: measured.iter().map(|v| crossing(v)).collect(),
        model_threshold_time_s: model.iter().map(|v| crossing(v)).collect(),
        diode_model_error: error(&|j| model[j].clone(), f64::INFINITY),
        resistor_model_error: error(&|j| simulate(j, false), threshold),
        weighted_sum_error: error(&weighted_sum, threshold),
        time_s: time.clone(),
        columns_v: measured,
    })
}

#[derive(Template)]
#[template(path = "spice/synapse_char.cir", escape = "none")]
struct SynapseDeck {
    d: SynapseDeckView,
}

struct SynapseDeckView {
    version: &'static str,
    temperature: String,
    vdd: String,
    vmem: String,
    delay: String,
    edge: String,
    width: String,
    tstep: String,
    tstop: String,
    levels: Vec<SynapseLevel>,
    vectors: String,
}

struct SynapseLevel {
    level: u32,
    bias: String,
}

/// Membrane voltage the synapse charge is measured at: mid-way to the threshold.
pub const SYNAPSE_HOLD_V: f64 = 0.15;

/// The input synapse measured in ngspice.
#[derive(Debug, Clone)]
pub struct SynapseMeasurement {
    /// Charge (C) one input pulse moves at every DAC level (index = level, 0 = no synapse).
    pub charge: Vec<f64>,
    /// Current (A) an idle synapse still leaks into the membrane (its switch's off-current).
    pub off_current: f64,
}

/// Charge of one input pulse through the excitatory synapse at every DAC level into a
/// membrane held at SYNAPSE_HOLD_V, and the idle leakage, held at a resting 30 mV.
pub fn measure_input_synapse(vdd: f64, celsius: f64) -> Result<SynapseMeasurement> {
    use crate::lower::spice::{TEST_PULSE_EDGE, TEST_PULSE_WIDTH, WEIGHT_LEVELS, synapse_bias};
    let delay = 2e-6;
    let tstop = delay + TEST_PULSE_WIDTH + 4e-6;
    let levels: Vec<u32> = (1..=WEIGHT_LEVELS).collect();
    let deck = SynapseDeck {
        d: SynapseDeckView {
            version: env!("CARGO_PKG_VERSION"),
            temperature: num(celsius),
            vdd: num(vdd),
            vmem: num(SYNAPSE_HOLD_V),
            delay: num(delay),
            edge: num(TEST_PULSE_EDGE),
            width: num(TEST_PULSE_WIDTH),
            tstep: num(1e-8),
            tstop: num(tstop),
            levels: levels
                .iter()
                .map(|&l| SynapseLevel {
                    level: l,
                    bias: num(synapse_bias(true, vdd, l)),
                })
                .collect(),
            vectors: levels
                .iter()
                .map(|l| format!("i(vm{l})"))
                .collect::<Vec<_>>()
                .join(" "),
        },
    }
    .render()?;
    let models = [("generic180.lib".to_string(), GENERIC_180_MODELS.to_string())];
    let w = ngspice::run_deck_text("synapse.cir", &deck, &models, "synapse.dat")?;
    let t = w.time();
    let mut charges = vec![0.0];
    let mut off_current = 0.0;
    for l in levels {
        let i = w.get(&format!("i(vm{l})")).unwrap_or(&[]);
        // The off-state leak before the pulse is not the pulse's charge.
        let before = t.partition_point(|&x| x < delay * 0.9).max(1) - 1;
        let baseline = i[before];
        off_current = baseline;
        let q: f64 = (1..t.len())
            .filter(|&k| t[k] > delay * 0.95)
            .map(|k| 0.5 * (i[k] + i[k - 1] - 2.0 * baseline) * (t[k] - t[k - 1]))
            .sum();
        charges.push(q);
    }
    Ok(SynapseMeasurement {
        charge: charges,
        off_current,
    })
}

#[derive(Template)]
#[template(path = "spice/rest_char.cir", escape = "none")]
struct RestDeck {
    d: RestDeckView,
}

struct RestDeckView {
    version: &'static str,
    mode: String,
    synapses: usize,
    temperature: String,
    vdd: String,
    vleak: String,
    vpw: String,
    vw: String,
    cmem: String,
    cfb: String,
    synapse_names: Vec<String>,
}

/// Idle excitatory synapse counts the resting potential is measured for.
pub const REST_SYNAPSE_COUNTS: [u32; 5] = [0, 1, 2, 4, 8];

/// Resting membrane potential (V) of a `mode` neuron with `synapses` idle excitatory
/// synapses (level 8 bias; the idle current is the switch's off-current, not the bias).
pub fn measure_rest(
    mode_name: &str,
    mode: &NeuronMode,
    vdd: f64,
    synapses: u32,
    celsius: f64,
) -> Result<f64> {
    let deck = RestDeck {
        d: RestDeckView {
            version: env!("CARGO_PKG_VERSION"),
            mode: mode_name.to_string(),
            synapses: synapses as usize,
            temperature: num(celsius),
            vdd: num(vdd),
            vleak: num(mode.vleak),
            vpw: num(mode.vpw),
            vw: num(crate::lower::spice::synapse_bias(true, vdd, 8)),
            cmem: num(mode.cmem_ff * 1e-15),
            cfb: num(mode.cfb_ff * 1e-15),
            synapse_names: (0..synapses).map(|k| format!("s{k}")).collect(),
        },
    }
    .render()?;
    let models = [("generic180.lib".to_string(), GENERIC_180_MODELS.to_string())];
    let w = ngspice::run_deck_text("rest.cir", &deck, &models, "rest.dat")?;
    Ok(w.get("v(vmem)")
        .and_then(|v| v.first().copied())
        .unwrap_or(0.0))
}
