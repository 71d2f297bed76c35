//! Pin constraints (PCF) for a design on a device's board: `clk` on the board's clock pin,
//! every other port bit on the next free pin in the package's order, the configuration
//! flash's pins left alone.

use super::device::DeviceSpec;
use super::netlist::Port;
use std::fmt::Write as _;

/// The PCF, or `None` when the ports have more bits than the board has pins.
pub fn generate(ports: &[Port], spec: &DeviceSpec, design: &str) -> Option<String> {
    let mut pcf = format!(
        "# Pins of {design} on the {} ({} {}), written by snngen build --fpga.\n\
         # clk is on the board's clock input; the other ports take the package's IO pins in\n\
         # order, leaving the configuration flash's ({}). Give --pcf FILE to place them yourself.\n",
        spec.board,
        spec.device.name(),
        spec.package,
        spec.flash_pins.join(" ")
    );
    let mut free = spec.user_pins();
    for port in ports {
        for bit in 0..port.bits {
            let name = match port.bits {
                1 => port.name.clone(),
                _ => format!("{}[{bit}]", port.name),
            };
            let pin = if name == "clk" {
                spec.clock_pin
            } else {
                free.next()?
            };
            let _ = writeln!(pcf, "set_io {name} {pin}");
        }
    }
    Some(pcf)
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
    fn too_many_bits_for_the_package() {
        let spec = DeviceSpec::of(FpgaDevice::Ice40Up5k);
        let fits = spec.io_pins() as usize - 1;
        assert!(generate(&[port("clk", 1), port("d", fits)], spec, "d").is_some());
        assert!(generate(&[port("clk", 1), port("d", fits + 1)], spec, "d").is_none());
    }
}
