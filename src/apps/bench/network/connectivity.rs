//! Sparse connectivity in CSR form, checked on construction.

use super::params::{MAX_NEURONS, NetworkError};

/// Sparse connectivity in CSR form: for each presynaptic neuron, its (post, weight) list.
#[derive(Debug, Clone, PartialEq)]
pub struct Connectivity {
    pub(super) n: usize,
    pub(super) offsets: Vec<usize>,
    pub(super) post: Vec<u32>,
    pub(super) weight: Vec<f32>,
}

impl Connectivity {
    /// No synapses.
    pub fn empty(n: usize) -> Self {
        Connectivity {
            n,
            offsets: vec![0; n + 1],
            post: Vec::new(),
            weight: Vec::new(),
        }
    }

    /// From `(pre, post, weight)` triples in any order; the order within one `pre` is kept.
    /// Duplicate pairs are separate synapses (their weights add up on a spike).
    pub fn from_edges<I>(n: usize, edges: I) -> Result<Self, NetworkError>
    where
        I: IntoIterator<Item = (u32, u32, f64)>,
    {
        if n > MAX_NEURONS {
            return Err(NetworkError::TooLarge(n));
        }
        let edges: Vec<(u32, u32, f64)> = edges.into_iter().collect();
        let mut offsets = vec![0usize; n + 1];
        for (index, &(pre, post, w)) in edges.iter().enumerate() {
            for idx in [pre, post] {
                if idx as usize >= n {
                    return Err(NetworkError::BadIndex {
                        index,
                        neuron: idx as usize,
                        n,
                    });
                }
            }
            if !w.is_finite() {
                return Err(NetworkError::BadWeight { index, value: w });
            }
            offsets[pre as usize + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let mut fill = offsets.clone();
        let mut post = vec![0u32; edges.len()];
        let mut weight = vec![0f32; edges.len()];
        for &(pre, p, w) in &edges {
            let k = &mut fill[pre as usize];
            post[*k] = p;
            weight[*k] = w as f32;
            *k += 1;
        }
        Ok(Connectivity {
            n,
            offsets,
            post,
            weight,
        })
    }

    /// From ready CSR arrays: the synapses of `pre` are `offsets[pre]..offsets[pre + 1]`.
    pub fn from_csr(
        n: usize,
        offsets: Vec<usize>,
        post: Vec<u32>,
        weight: Vec<f32>,
    ) -> Result<Self, NetworkError> {
        if n > MAX_NEURONS {
            return Err(NetworkError::TooLarge(n));
        }
        let synapses = post.len();
        if weight.len() != synapses {
            return Err(NetworkError::Length {
                name: "weight",
                got: weight.len(),
                expected: synapses,
            });
        }
        if offsets.len() != n + 1 {
            return Err(NetworkError::Length {
                name: "offsets",
                got: offsets.len(),
                expected: n + 1,
            });
        }
        if offsets[0] != 0 || offsets[n] != synapses || offsets.windows(2).any(|w| w[0] > w[1]) {
            return Err(NetworkError::BadOffsets { synapses });
        }
        if let Some((index, &p)) = post.iter().enumerate().find(|(_, p)| **p as usize >= n) {
            return Err(NetworkError::BadIndex {
                index,
                neuron: p as usize,
                n,
            });
        }
        if let Some((index, &w)) = weight.iter().enumerate().find(|(_, w)| !w.is_finite()) {
            return Err(NetworkError::BadWeight {
                index,
                value: w as f64,
            });
        }
        Ok(Connectivity {
            n,
            offsets,
            post,
            weight,
        })
    }

    /// Number of neurons.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Number of synapses.
    pub fn len(&self) -> usize {
        self.post.len()
    }

    pub fn is_empty(&self) -> bool {
        self.post.is_empty()
    }

    /// Number of synapses leaving `pre`.
    pub fn out_degree(&self, pre: usize) -> usize {
        self.offsets[pre + 1] - self.offsets[pre]
    }

    /// Targets and weights of `pre`.
    pub fn targets(&self, pre: usize) -> (&[u32], &[f32]) {
        let r = self.offsets[pre]..self.offsets[pre + 1];
        (&self.post[r.clone()], &self.weight[r])
    }
}
