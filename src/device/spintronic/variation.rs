//! Device-to-device variation of the spintronic devices: relative Gaussian spreads of the
//! card's `mismatch` sigmas, drawn from a ChaCha generator seeded by (seed, draw, instance)
//! as the CMOS mismatch is, so that any draw can be redrawn alone.

use super::card::{DeviceCard, NeuronCard};
use crate::device::mismatch::{mix, normal};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// One fabricated network: its neuron and, per synapse, the factors on a_plus and on the
/// depressions (a_minus and a_post).
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkDraw {
    pub neuron: NeuronCard,
    pub plus_factor: Vec<f64>,
    pub minus_factor: Vec<f64>,
}

/// Draw `draw` of a network of `synapses` devices; draw 0 is the nominal network.
pub fn network_draw(card: &DeviceCard, seed: u64, draw: u64, synapses: usize) -> NetworkDraw {
    let nominal = NetworkDraw {
        neuron: card.neuron.clone(),
        plus_factor: vec![1.0; synapses],
        minus_factor: vec![1.0; synapses],
    };
    if draw == 0 {
        return nominal;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(mix(seed, draw, u64::MAX));
    let sn = card.mismatch.neuron_sigma;
    let factor = |rng: &mut ChaCha8Rng, sigma: f64| (1.0 + sigma * normal(rng)).max(0.0);
    let mut neuron = card.neuron.clone();
    neuron.p_half_state *= factor(&mut rng, sn);
    neuron.increment *= factor(&mut rng, sn);
    let ss = card.mismatch.synapse_sigma;
    let (plus_factor, minus_factor) = (0..synapses)
        .map(|i| {
            let mut rng = ChaCha8Rng::seed_from_u64(mix(seed, draw, i as u64));
            (factor(&mut rng, ss), factor(&mut rng, ss))
        })
        .unzip();
    NetworkDraw {
        neuron,
        plus_factor,
        minus_factor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_reproducible_and_sized_by_the_card() {
        let card = DeviceCard::bundled();
        assert_eq!(network_draw(&card, 1, 0, 3).plus_factor, [1.0; 3]);
        let a = network_draw(&card, 1, 5, 2000);
        assert_eq!(a, network_draw(&card, 1, 5, 2000));
        assert_ne!(a, network_draw(&card, 1, 6, 2000));
        let mean = a.plus_factor.iter().sum::<f64>() / 2000.0;
        let var = a
            .plus_factor
            .iter()
            .map(|f| (f - mean).powi(2))
            .sum::<f64>()
            / 2000.0;
        assert!((mean - 1.0).abs() < 0.01 && (var.sqrt() - 0.10).abs() < 0.01);
    }
}
