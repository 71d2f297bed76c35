//! Per-target view models: plain structs the templates read. All arithmetic, naming and
//! literal formatting happens here so that the templates only place values.

pub mod spice;
pub mod spin_core;
pub mod verilog;

/// What every emitted file says about where it came from.
#[derive(Debug, Clone)]
pub struct Header {
    pub version: &'static str,
    /// Sanitized design name.
    pub design: String,
    /// First 16 hex digits of the design hash.
    pub design_hash: String,
}

/// Bits needed to index `n` items (0..n-1), at least 1.
pub fn index_width(n: u64) -> u32 {
    value_width(n.saturating_sub(1))
}

/// Bits needed to hold the unsigned value `v`, at least 1.
pub fn value_width(v: u64) -> u32 {
    (64 - v.leading_zeros()).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths() {
        assert_eq!(index_width(1), 1);
        assert_eq!(index_width(2), 1);
        assert_eq!(index_width(3), 2);
        assert_eq!(index_width(256), 8);
        assert_eq!(index_width(257), 9);
        assert_eq!(value_width(0), 1);
        assert_eq!(value_width(255), 8);
        assert_eq!(value_width(256), 9);
    }
}
