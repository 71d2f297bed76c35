//! The spintronic learning core's files: the core, its Verilator testbench and the device
//! macro-models a build writes beside them.

use super::EmittedFile;
use super::deck::spin_cells;
use crate::compiler::lower::spin_core::SpinCoreView;
use askama::Template;

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The stimulus file the testbench reads and the result file it writes, beside it.
pub const SPIN_STIMULUS: &str = "stimulus.txt";
pub const SPIN_RESULT: &str = "result.txt";

#[derive(Template)]
#[template(path = "verilog/spin_core.v", escape = "none")]
struct SpinCoreTemplate<'a> {
    c: &'a SpinCoreView,
    version: &'a str,
}

#[derive(Template)]
#[template(path = "tb/spin_tb.sv", escape = "none")]
struct SpinTbTemplate<'a> {
    c: &'a SpinCoreView,
    version: &'a str,
    stimulus: &'a str,
    output: &'a str,
}

/// rtl/<prefix>_spin_core.v, tb/<prefix>_spin_tb.sv and spice/spin_cells.cir.
pub fn spin_files(c: &SpinCoreView) -> Result<Vec<EmittedFile>, askama::Error> {
    let core = SpinCoreTemplate {
        c,
        version: VERSION,
    };
    let tb = SpinTbTemplate {
        c,
        version: VERSION,
        stimulus: SPIN_STIMULUS,
        output: SPIN_RESULT,
    };
    // Templates lose their last newline in rendering; files end with one.
    let line = |text: String| text + "\n";
    Ok(vec![
        EmittedFile {
            path: format!("rtl/{}_spin_core.v", c.prefix),
            contents: line(core.render()?),
        },
        EmittedFile {
            path: format!("tb/{}_spin_tb.sv", c.prefix),
            contents: line(tb.render()?),
        },
        EmittedFile {
            path: "spice/spin_cells.cir".into(),
            contents: line(spin_cells()?),
        },
    ])
}
