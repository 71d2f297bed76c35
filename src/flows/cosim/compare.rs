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
    /// The output fields in the harness's order, named as the ports are.
    fn fields(&self, p: &Params) -> Vec<(String, u64)>;
}

/// The AER buses' outputs, in the order of the harness's ports (lower::verilog's
/// `lower_aer_ports`: each bus's ack, syn_req, syn_addr, then a shared bus's selects).
fn bus_fields(o: &Outputs, p: &Params) -> Vec<(String, u64)> {
    let mut v = Vec::new();
    for (c, name) in o.chips.iter().zip(p.bus_names()) {
        v.push((format!("{name}_ack"), c.ack as u64));
        v.push((format!("{name}_syn_req"), c.syn_req as u64));
        v.push((format!("{name}_syn_addr"), c.syn_addr as u64));
        if p.shared_bus {
            v.push((format!("{name}_sel"), c.sel as u64));
            v.push((format!("{name}_syn_sel"), c.syn_sel as u64));
        }
    }
    v
}

impl TraceLine for Outputs {
    fn fields(&self, p: &Params) -> Vec<(String, u64)> {
        let mut v = bus_fields(self, p);
        v.push(("class_valid".into(), self.class_valid as u64));
        v.push(("class_out".into(), self.class_out as u64));
        v.push(("class_score".into(), self.class_score));
        v
    }
}

impl TraceLine for BoardOutputs {
    fn fields(&self, p: &Params) -> Vec<(String, u64)> {
        let mut v = bus_fields(&self.top, p);
        v.push(("irq".into(), self.irq as u64));
        v.push(("spi_sdo".into(), self.sdo as u64));
        v
    }
}

/// The first cycle and signal where the simulator's trace differs from the model.
pub fn compare<T: TraceLine>(trace: &str, expected: &[T], p: &Params) -> Option<Divergence> {
    let mut lines = trace.lines();
    for (cycle, want) in expected.iter().enumerate() {
        let fields = want.fields(p);
        let Some(line) = lines.next() else {
            return Some(Divergence {
                cycle: cycle as u64,
                signal: "(trace)".into(),
                expected: "a line of outputs".into(),
                got: "end of trace".into(),
            });
        };
        let got: Vec<&str> = line.split_whitespace().collect();
        for (k, (signal, value)) in fields.iter().enumerate() {
            let g = got.get(k).copied().unwrap_or("(missing)");
            if u64::from_str_radix(g, 16).ok() != Some(*value) {
                return Some(Divergence {
                    cycle: cycle as u64,
                    signal: signal.clone(),
                    expected: format!("{value:#x}"),
                    got: u64::from_str_radix(g, 16).map_or(g.to_string(), |v| format!("{v:#x}")),
                });
            }
        }
    }
    None
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
