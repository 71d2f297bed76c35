//! Recordings through the front end and the reservoir: encoder frames, chip spikes and the
//! binned counts the readout sees.

use super::dataset::Utterance;
use super::frontend::read_wav;
use super::reservoir::{self, Reservoir, Spikes};
use super::setup::Setup;
use crate::support::error::{Error, Result};
use crate::support::parallel::parallel;
use crate::support::progress::{Progress, Verbosity};

/// One utterance through front end and reservoir.
#[derive(Debug, Clone)]
pub struct Encoded {
    pub frames: Vec<Vec<u32>>,
    pub spikes: Spikes,
    pub counts: Vec<u32>,
}

/// Front-end frames of every utterance, in order.
pub fn front_end_frames(
    setup: &Setup,
    utts: &[Utterance],
    jobs: usize,
    verbosity: Verbosity,
) -> Result<Vec<Vec<Vec<u32>>>> {
    let progress = Progress::new(verbosity, "front end", utts.len() as u64);
    let p = &setup.params;
    parallel(utts, jobs, |u| {
        let audio = read_wav(&u.path)?;
        setup
            .front_end
            .check_rate(audio.rate_hz)
            .map_err(|message| Error::Data {
                path: u.path.clone(),
                message,
            })?;
        progress.inc();
        Ok(setup.front_end.samples(&audio, p.channels, p.sample_bits))
    })
    .into_iter()
    .collect()
}

/// Runs every utterance's frames through `reservoir`.
pub fn encode(
    setup: &Setup,
    reservoir: &Reservoir,
    frames: &[Vec<Vec<u32>>],
    jobs: usize,
    verbosity: Verbosity,
) -> Vec<Encoded> {
    let progress = Progress::new(verbosity, "reservoir", frames.len() as u64);
    parallel(frames, jobs, |f| {
        let spikes = reservoir.run(f, &setup.timing, setup.cycles);
        let counts = reservoir::binned_counts(&setup.params, setup.bins, &spikes);
        progress.inc();
        Encoded {
            frames: f.clone(),
            spikes,
            counts,
        }
    })
}
