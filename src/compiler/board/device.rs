//! The FPGAs `build --fpga` targets: their capacities, packages and the board each is placed
//! for. Pin lists are the package's bonded IO as icestorm's `icebox.py` (pinloc_db) lists
//! them, in its order.

use crate::compiler::design::FpgaDevice;

/// One device in one package on one board.
#[derive(Debug)]
pub struct DeviceSpec {
    pub device: FpgaDevice,
    /// nextpnr-ice40's device flag and package.
    pub nextpnr_args: &'static [&'static str],
    pub package: &'static str,
    pub board: &'static str,
    /// Map multipliers onto DSP blocks (`synth_ice40 -dsp`).
    pub dsp: bool,
    /// The board's clock input (a global buffer pin).
    pub clock_pin: &'static str,
    /// The pins of the board's configuration flash: left free.
    pub flash_pins: &'static [&'static str],
    /// Every bonded IO pin of the package.
    pub package_pins: &'static [&'static str],
}

impl DeviceSpec {
    pub fn of(device: FpgaDevice) -> &'static DeviceSpec {
        match device {
            FpgaDevice::Ice40Hx8k => &HX8K,
            FpgaDevice::Ice40Up5k => &UP5K,
        }
    }

    /// Pins a design's ports may take besides the clock: the package's, less the clock pin
    /// and the flash's.
    pub fn user_pins(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.package_pins
            .iter()
            .copied()
            .filter(|p| *p != self.clock_pin && !self.flash_pins.contains(p))
    }

    /// Every port bit a design may have: the user pins plus the clock.
    pub fn io_pins(&self) -> u64 {
        self.user_pins().count() as u64 + 1
    }
}

static HX8K: DeviceSpec = DeviceSpec {
    device: FpgaDevice::Ice40Hx8k,
    nextpnr_args: &["--hx8k", "--package", "ct256"],
    package: "ct256",
    board: "iCE40-HX8K breakout board",
    dsp: false,
    clock_pin: "J3",
    flash_pins: &["P11", "P12", "R11", "R12"],
    package_pins: &[
        "A1", "A2", "A5", "A6", "A7", "A9", "A10", "A11", "A15", "A16", "B1", "B2", "B3", "B4",
        "B5", "B6", "B7", "B8", "B9", "B10", "B11", "B12", "B13", "B14", "B15", "B16", "C1", "C2",
        "C3", "C4", "C5", "C6", "C7", "C8", "C9", "C10", "C11", "C12", "C13", "C14", "C16", "D1",
        "D2", "D3", "D4", "D5", "D6", "D7", "D8", "D9", "D10", "D11", "D13", "D14", "D15", "D16",
        "E2", "E3", "E4", "E5", "E6", "E9", "E10", "E11", "E13", "E14", "E16", "F1", "F2", "F3",
        "F4", "F5", "F7", "F9", "F11", "F12", "F13", "F14", "F15", "F16", "G1", "G2", "G3", "G4",
        "G5", "G10", "G11", "G12", "G13", "G14", "G15", "G16", "H1", "H2", "H3", "H4", "H5", "H6",
        "H11", "H12", "H13", "H14", "H16", "J1", "J2", "J3", "J4", "J5", "J10", "J11", "J12",
        "J13", "J14", "J15", "J16", "K1", "K3", "K4", "K5", "K9", "K11", "K12", "K13", "K14",
        "K15", "K16", "L1", "L3", "L4", "L5", "L6", "L7", "L9", "L10", "L11", "L12", "L13", "L14",
        "L16", "M1", "M2", "M3", "M4", "M5", "M6", "M7", "M8", "M9", "M11", "M12", "M13", "M14",
        "M15", "M16", "N2", "N3", "N4", "N5", "N6", "N7", "N9", "N10", "N12", "N16", "P1", "P2",
        "P4", "P5", "P6", "P7", "P8", "P9", "P10", "P11", "P12", "P13", "P14", "P15", "P16", "R1",
        "R2", "R3", "R4", "R5", "R6", "R9", "R10", "R11", "R12", "R14", "R15", "R16", "T1", "T2",
        "T3", "T5", "T6", "T7", "T8", "T9", "T10", "T11", "T13", "T14", "T15", "T16",
    ],
};

static UP5K: DeviceSpec = DeviceSpec {
    device: FpgaDevice::Ice40Up5k,
    nextpnr_args: &["--up5k", "--package", "sg48"],
    package: "sg48",
    board: "iCEBreaker",
    dsp: true,
    clock_pin: "35",
    flash_pins: &["14", "15", "16", "17"],
    package_pins: &[
        "2", "3", "4", "6", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20",
        "21", "23", "25", "26", "27", "28", "31", "32", "34", "35", "36", "37", "38", "39", "40",
        "41", "42", "43", "44", "45", "46", "47", "48",
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pin_counts_match_the_packages() {
        // icebox.py: 206 bonded IO on the HX8K ct256, 39 on the UP5K sg48.
        assert_eq!(HX8K.package_pins.len(), 206);
        assert_eq!(UP5K.package_pins.len(), 39);
        for spec in [&HX8K, &UP5K] {
            assert!(spec.package_pins.contains(&spec.clock_pin));
            assert_eq!(spec.io_pins(), spec.package_pins.len() as u64 - 4);
        }
    }
}
