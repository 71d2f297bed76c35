//! Audio front end: a cochlea-like bank of band-pass filters, full-wave rectification,
//! frame averaging, logarithmic compression and gain control, turning a recording into the
//! 8-bit (or `sample_bits`) samples the design's input encoder consumes, one value per channel
//! per frame.
//!
//! Two framings (`Framing`). The causal one streams: a frame every `hop_s` from the onset,
//! each made of samples up to its own end only (no look-ahead), levelled against running
//! peaks that fall at `release_db_per_s` (an automatic gain control), so a frame is known
//! `hop_s` after its first sample, as the audio arrives. The offline one (`stretch`) needs the
//! whole recording first: it stretches or squeezes it to the readout's frames and levels it
//! against its own loudest frames.

use crate::support::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;
use std::path::Path;

/// Front-end settings; stored with a trained model so evaluation hears what training heard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrontEnd {
    /// Centre frequency of the lowest and highest band (Hz); bands are spaced evenly in log
    /// frequency, like the cochlea's place map.
    pub low_hz: f64,
    pub high_hz: f64,
    /// Quality factor of each band (centre frequency over -3 dB bandwidth of one section).
    pub q: f64,
    /// Analysis frame (s): the causal framing's frame period.
    pub hop_s: f64,
    /// Frames per utterance the readout sees: with the causal framing the first
    /// `frames * hop_s` seconds from the onset, with `stretch` the whole recording.
    pub frames: usize,
    /// How a recording becomes `frames` frames. Models written before the causal front end
    /// existed stretch.
    #[serde(default = "Framing::stretch")]
    pub framing: Framing,
    /// Causal gain control: how fast a view's reference (its running peak) falls, dB per
    /// second; a louder frame raises it at once.
    #[serde(default)]
    pub release_db_per_s: f64,
    /// Loudness range mapped onto the sample range (dB below the reference); quieter is 0.
    pub dynamic_range_db: f64,
    /// The views of the bands the encoder channels carry, in order: channel
    /// `view * bands + band`. Each view is the same bands under a different gain control.
    pub views: Vec<Gain>,
}

/// Gain control of a view of the band envelopes: what 0 dB (full scale) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gain {
    /// The loudest band-frame of the utterance: keeps the spectral shape.
    Utterance,
    /// Each band's own loudest frame (per-channel automatic gain control, as in the
    /// cochlea): keeps each band's time course, whatever its level.
    Band,
}

/// How a recording of any length becomes the readout's fixed number of frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Framing {
    /// Streaming from the onset: frame k holds samples [k hop, (k + 1) hop) and is levelled
    /// against the running peaks of frames 0..=k. Longer recordings are cut at `frames * hop`,
    /// shorter ones are followed by silence. Look-ahead 0, latency one hop.
    Causal,
    /// Offline: the recording averaged into `frames` equal slices, levelled against its
    /// loudest frames (needs the whole recording before the first frame).
    Stretch,
}

impl Framing {
    fn stretch() -> Framing {
        Framing::Stretch
    }
}

impl Default for FrontEnd {
    fn default() -> Self {
        FrontEnd::causal()
    }
}

impl FrontEnd {
    /// The streaming front end (the default): 64 frames of 10 ms, the first 0.64 s from the
    /// onset (FSDD's digits take 0.42 s in the median recording and fit whole in 93 %),
    /// levelled against running peaks that fall at 20 dB/s. The readout span of
    /// designs/six_chip.yaml takes two encoder samples per frame.
    pub fn causal() -> FrontEnd {
        FrontEnd {
            low_hz: 200.0,
            high_hz: 3600.0,
            q: 4.0,
            hop_s: 0.010,
            frames: 64,
            framing: Framing::Causal,
            release_db_per_s: 20.0,
            dynamic_range_db: 60.0,
            views: vec![Gain::Utterance, Gain::Band],
        }
    }

    /// The offline front end, for comparison: 5 ms analysis frames averaged into 32 slices
    /// of the whole recording, levelled against the recording's own loudest frames.
    pub fn offline() -> FrontEnd {
        FrontEnd {
            hop_s: 0.005,
            frames: 32,
            framing: Framing::Stretch,
            release_db_per_s: 0.0,
            ..FrontEnd::causal()
        }
    }
}

/// A mono recording.
#[derive(Debug, Clone)]
pub struct Audio {
    pub rate_hz: f64,
    pub samples: Vec<f64>,
}

/// Reads a mono PCM WAV file (any integer width, or float) into samples in [-1, 1].
/// The largest recording snngen reads.
pub const MAX_WAV_BYTES: u64 = 64 << 20;

pub fn read_wav(path: &Path) -> Result<Audio> {
    let bad = |e: String| Error::Data {
        path: path.to_path_buf(),
        message: format!("not a readable WAV file: {e}"),
    };
    // A FIFO would block the open and a huge file fill memory: regular files of at most
    // MAX_WAV_BYTES only (a minute of 16-bit audio at 48 kHz is 5.8 MB).
    let meta = std::fs::metadata(path).map_err(|e| bad(e.to_string()))?;
    if !meta.is_file() || meta.len() > MAX_WAV_BYTES {
        return Err(bad(format!(
            "not a regular file of at most {MAX_WAV_BYTES} bytes"
        )));
    }
    let mut reader = hound::WavReader::open(path).map_err(|e| bad(e.to_string()))?;
    let spec = reader.spec();
    if spec.channels != 1 {
        return Err(bad(format!("{} channels, expected mono", spec.channels)));
    }
    let samples = match spec.sample_format {
        hound::SampleFormat::Int => {
            let full = (1i64 << (spec.bits_per_sample - 1)) as f64;
            reader
                .samples::<i32>()
                .map(|s| s.map(|v| v as f64 / full))
                .collect::<std::result::Result<Vec<_>, _>>()
        }
        hound::SampleFormat::Float => reader
            .samples::<f32>()
            .map(|s| s.map(|v| v as f64))
            .collect(),
    }
    .map_err(|e| bad(e.to_string()))?;
    if samples.is_empty() {
        return Err(bad("no samples".into()));
    }
    Ok(Audio {
        rate_hz: spec.sample_rate as f64,
        samples,
    })
}

/// One second-order band-pass section (RBJ cookbook, 0 dB peak gain), direct form I.
#[derive(Debug, Clone, Copy)]
struct Biquad {
    b0: f64,
    b2: f64,
    a1: f64,
    a2: f64,
}

impl Biquad {
    fn band_pass(centre_hz: f64, q: f64, rate_hz: f64) -> Biquad {
        let w0 = 2.0 * PI * centre_hz / rate_hz;
        let alpha = w0.sin() / (2.0 * q);
        let a0 = 1.0 + alpha;
        Biquad {
            b0: alpha / a0,
            b2: -alpha / a0,
            a1: -2.0 * w0.cos() / a0,
            a2: (1.0 - alpha) / a0,
        }
    }

    fn filter(&self, x: &[f64]) -> Vec<f64> {
        let (mut x1, mut x2, mut y1, mut y2) = (0.0, 0.0, 0.0, 0.0);
        x.iter()
            .map(|&x0| {
                let y0 = self.b0 * x0 + self.b2 * x2 - self.a1 * y1 - self.a2 * y2;
                (x2, x1, y2, y1) = (x1, x0, y1, y0);
                y0
            })
            .collect()
    }
}

impl FrontEnd {
    /// Centre frequency (Hz) of each of `channels` bands.
    pub fn centres(&self, channels: usize) -> Vec<f64> {
        let ratio = if channels > 1 {
            (self.high_hz / self.low_hz).powf(1.0 / (channels - 1) as f64)
        } else {
            1.0
        };
        (0..channels)
            .map(|k| self.low_hz * ratio.powi(k as i32))
            .collect()
    }

    /// Mean rectified output of each band per analysis frame: `[frame][channel]`.
    fn band_envelopes(&self, audio: &Audio, channels: usize) -> Vec<Vec<f64>> {
        let hop = ((self.hop_s * audio.rate_hz).round() as usize).max(1);
        let n_frames = audio.samples.len().div_ceil(hop);
        let mut env = vec![vec![0.0; channels]; n_frames];
        for (c, centre) in self.centres(channels).into_iter().enumerate() {
            // Two cascaded sections: a fourth-order band, steeper skirts than one section.
            let section =
                Biquad::band_pass(centre.min(0.45 * audio.rate_hz), self.q, audio.rate_hz);
            let y = section.filter(&section.filter(&audio.samples));
            for (f, chunk) in y.chunks(hop).enumerate() {
                env[f][c] = chunk.iter().map(|v| v.abs()).sum::<f64>() / chunk.len() as f64;
            }
        }
        env
    }

    /// Bands per view for `channels` encoder channels.
    pub fn bands(&self, channels: usize) -> usize {
        channels / self.views.len().max(1)
    }

    /// Whether the front end is sound and can feed `channels` encoder channels.
    pub fn check(&self, channels: usize) -> std::result::Result<(), String> {
        let positive = |x: f64| x.is_finite() && x > 0.0;
        if !(positive(self.low_hz) && self.low_hz < self.high_hz && self.high_hz.is_finite()) {
            return Err(format!(
                "front end: bands need 0 < low_hz < high_hz, got {} and {}",
                self.low_hz, self.high_hz
            ));
        }
        if !(positive(self.q) && positive(self.hop_s) && positive(self.dynamic_range_db)) {
            return Err(format!(
                "front end: q, hop_s and dynamic_range_db must be positive, got {}, {} and {}",
                self.q, self.hop_s, self.dynamic_range_db
            ));
        }
        if self.frames == 0 {
            return Err("front end: frames must be at least 1".into());
        }
        if !(self.release_db_per_s.is_finite() && self.release_db_per_s >= 0.0) {
            return Err(format!(
                "front end: release_db_per_s must be 0 or more, got {}",
                self.release_db_per_s
            ));
        }
        if self.views.is_empty() || !channels.is_multiple_of(self.views.len()) {
            return Err(format!(
                "{channels} encoder channels do not split into {} views of the bands",
                self.views.len()
            ));
        }
        Ok(())
    }

    /// Whether a recording at `rate_hz` can carry the highest band (the band-pass sections
    /// need their centre below 0.45 of the sample rate).
    pub fn check_rate(&self, rate_hz: f64) -> std::result::Result<(), String> {
        if self.high_hz > 0.45 * rate_hz * (1.0 + 1e-9) {
            return Err(format!(
                "sampled at {rate_hz} Hz, too slow for the front end's highest band at {} Hz \
                 (needs at least {:.0} Hz)",
                self.high_hz,
                self.high_hz / 0.45
            ));
        }
        Ok(())
    }

    /// The encoder samples of one recording: `frames` rows of one value per channel, each in
    /// 0..2^sample_bits: full scale at the view's reference, 0 at `dynamic_range_db` below.
    pub fn samples(&self, audio: &Audio, channels: usize, sample_bits: u32) -> Vec<Vec<u32>> {
        let bands = self.bands(channels);
        let env = self.band_envelopes(audio, bands);
        let env = match self.framing {
            Framing::Causal => first_frames(env, self.frames, bands),
            Framing::Stretch => resample(&env, self.frames),
        };
        let db: Vec<Vec<f64>> = env
            .iter()
            .map(|row| row.iter().map(|&e| 20.0 * e.max(SILENCE).log10()).collect())
            .collect();
        let references: Vec<Vec<Vec<f64>>> = self
            .views
            .iter()
            .map(|&view| self.references(&db, view))
            .collect();
        let full = ((1u64 << sample_bits) - 1) as f64;
        db.iter()
            .enumerate()
            .map(|(f, row)| {
                references
                    .iter()
                    .flat_map(|reference| {
                        row.iter().zip(&reference[f]).map(|(&v, &r)| {
                            let level = ((v - r + self.dynamic_range_db) / self.dynamic_range_db)
                                .clamp(0.0, 1.0);
                            (level * full).round() as u32
                        })
                    })
                    .collect()
            })
            .collect()
    }

    /// What 0 dB (full scale) is for each frame and band of `db` under a view's gain control:
    /// the loudest level in reach, over the bands the view pools, and never below
    /// REFERENCE_FLOOR_DB. Causal: the running peak, falling at `release_db_per_s`; offline:
    /// the peak of the whole recording.
    fn references(&self, db: &[Vec<f64>], view: Gain) -> Vec<Vec<f64>> {
        let bands = db.first().map_or(0, Vec::len);
        let pooled = |row: &[f64], b: usize| match view {
            Gain::Utterance => row.iter().fold(REFERENCE_FLOOR_DB, |m, &v| m.max(v)),
            Gain::Band => row[b].max(REFERENCE_FLOOR_DB),
        };
        match self.framing {
            Framing::Stretch => {
                let peak: Vec<f64> = (0..bands)
                    .map(|b| {
                        db.iter()
                            .fold(REFERENCE_FLOOR_DB, |m, row| m.max(pooled(row, b)))
                    })
                    .collect();
                vec![peak; db.len()]
            }
            Framing::Causal => {
                let fall = self.release_db_per_s * self.hop_s;
                let mut peak = vec![REFERENCE_FLOOR_DB; bands];
                db.iter()
                    .map(|row| {
                        for (b, p) in peak.iter_mut().enumerate() {
                            *p = pooled(row, b).max(*p - fall);
                        }
                        peak.clone()
                    })
                    .collect()
            }
        }
    }
}

/// The envelope of silence (a floor below any recording's noise, so log10 stays finite).
const SILENCE: f64 = 1e-12;

/// The lowest reference a view's gain control sets (dB of full-scale envelope): below the
/// noise of 16-bit audio (-96 dB) by a margin, so a band that carries nothing, like the
/// silence after a short recording, stays at 0 rather than being raised to full scale.
const REFERENCE_FLOOR_DB: f64 = -120.0;

/// The first `n` frames of `rows`, followed by silence where the recording is shorter.
fn first_frames(mut rows: Vec<Vec<f64>>, n: usize, bands: usize) -> Vec<Vec<f64>> {
    rows.resize(n, vec![0.0; bands]);
    rows
}

/// Averages `rows` into `n` equal slices of the utterance (each at least one source row).
fn resample(rows: &[Vec<f64>], n: usize) -> Vec<Vec<f64>> {
    let len = rows.len();
    (0..n)
        .map(|k| {
            let a = (k * len / n).min(len - 1);
            let b = ((k + 1) * len / n).clamp(a + 1, len);
            let mut mean = vec![0.0; rows[0].len()];
            for row in &rows[a..b] {
                for (m, v) in mean.iter_mut().zip(row) {
                    *m += v / (b - a) as f64;
                }
            }
            mean
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(hz: f64, seconds: f64) -> Audio {
        let rate = 8000.0;
        Audio {
            rate_hz: rate,
            samples: (0..(seconds * rate) as usize)
                .map(|i| 0.5 * (2.0 * PI * hz * i as f64 / rate).sin())
                .collect(),
        }
    }

    fn one_view() -> FrontEnd {
        FrontEnd {
            views: vec![Gain::Utterance],
            ..FrontEnd::offline()
        }
    }

    #[test]
    fn a_tone_lands_in_the_band_centred_nearest_to_it() {
        let fe = one_view();
        let centres = fe.centres(16);
        for hz in [250.0, 440.0, 1000.0, 2500.0] {
            let s = fe.samples(&tone(hz, 0.4), 16, 8);
            assert_eq!(s.len(), fe.frames);
            let nearest = (0..16)
                .min_by(|&a, &b| {
                    let d = |c: usize| (centres[c] / hz).ln().abs();
                    d(a).total_cmp(&d(b))
                })
                .unwrap();
            // Steady part of the tone (past the filters' settling): the nearest band is the
            // loudest one in every frame, within 1 dB of full scale (a 5 ms frame holds a
            // non-integer number of periods, so the rectified mean ripples by a few tenths of
            // a dB; one step is 60/255 dB).
            let full_scale_less_1_db = 255 - (255.0 / 60.0f64).ceil() as u32;
            for row in &s[4..] {
                let loudest = (0..16).max_by_key(|&c| row[c]).unwrap();
                assert_eq!(loudest, nearest, "{hz} Hz: {row:?}");
                assert!(row[nearest] >= full_scale_less_1_db, "{hz} Hz: {row:?}");
            }
            // Two octaves away the band is more than 20 dB down (fourth-order skirts, Q 4):
            // below 40 of the 60 dB range.
            let far = (0..16).find(|&c| (centres[c] / hz).log2().abs() > 2.0);
            if let Some(far) = far {
                assert!(
                    s[10][far] < 255 * 40 / 60,
                    "{hz} Hz band {far}: {:?}",
                    s[10]
                );
            }
        }
    }

    #[test]
    fn every_utterance_gets_the_same_number_of_frames() {
        let fe = one_view();
        for seconds in [0.01, 0.14, 2.3] {
            assert_eq!(fe.samples(&tone(700.0, seconds), 4, 8).len(), fe.frames);
        }
    }

    fn causal(release_db_per_s: f64) -> FrontEnd {
        FrontEnd {
            framing: Framing::Causal,
            frames: 140,
            release_db_per_s,
            ..FrontEnd::offline()
        }
    }

    /// A chirp from 300 to 3000 Hz whose loudness swells and fades: every band and both
    /// views move.
    fn swelling_chirp(seconds: f64) -> Audio {
        let rate = 8000.0;
        let n = (seconds * rate) as usize;
        Audio {
            rate_hz: rate,
            samples: (0..n)
                .map(|i| {
                    let t = i as f64 / rate;
                    let hz = 300.0 + 2700.0 * t / seconds;
                    let swell = (PI * t / seconds).sin().powi(2);
                    0.5 * swell * (PI * hz * t).sin()
                })
                .collect(),
        }
    }

    #[test]
    fn causal_frames_depend_only_on_the_audio_up_to_their_end() {
        let fe = causal(20.0);
        let audio = swelling_chirp(0.6);
        let whole = fe.samples(&audio, 48, 8);
        assert_eq!(whole.len(), fe.frames);
        let hop = (fe.hop_s * audio.rate_hz) as usize;
        for k in [1, 7, 40, 99] {
            let cut = Audio {
                rate_hz: audio.rate_hz,
                samples: audio.samples[..k * hop].to_vec(),
            };
            let early = fe.samples(&cut, 48, 8);
            // The first k frames are complete when the audio is cut at the end of frame k-1:
            // the same values, to the bit. The rest is silence.
            assert_eq!(early[..k], whole[..k], "frames before {k}");
            assert!(
                early[k..].iter().flatten().all(|&v| v == 0),
                "after {k}: {:?}",
                &early[k]
            );
        }
        // A recording longer than frames x hop is cut there.
        let long = fe.samples(&swelling_chirp(1.2), 48, 8);
        assert_eq!(long.len(), fe.frames);
    }

    #[test]
    fn causal_gain_control_recovers_at_its_release_rate_after_a_loud_sound() {
        // 0.2 s of a 1 kHz tone, then the same tone 20 dB quieter: in the band view the quiet
        // tone starts 20 dB below full scale and climbs back at release_db_per_s.
        let release = 50.0;
        let fe = FrontEnd {
            views: vec![Gain::Band],
            ..causal(release)
        };
        let rate = 8000.0;
        let samples = (0..(0.7 * rate) as usize)
            .map(|i| {
                let gain = if i < (0.2 * rate) as usize { 0.5 } else { 0.05 };
                gain * (2.0 * PI * 1000.0 * i as f64 / rate).sin()
            })
            .collect();
        let s = fe.samples(
            &Audio {
                rate_hz: rate,
                samples,
            },
            16,
            8,
        );
        let band = (0..16)
            .min_by(|&a, &b| {
                let d = |c: usize| (fe.centres(16)[c] / 1000.0).ln().abs();
                d(a).total_cmp(&d(b))
            })
            .unwrap();
        let step_db = 60.0 / 255.0;
        // During the loud tone the band sits at its running peak, full scale (frames past the
        // filters' settling).
        assert!(s[5..40].iter().all(|r| r[band] >= 254), "{:?}", &s[5..40]);
        // 10 and 20 frames (50 and 100 ms) after the drop (frame 40): 20 dB down less what
        // the reference has fallen since, within 1 dB (filter settling after the step and the
        // rectified mean's ripple).
        for after in [10usize, 20] {
            let fallen = release * fe.hop_s * (after + 1) as f64;
            let expected = (60.0 - 20.0 + fallen) / 60.0 * 255.0;
            let got = s[40 + after][band] as f64;
            assert!(
                (got - expected).abs() <= 1.0 / step_db,
                "{after} frames after the drop: {got} against {expected:.1}"
            );
        }
        // Once it has fallen the whole 20 dB (0.4 s at 50 dB/s) the quiet tone is full scale.
        assert!(s[40 + 82][band] >= 254, "{:?}", s[40 + 82]);
    }

    #[test]
    fn models_saved_before_the_causal_front_end_still_stretch() {
        let mut old = serde_json::to_value(FrontEnd::offline()).unwrap();
        let fields = old.as_object_mut().unwrap();
        fields.remove("framing");
        fields.remove("release_db_per_s");
        let read: FrontEnd = serde_json::from_value(old).unwrap();
        assert_eq!(read, FrontEnd::offline());
        assert_eq!(read.framing, Framing::Stretch);
    }
}
