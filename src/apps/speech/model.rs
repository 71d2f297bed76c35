//! A trained model on disk: readout_weights.csv (the design's matrix format) and model.json
//! (how it was trained), written by `snngen train` and read back by `snngen eval`.

use super::dataset::Validation;
use super::frontend::FrontEnd;
use super::reservoir::Timing;
use super::setup::{Setup, Variant, Weights, load_setup};
use crate::support::error::{Error, Result};
use crate::support::fs::read_text;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// What `snngen train` writes beside the weights, and `eval` reads back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelInfo {
    pub design: String,
    pub front_end: FrontEnd,
    pub timing: Timing,
    pub bins: usize,
    pub lambda: f64,
    pub validation_accuracy: f64,
    /// Which recordings validated (models written before it was recorded: the indices).
    #[serde(default)]
    pub validation: Validation,
    pub train_utterances: usize,
    pub validation_utterances: usize,
    pub variant: Variant,
    pub train_seconds: f64,
}

pub const WEIGHTS_FILE: &str = "readout_weights.csv";
pub const MODEL_FILE: &str = "model.json";

pub fn read_model(dir: &Path) -> Result<ModelInfo> {
    let path = dir.join(MODEL_FILE);
    let text = read_text(&path, 1 << 20).map_err(|e| Error::Data {
        path: path.clone(),
        message: format!("cannot read the trained model ({e}); run `snngen train` first"),
    })?;
    serde_json::from_str(&text).map_err(|e| Error::Data {
        path,
        message: format!("not a model written by snngen train: {e}"),
    })
}

/// The design with the model's reservoir seed and trained readout weights.
pub fn load_trained(design: &Path, model: &Path) -> Result<(Setup, ModelInfo)> {
    let info = read_model(model)?;
    let setup = load_setup(
        design,
        &info.variant,
        Weights::File(&model.join(WEIGHTS_FILE)),
        info.front_end.clone(),
        info.timing.sample_period,
    )?;
    if setup.bins != info.bins || setup.timing != info.timing {
        return Err(Error::Data {
            path: model.join(MODEL_FILE),
            message: format!(
                "trained for {} bins and {:?}, but {} gives {} bins and {:?}",
                info.bins,
                info.timing,
                design.display(),
                setup.bins,
                setup.timing
            ),
        });
    }
    Ok((setup, info))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_saved_before_speaker_validation_validated_on_the_indices() {
        let info = ModelInfo {
            design: "six_chip".into(),
            front_end: FrontEnd::default(),
            timing: Timing {
                sample_period: 512,
                frame_cycles: 1024,
            },
            bins: 2,
            lambda: 3e-4,
            validation_accuracy: 0.97,
            validation: Validation::Speaker("theo".into()),
            train_utterances: 2250,
            validation_utterances: 450,
            variant: Variant::default(),
            train_seconds: 12.0,
        };
        let mut json = serde_json::to_value(&info).unwrap();
        assert_eq!(json["validation"], serde_json::json!({"speaker": "theo"}));
        json.as_object_mut().unwrap().remove("validation");
        let old: ModelInfo = serde_json::from_value(json).unwrap();
        assert_eq!(old.validation, Validation::Indices);
    }
}
