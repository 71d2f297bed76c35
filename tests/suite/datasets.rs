//! The IDX reader on the real MNIST and Fashion-MNIST training files: every image and label
//! is read, the header's sizes hold, and the labels cover the ten classes.

use crate::common;

use snngen::support::idx;

#[test]
fn the_shipped_training_splits_read_whole() {
    for dir in [common::mnist_dir(), common::fashion_dir()]
        .into_iter()
        .flatten()
    {
        let split = idx::read_split(&dir).unwrap();
        assert_eq!(split.name, "train", "{}", dir.display());
        assert_eq!((split.images.rows, split.images.cols), (28, 28));
        assert_eq!(split.images.count(), 60_000);
        let mut per_class = [0usize; 10];
        for &l in &split.labels {
            per_class[usize::from(l)] += 1;
        }
        // Both training splits hold 5,421 to 6,742 images per class.
        assert!(
            per_class.iter().all(|&n| (5_000..7_000).contains(&n)),
            "{}: {per_class:?}",
            dir.display()
        );
    }
}
