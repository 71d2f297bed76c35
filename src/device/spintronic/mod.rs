//! Spin-orbit-torque devices of one antiferromagnet/ferromagnet stack (SEEDS.md §5): a
//! stochastic leaky integrate-and-fire neuron and a multi-level STDP synapse. `card` is their
//! parameter file, `neuron` and `synapse` the behavioural physics the ngspice macro-models
//! and the learning network are checked against, `variation` the device-to-device draws.

pub mod card;
pub mod neuron;
pub mod synapse;
pub mod variation;

pub use card::DeviceCard;
pub use neuron::SpinNeuron;
pub use synapse::SpinSynapse;
