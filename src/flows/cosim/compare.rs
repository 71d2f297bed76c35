//! The simulator's trace against the model's outputs, cycle by cycle and signal by signal.

use crate::model::digital::{BoardOutputs, Outputs, Params};

/// The first output that differs from the model.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Divergence {
    pub cycle: u64,
    pub signal: String,
    pub expected: String,
    pub got: String,
}

/// One cycle of a module's outputs, as the harness writes them on a trace line.
pub trait TraceLine {
    /// This cycle's value of each output port, in the harness's order (lower::verilog's
    /// `top_harness` and `board_harness`), appended to `out`.
    fn values(&self, p: &Params, out: &mut Vec<u64>);
}

/// The AER buses' outputs, in the order of the harness's ports (lower::verilog's
/// `lower_aer_ports`: each bus's ack, syn_req, syn_addr, then a shared bus's selects).
fn bus_values(o: &Outputs, p: &Params, out: &mut Vec<u64>) {
    for c in &o.chips {
        out.extend([c.ack as u64, c.syn_req as u64, c.syn_addr as u64]);
        if p.shared_bus {
            out.extend([c.sel as u64, c.syn_sel as u64]);
        }
    }
}

impl TraceLine for Outputs {
    fn values(&self, p: &Params, out: &mut Vec<u64>) {
        bus_values(self, p, out);
        out.extend([
            self.class_valid as u64,
            self.class_out as u64,
            self.class_score,
        ]);
    }
}

impl TraceLine for BoardOutputs {
    fn values(&self, p: &Params, out: &mut Vec<u64>) {
        bus_values(&self.top, p, out);
        out.extend([self.irq as u64, self.sdo as u64]);
    }
}

/// The first cycle and signal where the simulator's trace differs from the model; `names`
/// are the harness's output ports, one per trace field. Refused when the model's outputs
/// are not one per port.
pub fn compare<T: TraceLine>(
    trace: &str,
    expected: &[T],
    names: &[String],
    p: &Params,
) -> Result<Option<Divergence>, String> {
    // Values go into one buffer: this loop runs once per cycle, up to two million times.
    let mut values = Vec::with_capacity(names.len());
    // Every cycle has as many outputs as the first (the chips do not change).
    if let Some(first) = expected.first() {
        first.values(p, &mut values);
        if values.len() != names.len() {
            return Err(format!(
                "{} model outputs for {} output ports",
                values.len(),
                names.len()
            ));
        }
    }
    let mut lines = trace.lines();
    for (cycle, want) in expected.iter().enumerate() {
        let diverged = |signal: &str, expected: String, got: String| {
            Ok(Some(Divergence {
                cycle: cycle as u64,
                signal: signal.into(),
                expected,
                got,
            }))
        };
        let Some(line) = lines.next() else {
            return diverged("(trace)", "a line of outputs".into(), "end of trace".into());
        };
        values.clear();
        want.values(p, &mut values);
        let mut got = line.split_ascii_whitespace();
        for (signal, &value) in names.iter().zip(&values) {
            let g = got.next().unwrap_or("(missing)");
            let parsed = u64::from_str_radix(g, 16).ok();
            if parsed != Some(value) {
                let got = parsed.map_or(g.to_string(), |v| format!("{v:#x}"));
                return diverged(signal, format!("{value:#x}"), got);
            }
        }
    }
    Ok(None)
}

/// Synapse events (rising syn_req edges) in the model's outputs.
pub fn count_synapse_events(outputs: &[&Outputs]) -> u64 {
    let mut prev: Option<&Outputs> = None;
    let mut n = 0;
    for o in outputs {
        for (k, c) in o.chips.iter().enumerate() {
            let was = prev.is_some_and(|p| p.chips[k].syn_req);
            if c.syn_req && !was {
                n += 1;
            }
        }
        prev = Some(*o);
    }
    n
}
