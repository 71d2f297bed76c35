//! The Free Spoken Digit Dataset layout: `{digit}_{speaker}_{index}.wav` in one folder.

use crate::support::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Utterance {
    pub digit: u32,
    pub speaker: String,
    pub index: u32,
    pub path: PathBuf,
}

/// Recordings whose index is in this range validate (choose the regularisation, report
/// accuracy); the rest train. It mirrors the official test split (index 0..4: every speaker
/// and digit, the next takes) inside the provided training part (index 5..49).
pub const VALIDATION_INDICES: std::ops::RangeInclusive<u32> = 5..=9;

/// Which recordings validate (choose the readout's penalty, report accuracy); the rest train.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Validation {
    /// `VALIDATION_INDICES` of every speaker and digit.
    #[default]
    Indices,
    /// Every recording of one speaker, none of whose recordings train (one fold of a
    /// leave-one-speaker-out evaluation).
    Speaker(String),
}

impl Validation {
    pub fn holds(&self, u: &Utterance) -> bool {
        match self {
            Validation::Indices => u.is_validation(),
            Validation::Speaker(s) => u.speaker == *s,
        }
    }
}

impl std::fmt::Display for Validation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Validation::Indices => write!(
                f,
                "index {}..={}",
                VALIDATION_INDICES.start(),
                VALIDATION_INDICES.end()
            ),
            Validation::Speaker(s) => write!(f, "speaker {s}"),
        }
    }
}

impl Utterance {
    pub fn is_validation(&self) -> bool {
        VALIDATION_INDICES.contains(&self.index)
    }

    fn parse(path: &Path) -> Option<Utterance> {
        let stem = path.file_stem()?.to_str()?;
        let mut parts = stem.split('_');
        let (digit, speaker, index) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let digit: u32 = digit.parse().ok().filter(|d| *d < 10)?;
        Some(Utterance {
            digit,
            speaker: speaker.to_string(),
            index: index.parse().ok()?,
            path: path.to_path_buf(),
        })
    }
}

/// Every `.wav` file in `dir`, sorted by (digit, speaker, index). A WAV file that does not
/// follow the naming scheme is an error (its label would be unknown).
pub fn list_recordings(dir: &Path) -> Result<Vec<Utterance>> {
    let bad = |message: String| Error::Data {
        path: dir.to_path_buf(),
        message,
    };
    let entries = std::fs::read_dir(dir).map_err(|e| bad(format!("cannot read folder: {e}")))?;
    let mut found = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| bad(e.to_string()))?.path();
        if path.extension().and_then(|e| e.to_str()) != Some("wav") {
            continue;
        }
        found.push(Utterance::parse(&path).ok_or_else(|| Error::Data {
            path: path.clone(),
            message: "expected a name {digit}_{speaker}_{index}.wav (FSDD), digit 0..9".into(),
        })?);
    }
    if found.is_empty() {
        return Err(bad(
            "no .wav recordings (expected FSDD files {digit}_{speaker}_{index}.wav)".into(),
        ));
    }
    found.sort();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_give_labels() {
        let u = Utterance::parse(Path::new("/x/7_george_12.wav")).unwrap();
        assert_eq!((u.digit, u.speaker.as_str(), u.index), (7, "george", 12));
        assert!(!u.is_validation());
        assert!(
            Utterance::parse(Path::new("7_george_5.wav"))
                .unwrap()
                .is_validation()
        );
        let theo = Validation::Speaker("theo".into());
        assert!(!theo.holds(&u) && Validation::Indices.holds(&u) == u.is_validation());
        assert!(theo.holds(&Utterance::parse(Path::new("7_theo_12.wav")).unwrap()));
        assert_eq!(Utterance::parse(Path::new("12_george_5.wav")), None);
        assert_eq!(Utterance::parse(Path::new("7_george.wav")), None);
        assert_eq!(Utterance::parse(Path::new("7_a_b_1.wav")), None);
    }
}
