//! IDX image and label files (the MNIST layout), gzipped or not, read with every check a
//! hostile or damaged file needs: the magic number, the header's sizes against a limit, a
//! body that is exactly as long as the header says, and images matched to labels.

use super::error::{Error, Result};
use flate2::read::GzDecoder;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Magic numbers: two zero bytes, the element type (0x08 = unsigned byte), the dimensions.
const IMAGES_MAGIC: u32 = 0x0000_0803;
const LABELS_MAGIC: u32 = 0x0000_0801;

/// The largest decompressed body read (bytes): 60,000 28x28 images are 47 MB.
pub const MAX_IDX_BYTES: u64 = 256 << 20;

/// Grey-level images, row-major, one byte per pixel.
#[derive(Debug, Clone, PartialEq)]
pub struct Images {
    pub rows: usize,
    pub cols: usize,
    pub pixels: Vec<u8>,
}

impl Images {
    pub fn count(&self) -> usize {
        self.pixels.len() / (self.rows * self.cols).max(1)
    }

    pub fn image(&self, i: usize) -> &[u8] {
        let size = self.rows * self.cols;
        &self.pixels[i * size..(i + 1) * size]
    }
}

/// Images with one label each, as a split of a dataset folder holds them.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// `train` or `t10k`.
    pub name: String,
    pub images: Images,
    pub labels: Vec<u8>,
}

/// Reads the test split of `dir` (`t10k-*`) if it is there, else the training split
/// (`train-*`); each file may be gzipped (`.gz`) or not.
pub fn read_split(dir: &Path) -> Result<Split> {
    for name in ["t10k", "train"] {
        if find(dir, name, "images-idx3-ubyte").is_some() {
            return read_named_split(dir, name);
        }
    }
    Err(data_error(
        dir,
        "holds neither t10k-images-idx3-ubyte[.gz] nor train-images-idx3-ubyte[.gz] \
         (the MNIST layout: images and labels in IDX files)"
            .into(),
    ))
}

/// Reads `{name}-images-idx3-ubyte[.gz]` and `{name}-labels-idx1-ubyte[.gz]` from `dir`.
pub fn read_named_split(dir: &Path, name: &str) -> Result<Split> {
    let file = |stem: &str| {
        find(dir, name, stem)
            .ok_or_else(|| data_error(dir, format!("has no {name}-{stem} or {name}-{stem}.gz")))
    };
    let images_path = file("images-idx3-ubyte")?;
    let labels_path = file("labels-idx1-ubyte")?;
    let images = read_images(&images_path)?;
    let labels = read_labels(&labels_path)?;
    if labels.len() != images.count() {
        return Err(data_error(
            &labels_path,
            format!(
                "holds {} labels but {} holds {} images; they must pair one to one",
                labels.len(),
                images_path.display(),
                images.count()
            ),
        ));
    }
    Ok(Split {
        name: name.to_string(),
        images,
        labels,
    })
}

fn find(dir: &Path, name: &str, stem: &str) -> Option<PathBuf> {
    let plain = dir.join(format!("{name}-{stem}"));
    let gz = dir.join(format!("{name}-{stem}.gz"));
    [gz, plain].into_iter().find(|p| p.is_file())
}

/// Reads an IDX3 file of unsigned-byte images.
pub fn read_images(path: &Path) -> Result<Images> {
    let (dims, pixels) = read_idx(path, IMAGES_MAGIC, "images (idx3, unsigned bytes)")?;
    let (rows, cols) = (dims[1] as usize, dims[2] as usize);
    if rows == 0 || cols == 0 {
        return Err(data_error(path, format!("images of {rows}x{cols} pixels")));
    }
    Ok(Images { rows, cols, pixels })
}

/// Reads an IDX1 file of unsigned-byte labels.
pub fn read_labels(path: &Path) -> Result<Vec<u8>> {
    Ok(read_idx(path, LABELS_MAGIC, "labels (idx1, unsigned bytes)")?.1)
}

/// The header's dimensions and the body, exactly as long as they promise.
fn read_idx(path: &Path, magic: u32, what: &str) -> Result<(Vec<u32>, Vec<u8>)> {
    let meta = std::fs::metadata(path).map_err(|e| read_error(path, e.to_string()))?;
    if !meta.is_file() {
        return Err(read_error(path, "it is not a regular file".into()));
    }
    let file = std::fs::File::open(path).map_err(|e| read_error(path, e.to_string()))?;
    let gzipped = path.extension().is_some_and(|e| e == "gz");
    let mut reader: Box<dyn Read> = if gzipped {
        Box::new(GzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let io = |e: std::io::Error| {
        let how = if gzipped { " (gzip stream)" } else { "" };
        data_error(path, format!("cannot be read{how}: {e}"))
    };
    let found = read_u32(&mut reader).map_err(io)?;
    if found != magic {
        return Err(data_error(
            path,
            format!("magic number 0x{found:08x}, expected 0x{magic:08x} for {what}"),
        ));
    }
    let dims = (0..magic & 0xff)
        .map(|_| read_u32(&mut reader))
        .collect::<std::io::Result<Vec<u32>>>()
        .map_err(io)?;
    let size = dims
        .iter()
        .try_fold(1u64, |n, &d| n.checked_mul(u64::from(d)))
        .filter(|&n| n <= MAX_IDX_BYTES)
        .ok_or_else(|| {
            data_error(
                path,
                format!(
                    "its header promises {dims:?} elements, more than the {MAX_IDX_BYTES} bytes \
                     snngen reads"
                ),
            )
        })?;
    let mut body = Vec::with_capacity(size as usize);
    // One byte past the promised size shows a file that goes on after its last element.
    reader
        .by_ref()
        .take(size + 1)
        .read_to_end(&mut body)
        .map_err(io)?;
    if body.len() as u64 != size {
        let how = if (body.len() as u64) < size {
            format!("is truncated: {} of {size} bytes", body.len())
        } else {
            "has bytes past its last element".to_string()
        };
        return Err(data_error(
            path,
            format!("{how} (its header promises {dims:?} elements)"),
        ));
    }
    Ok((dims, body))
}

fn read_u32(r: &mut dyn Read) -> std::io::Result<u32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)?;
    Ok(u32::from_be_bytes(b))
}

fn data_error(path: &Path, message: String) -> Error {
    Error::Data {
        path: path.to_path_buf(),
        message,
    }
}

fn read_error(path: &Path, reason: String) -> Error {
    Error::Read {
        path: path.to_path_buf(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Compression, write::GzEncoder};
    use std::io::Write;

    fn idx(magic: u32, dims: &[u32], body: &[u8]) -> Vec<u8> {
        let mut v = magic.to_be_bytes().to_vec();
        for d in dims {
            v.extend(d.to_be_bytes());
        }
        v.extend(body);
        v
    }

    fn gz(bytes: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::fast());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    /// A split of three 2x2 images, written plain or gzipped.
    fn split_dir(gzipped: bool, labels: &[u8]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let pixels: Vec<u8> = (0..12).collect();
        let files = [
            (
                "t10k-images-idx3-ubyte",
                idx(IMAGES_MAGIC, &[3, 2, 2], &pixels),
            ),
            (
                "t10k-labels-idx1-ubyte",
                idx(LABELS_MAGIC, &[labels.len() as u32], labels),
            ),
        ];
        for (name, bytes) in files {
            if gzipped {
                std::fs::write(dir.path().join(format!("{name}.gz")), gz(&bytes)).unwrap();
            } else {
                std::fs::write(dir.path().join(name), bytes).unwrap();
            }
        }
        dir
    }

    fn message(r: Result<impl std::fmt::Debug>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn plain_and_gzipped_splits_read_alike() {
        for gzipped in [false, true] {
            let dir = split_dir(gzipped, &[7, 1, 4]);
            let s = read_split(dir.path()).unwrap();
            assert_eq!((s.name.as_str(), s.images.count()), ("t10k", 3));
            assert_eq!(s.images.image(1), &[4, 5, 6, 7]);
            assert_eq!(s.labels, vec![7, 1, 4]);
        }
    }

    #[test]
    fn damaged_files_are_named_and_explained() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x-images-idx3-ubyte");
        let cases: [(Vec<u8>, &str); 6] = [
            (idx(LABELS_MAGIC, &[3], &[0; 3]), "magic number 0x00000801"),
            (
                idx(IMAGES_MAGIC, &[3, 2, 2], &[0; 11]),
                "truncated: 11 of 12",
            ),
            (idx(IMAGES_MAGIC, &[3, 2, 2], &[0; 13]), "bytes past"),
            (idx(IMAGES_MAGIC, &[3, 0, 2], &[]), "images of 0x2 pixels"),
            (
                idx(IMAGES_MAGIC, &[u32::MAX, 1 << 16, 1 << 16], &[]),
                "more than",
            ),
            (vec![0, 0, 8], "cannot be read"),
        ];
        for (bytes, expected) in cases {
            std::fs::write(&p, &bytes).unwrap();
            let m = message(read_images(&p));
            assert!(m.contains(expected) && m.contains("x-images"), "{m}");
        }
        let gzp = dir.path().join("y.gz");
        std::fs::write(&gzp, b"not gzip at all").unwrap();
        assert!(message(read_images(&gzp)).contains("(gzip stream)"));
    }

    #[test]
    fn splits_need_both_files_and_matching_counts() {
        let dir = split_dir(true, &[1, 2]);
        let m = message(read_split(dir.path()));
        assert!(
            m.contains("holds 2 labels but") && m.contains("3 images"),
            "{m}"
        );
        std::fs::remove_file(dir.path().join("t10k-labels-idx1-ubyte.gz")).unwrap();
        let m = message(read_split(dir.path()));
        assert!(m.contains("has no t10k-labels-idx1-ubyte"), "{m}");
        let empty = tempfile::tempdir().unwrap();
        assert!(message(read_split(empty.path())).contains("holds neither"));
    }
}
