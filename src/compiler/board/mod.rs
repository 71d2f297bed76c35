//! The FPGA boards a design can go on: each device's package, board pins and nextpnr
//! arguments, and the pin constraints of a design's top-level ports on them.

pub mod device;
pub mod pins;

pub use device::DeviceSpec;
pub use pins::Port;
