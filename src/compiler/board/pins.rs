//! Pin constraints (PCF) for a design on a device's board: `clk` on the board's clock pin,
//! every other port bit on the next free pin in the package's order, the configuration
//! flash's pins left alone.

use super::device::DeviceSpec;
use std::fmt::Write as _;

/// A top-level port and its width in bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Port {
    pub name: String,
    pub bits: usize,
}

/// The PCF, or `None` when the ports have more bits than the board has pins.
pub fn generate(ports: &[Port], spec: &DeviceSpec, design: &str) -> Option<String> {
    let mut pcf = format!(
        "# Pins of {design} on the {} ({} {}), written by snngen build.\n\
         # clk is on the board's clock input; the other ports take the package's IO pins in\n\
         # order, leaving the configuration flash's ({}). Give --pcf FILE to place them yourself.\n",
        spec.board,
        spec.device.name(),
        spec.package,
        spec.flash_pins.join(" ")
    );
    let mut free = spec.user_pins();
    for name in ports.iter().flat_map(bit_names) {
        let pin = if name == "clk" {
            spec.clock_pin
        } else {
            free.next()?
        };
        let _ = writeln!(pcf, "set_io {name} {pin}");
    }
    Some(pcf)
}

/// Checks that a user's PCF gives every port bit a pin and names no other: `Err` lists the
/// bits without a pin and the names that are no port bit.
pub fn check(pcf: &str, ports: &[Port]) -> Result<(), String> {
    let bits: Vec<String> = ports.iter().flat_map(bit_names).collect();
    // set_io [-nowarn] [-pullup yes] ... NAME PIN, comments after '#'.
    let named: Vec<&str> = pcf
        .lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .filter_map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            (words.first() == Some(&"set_io") && words.len() >= 3).then(|| words[words.len() - 2])
        })
        .collect();
    let missing: Vec<&str> = bits
        .iter()
        .map(String::as_str)
        .filter(|b| !named.contains(b))
        .collect();
    let unknown: Vec<&str> = named
        .iter()
        .copied()
        .filter(|n| !bits.iter().any(|b| b == n))
        .collect();
    let mut problems = Vec::new();
    if !missing.is_empty() {
        problems.push(format!(
            "{} port bit(s) have no pin: {}",
            missing.len(),
            first_few(&missing)
        ));
    }
    if !unknown.is_empty() {
        problems.push(format!(
            "{} name(s) are no port bit of the design: {}",
            unknown.len(),
            first_few(&unknown)
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// The first 8 names, and how many more.
fn first_few(names: &[&str]) -> String {
    let shown = &names[..names.len().min(8)];
    match names.len() - shown.len() {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// A port's bits as a PCF names them: `name` for one bit, `name[i]` for a bus.
fn bit_names(port: &Port) -> Vec<String> {
    match port.bits {
        1 => vec![port.name.clone()],
        n => (0..n).map(|i| format!("{}[{i}]", port.name)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compiler::design::FpgaDevice;

    fn port(name: &str, bits: usize) -> Port {
        Port {
            name: name.into(),
            bits,
        }
    }

    #[test]
    fn clock_on_the_clock_pin_and_the_rest_in_order() {
        let spec = DeviceSpec::of(FpgaDevice::Ice40Up5k);
        let pcf = generate(&[port("a", 2), port("clk", 1)], spec, "d").unwrap();
        let lines: Vec<&str> = pcf.lines().filter(|l| l.starts_with("set_io")).collect();
        assert_eq!(lines, ["set_io a[0] 2", "set_io a[1] 3", "set_io clk 35"]);
    }

    #[test]
    fn a_users_pins_must_cover_every_port_bit_and_no_more() {
        let ports = [port("clk", 1), port("d", 2)];
        let good = "set_io clk 35\nset_io -nowarn d[0] 2 # x\nset_io d[1] 3\n";
        assert_eq!(check(good, &ports), Ok(()));
        let e = check("set_io clk 35\nset_io d[0] 2\nset_io led 9\n", &ports).unwrap_err();
        assert!(e.contains("1 port bit(s) have no pin: d[1]"), "{e}");
        assert!(
            e.contains("1 name(s) are no port bit of the design: led"),
            "{e}"
        );
    }

    #[test]
    fn too_many_bits_for_the_package() {
        let spec = DeviceSpec::of(FpgaDevice::Ice40Up5k);
        let fits = spec.io_pins() as usize - 1;
        assert!(generate(&[port("clk", 1), port("d", fits)], spec, "d").is_some());
        assert!(generate(&[port("clk", 1), port("d", fits + 1)], spec, "d").is_none());
    }
}
