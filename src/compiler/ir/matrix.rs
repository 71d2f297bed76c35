//! Weight matrices (inline, CSV file or seeded random) and the signed fixed-point format.

use crate::compiler::design::Matrix;
use crate::support::fs::{MAX_INPUT_BYTES, read_text};
use crate::support::text::quoted;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use regex::Regex;
use std::path::Path;
use std::sync::LazyLock;

/// Turns a matrix description into `rows` x `cols` numbers.
/// `base_dir` is where a `file:` path is looked up (the design file's folder).
pub fn resolve_matrix(
    matrix: &Matrix,
    rows: usize,
    cols: usize,
    base_dir: &Path,
) -> Result<Vec<Vec<f64>>, String> {
    let values = match (&matrix.inline, &matrix.file, &matrix.random) {
        (Some(v), None, None) => v.clone(),
        (None, Some(path), None) => read_csv(&base_dir.join(path), path, rows, cols)?,
        (None, None, Some(r)) => {
            if r.min.is_nan() || r.max.is_nan() || r.min > r.max {
                return Err(format!(
                    "random weights need min <= max, got {} > {}",
                    r.min, r.max
                ));
            }
            if !(0.0..=1.0).contains(&r.density) {
                return Err(format!("density must be in [0, 1], got {}", r.density));
            }
            let mut rng = ChaCha8Rng::seed_from_u64(r.seed);
            (0..rows)
                .map(|_| {
                    (0..cols)
                        .map(|_| {
                            let keep = rng.random::<f64>() < r.density;
                            let w = r.min + (r.max - r.min) * rng.random::<f64>();
                            if keep { w } else { 0.0 }
                        })
                        .collect()
                })
                .collect()
        }
        _ => {
            return Err("give exactly one of `inline`, `file` and `random`".into());
        }
    };
    if values.len() != rows {
        return Err(format!("expected {rows} rows, found {}", values.len()));
    }
    if let Some((i, row)) = values.iter().enumerate().find(|(_, r)| r.len() != cols) {
        return Err(format!(
            "expected {cols} values in every row, row {i} has {}",
            row.len()
        ));
    }
    Ok(values)
}

/// A CSV file of `rows` x `cols` numbers. A file larger than such a matrix can be (64
/// bytes a value, and room for comments) is refused unread; rows and values past the shape
/// stop the parse, so no file makes more than the matrix in memory.
fn read_csv(path: &Path, shown: &str, rows: usize, cols: usize) -> Result<Vec<Vec<f64>>, String> {
    let shown = quoted(shown, 200);
    let limit = (rows as u64)
        .saturating_mul(cols as u64)
        .saturating_mul(64)
        .saturating_add(1 << 20)
        .min(MAX_INPUT_BYTES);
    let text =
        read_text(path, limit).map_err(|e| format!("cannot read weight file `{shown}`: {e}"))?;
    let mut out = Vec::new();
    for record in crate::support::csv::records(&text) {
        let record = record.map_err(|e| format!("`{shown}` {e}"))?;
        if out.len() == rows {
            return Err(format!("expected {rows} rows, found more"));
        }
        if record.fields.len() > cols {
            return Err(format!(
                "expected {cols} values in every row, row {} (line {}) has {}",
                out.len(),
                record.line,
                record.fields.len()
            ));
        }
        // A file that is no CSV of numbers is named by line and field, not echoed.
        let row = (1..)
            .zip(&record.fields)
            .map(|(k, v)| {
                v.parse::<f64>()
                    .map_err(|_| format!("`{shown}` line {}, value {k}: not a number", record.line))
            })
            .collect::<Result<Vec<f64>, String>>()?;
        out.push(row);
    }
    Ok(out)
}

/// Signed two's-complement fixed point `Qm.n`: m integer bits including the sign, n fraction bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QFormat {
    pub int_bits: u32,
    pub frac_bits: u32,
}

static Q_FORMAT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^Q(\d{1,2})\.(\d{1,2})$").unwrap());

impl QFormat {
    pub fn parse(text: &str) -> Result<QFormat, String> {
        let c = Q_FORMAT
            .captures(text)
            .ok_or_else(|| format!("`{text}` is not a fixed-point format like `Q2.6`"))?;
        let q = QFormat {
            int_bits: c[1].parse().unwrap_or(0),
            frac_bits: c[2].parse().unwrap_or(0),
        };
        if q.int_bits == 0 || q.width() > 16 {
            return Err(format!(
                "`{text}` needs at least 1 integer bit (the sign) and at most 16 bits in all"
            ));
        }
        Ok(q)
    }

    pub fn width(&self) -> u32 {
        self.int_bits + self.frac_bits
    }

    pub fn min_raw(&self) -> i64 {
        -(1i64 << (self.width() - 1))
    }

    pub fn max_raw(&self) -> i64 {
        (1i64 << (self.width() - 1)) - 1
    }

    /// Round to nearest (ties away from zero); `Err` with the range when it does not fit.
    pub fn quantize(&self, value: f64) -> Result<i64, String> {
        let scaled = (value * (1u64 << self.frac_bits) as f64).round();
        if scaled.is_finite() && scaled >= self.min_raw() as f64 && scaled <= self.max_raw() as f64
        {
            Ok(scaled as i64)
        } else {
            Err(format!(
                "{value} does not fit Q{}.{} (range {} to {})",
                self.int_bits,
                self.frac_bits,
                self.to_real(self.min_raw()),
                self.to_real(self.max_raw())
            ))
        }
    }

    pub fn to_real(&self, raw: i64) -> f64 {
        raw as f64 / (1u64 << self.frac_bits) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn q_format_range_and_rounding() {
        let q = QFormat::parse("Q2.6").unwrap();
        assert_eq!((q.min_raw(), q.max_raw()), (-128, 127));
        assert_eq!(q.quantize(0.5), Ok(32));
        assert_eq!(q.quantize(-2.0), Ok(-128));
        assert!(q.quantize(2.0).is_err());
        assert!(QFormat::parse("Q0.8").is_err());
        assert!(QFormat::parse("8.8").is_err());
    }
}
