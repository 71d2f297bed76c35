//! Readout training: ridge regression from binned spike counts onto one-hot class targets,
//! then the weights quantized to the readout's signed fixed-point format.

use crate::compiler::ir::QFormat;

/// Gram matrix X^T X (d x d, row-major) and X^T Y (d x classes) of a training set.
#[derive(Debug, Clone)]
pub struct Normal {
    d: usize,
    classes: usize,
    gram: Vec<f64>,
    xty: Vec<f64>,
    /// Mean of the Gram matrix's diagonal, the scale the penalty is given in.
    scale: f64,
}

impl Normal {
    pub fn new(features: &[Vec<f64>], labels: &[u32], classes: usize) -> Normal {
        let d = features.first().map_or(0, Vec::len);
        let mut gram = vec![0.0; d * d];
        let mut xty = vec![0.0; d * classes];
        for (x, &y) in features.iter().zip(labels) {
            let nz: Vec<(usize, f64)> = x
                .iter()
                .copied()
                .enumerate()
                .filter(|(_, v)| *v != 0.0)
                .collect();
            for &(i, xi) in &nz {
                let row = &mut gram[i * d..(i + 1) * d];
                for &(j, xj) in &nz {
                    row[j] += xi * xj;
                }
                xty[i * classes + y as usize] += xi;
            }
        }
        let scale = (0..d).map(|i| gram[i * d + i]).sum::<f64>() / d.max(1) as f64;
        Normal {
            d,
            classes,
            gram,
            xty,
            scale: scale.max(1e-12),
        }
    }

    /// Weights (`classes` rows of d) minimizing |X W - Y|^2 + lambda * scale * |W|^2.
    pub fn solve(&self, lambda: f64) -> Vec<Vec<f64>> {
        let d = self.d;
        let mut a = self.gram.clone();
        for i in 0..d {
            a[i * d + i] += lambda * self.scale;
        }
        cholesky(&mut a, d);
        (0..self.classes)
            .map(|c| {
                let b: Vec<f64> = (0..d).map(|i| self.xty[i * self.classes + c]).collect();
                cholesky_solve(&a, d, b)
            })
            .collect()
    }
}

/// In-place lower Cholesky factor of a symmetric positive definite matrix.
fn cholesky(a: &mut [f64], d: usize) {
    for j in 0..d {
        let mut diag = a[j * d + j];
        for k in 0..j {
            diag -= a[j * d + k] * a[j * d + k];
        }
        let diag = diag.max(1e-300).sqrt();
        a[j * d + j] = diag;
        for i in j + 1..d {
            let (ri, rj) = (i * d, j * d);
            let dot: f64 = (0..j).map(|k| a[ri + k] * a[rj + k]).sum();
            a[ri + j] = (a[ri + j] - dot) / diag;
        }
    }
}

fn cholesky_solve(l: &[f64], d: usize, mut b: Vec<f64>) -> Vec<f64> {
    for i in 0..d {
        let dot: f64 = (0..i).map(|k| l[i * d + k] * b[k]).sum();
        b[i] = (b[i] - dot) / l[i * d + i];
    }
    for i in (0..d).rev() {
        let dot: f64 = (i + 1..d).map(|k| l[k * d + i] * b[k]).sum();
        b[i] = (b[i] - dot) / l[i * d + i];
    }
    b
}

/// Scales the weights so the largest magnitude uses the format's range (an argmax readout
/// does not change under a positive scale), then rounds to raw fixed-point values.
pub fn quantize(weights: &[Vec<f64>], format: &QFormat) -> Vec<Vec<i64>> {
    let peak = weights.iter().flatten().fold(0.0f64, |m, w| m.max(w.abs()));
    let scale = if peak > 0.0 {
        format.max_raw() as f64 / peak
    } else {
        0.0
    };
    weights
        .iter()
        .map(|row| {
            row.iter()
                .map(|w| ((w * scale).round() as i64).clamp(format.min_raw(), format.max_raw()))
                .collect()
        })
        .collect()
}

/// The class with the highest score (ties: the lower class).
pub fn argmax(scores: impl Iterator<Item = f64>) -> u32 {
    let mut best = (0, f64::NEG_INFINITY);
    for (c, s) in scores.enumerate() {
        if s > best.1 {
            best = (c as u32, s);
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ridge_recovers_a_linear_map_and_quantization_keeps_its_argmax() {
        // Labels made by a known 3-class linear map of 4 features.
        let truth = [
            [1.0, 0.0, 0.5, 0.0],
            [0.0, 1.0, 0.0, 0.5],
            [0.3, 0.3, 0.3, 0.3],
        ];
        let xs: Vec<Vec<f64>> = (0..200)
            .map(|i| (0..4).map(|j| ((i * 7 + j * 13) % 11) as f64).collect())
            .collect();
        let ys: Vec<u32> = xs
            .iter()
            .map(|x| {
                argmax(
                    truth
                        .iter()
                        .map(|w| w.iter().zip(x).map(|(a, b)| a * b).sum()),
                )
            })
            .collect();
        let w = Normal::new(&xs, &ys, 3).solve(1e-6);
        let q = quantize(&w, &QFormat::parse("Q2.10").unwrap());
        assert!(q.iter().flatten().any(|&v| v == 2047 || v == -2048));
        let correct = xs
            .iter()
            .zip(&ys)
            .filter(|(x, y)| {
                let s = q
                    .iter()
                    .map(|row| row.iter().zip(*x).map(|(w, v)| *w as f64 * v).sum());
                argmax(s) == **y
            })
            .count();
        // A least-squares fit of one-hot targets is not a perfect classifier of a linear
        // argmax, but on this well separated toy set it gets most of it.
        assert!(correct >= 170, "{correct} of 200");
    }
}
