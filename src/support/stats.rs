//! Small statistics shared by the reports: mean/sigma/min/max and piecewise-linear lookup.

use serde::Serialize;

/// Mean, sigma, min and max of one figure.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Stats {
    pub count: usize,
    pub mean: f64,
    pub sigma: f64,
    pub min: f64,
    pub max: f64,
}

impl Stats {
    pub fn of(values: &[f64]) -> Stats {
        let v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return Stats::default();
        }
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
        Stats {
            count: v.len(),
            mean,
            sigma: var.sqrt(),
            min: v.iter().copied().fold(f64::INFINITY, f64::min),
            max: v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        }
    }
}

/// Piecewise-linear y(x) through points sorted by x, clamped outside them.
pub fn interpolate(points: &[(f64, f64)], x: f64) -> Option<f64> {
    let (first, last) = (points.first()?, points.last()?);
    if x <= first.0 {
        return Some(first.1);
    }
    if x >= last.0 {
        return Some(last.1);
    }
    let i = points.iter().position(|p| p.0 >= x)?;
    let ((x0, y0), (x1, y1)) = (points[i - 1], points[i]);
    Some(y0 + (y1 - y0) * (x - x0) / (x1 - x0))
}

/// The central interval [lo, hi] that holds a Binomial(n, p) count with probability at
/// least `level`: P(X < lo) and P(X > hi) are each at most (1 - level) / 2.
pub fn binomial_interval(n: u32, p: f64, level: f64) -> (u32, u32) {
    let tail = (1.0 - level) / 2.0;
    let pmf: Vec<f64> = (0..=n).map(|k| binomial_pmf(n, k, p)).collect();
    let mut below = 0.0;
    let mut lo = 0;
    while lo < n && below + pmf[lo as usize] <= tail {
        below += pmf[lo as usize];
        lo += 1;
    }
    let mut above = 0.0;
    let mut hi = n;
    while hi > 0 && above + pmf[hi as usize] <= tail {
        above += pmf[hi as usize];
        hi -= 1;
    }
    (lo, hi)
}

fn binomial_pmf(n: u32, k: u32, p: f64) -> f64 {
    if p <= 0.0 {
        return if k == 0 { 1.0 } else { 0.0 };
    }
    if p >= 1.0 {
        return if k == n { 1.0 } else { 0.0 };
    }
    let ln_choose: f64 = (1..=k)
        .map(|i| (f64::from(n - k + i) / f64::from(i)).ln())
        .sum();
    (ln_choose + f64::from(k) * p.ln() + f64::from(n - k) * (1.0 - p).ln()).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_skip_non_finite_values_and_use_the_sample_sigma() {
        let s = Stats::of(&[1.0, 2.0, 3.0, f64::NAN]);
        assert_eq!((s.count, s.mean, s.min, s.max), (3, 2.0, 1.0, 3.0));
        assert!((s.sigma - 1.0).abs() < 1e-12);
        assert_eq!(Stats::of(&[]).count, 0);
    }

    #[test]
    fn interpolation_is_linear_inside_and_clamped_outside() {
        let pts = [(0.0, 0.0), (1.0, 10.0), (3.0, 30.0)];
        assert_eq!(interpolate(&pts, 0.5), Some(5.0));
        assert_eq!(interpolate(&pts, 2.0), Some(20.0));
        assert_eq!(interpolate(&pts, -1.0), Some(0.0));
        assert_eq!(interpolate(&pts, 9.0), Some(30.0));
        assert_eq!(interpolate(&[], 1.0), None);
    }

    #[test]
    fn binomial_intervals_hold_95_percent_and_no_more_than_needed() {
        // Binomial(200, 0.5): P(X <= 85) = 0.0200, P(X <= 86) = 0.0283.
        assert_eq!(binomial_interval(200, 0.5, 0.95), (86, 114));
        assert_eq!(binomial_interval(200, 0.0, 0.95), (0, 0));
        assert_eq!(binomial_interval(200, 1.0, 0.95), (200, 200));
    }
}
