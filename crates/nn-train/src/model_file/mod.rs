//! ModelFile files: a model with everything needed to use it, and optionally to resume its training exactly.
//!
//! Layout (all integers little-endian):
//!
//! ```text
//! offset 0   8 bytes   magic  "NNCKPT\r\n"   (the CR LF catches text-mode mangling)
//!        8   4 bytes   format version (u32): 9 is written, 2 to 9 are read
//!       12   8 bytes   body length n (u64)
//!       20   n bytes   body: bincode 2 (standard config) of `ModelFile`, then (format 4 on) of an
//!                      `Appendix`: the fields added since format 3 (the input schema, the initialisation),
//!                      then (format 8 on) of the SIMD level that trained the model (`Option<Level>`),
//!                      then (format 9 on) of the job as JSON (`Option<String>`, [`Training::job`])
//!     20+n  32 bytes   SHA-256 of the body
//! ```
//!
//! The body holds no timestamps or host names, so the same run writes the same bytes. Files are written to a
//! temporary file in the same directory, synced, then renamed over the target: a reader never sees half a
//! file, and a crash leaves the previous model file intact.

mod appendix;
mod body;
mod checks;

use appendix::{Appendix, AppendixRef, AppendixV4, AppendixV5, AppendixV6};
pub use body::{DataRecord, ModelFile, Precision, ResumeState, RunRecord, Status, Training};

use crate::error::{ModelFileProblem, Result, TrainError};
use sha2::Digest;
use std::io::Write;
use std::path::Path;

/// The file's first bytes.
pub const MAGIC: [u8; 8] = *b"NNCKPT\r\n";
/// Decodes an `A` from the start of `rest` and adds the bytes it took to `used`.
fn decode_next<A: serde::de::DeserializeOwned>(
    rest: &[u8],
    used: &mut usize,
) -> Result<A, bincode::error::DecodeError> {
    let (a, more) = bincode::serde::decode_from_slice(rest, bincode_config())?;
    *used += more;
    Ok(a)
}

/// The format version this build writes.
///
/// - Version 3 added hidden activations (ReLU, leaky ReLU with its slope, ELU, GELU) and the AdamW optimiser
///   after the variants of version 2, whose bodies are therefore version 3 bodies.
/// - Version 4 appended the input schema of a model trained on a delimited text file and the initialisation
///   asked for with `--init` (an `Appendix`), and the `named` label scheme; a version 2 or 3 body is a
///   version 4 body without the appendix.
/// - Version 5 added dropout (its rate in the appendix) and regression: the identity output, the R² of every part in the epoch metrics
///   (`PartMetrics::r2`, so their layout differs from version 4's, which
///   `report::legacy` reads), the `r2` selection rules, and the target's scaling at
///   the end of the appendix.
/// - Version 6 added random image shifts while training ([`RunRecord::shift`]) at the end of the appendix.
/// - Version 7 added class weights ([`RunRecord::class_weight`]) and unshuffled mini-batches
///   ([`RunRecord::shuffle`]) at the end of the appendix.
/// - Version 8 added the SIMD level that trained the model ([`RunRecord::simd`]) after the appendix.
/// - Version 9 added the job as JSON ([`Training::job`]) after the SIMD level: the last change of the
///   format that a new setting needs.
///
/// A variant appended to one of the body's enums (as `Init::XavierUniformBiases` was) keeps the format: every
/// older file reads as before, and an older build refuses a file that names the new variant as undecodable.
///
/// All eight are read. Version 1 (before the body had its own record types and a status) is refused with a
/// hint.
pub const VERSION: u32 = 9;
/// The oldest format version this build reads.
pub const OLDEST_READABLE: u32 = 2;
/// The largest body read or written (256 MiB): also bincode's allocation limit, so a forged length inside the
/// body cannot allocate more.
pub const MAX_BODY: u64 = 256 << 20;
const HEADER: usize = 20;
const CHECKSUM: usize = 32;

fn bincode_config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<{ MAX_BODY as usize }>()
}

impl ModelFile {
    /// A model of weights that no run of nn trained (imported, or made by hand): epoch 0, no metrics, no
    /// training record, no schema, a classifier.
    pub fn untrained(
        network: nn_core::Network<f64>,
        precision: Precision,
        standardizer: nn_data::Standardizer,
        classes: nn_data::ClassMap,
    ) -> ModelFile {
        ModelFile {
            network,
            precision,
            standardizer,
            classes,
            epoch: 0,
            metrics: None,
            status: Status::Finished {
                epochs_run: 0,
                early_stopped: false,
            },
            training: None,
            schema: None,
            target_scale: None,
        }
    }

    /// The file's bytes. Refuses (with the cause) a model that [`from_bytes`](Self::from_bytes) would refuse:
    /// inconsistent contents, or a body over [`MAX_BODY`].
    pub fn to_bytes(&self) -> Result<Vec<u8>, ModelFileProblem> {
        self.check()?;
        let appendix = AppendixRef {
            schema: &self.schema,
            init: self.training.as_ref().and_then(|t| t.run.init),
            target_scale: &self.target_scale,
            dropout: self.training.as_ref().map_or(0.0, |t| t.run.dropout),
            shift: self.training.as_ref().and_then(|t| t.run.shift),
            class_weight: self
                .training
                .as_ref()
                .map_or(&crate::ClassWeight::None, |t| &t.run.class_weight),
            shuffle: self.training.as_ref().is_none_or(|t| t.run.shuffle),
        };
        let simd = self.training.as_ref().and_then(|t| t.run.simd);
        let job = self.training.as_ref().and_then(|t| t.job.as_deref());
        let body = bincode::serde::encode_to_vec((self, appendix, simd, job), bincode_config())
            .map_err(|e| ModelFileProblem::Encode(e.to_string()))?;
        if body.len() as u64 > MAX_BODY {
            return Err(ModelFileProblem::TooLarge {
                bytes: body.len() as u64,
                limit: MAX_BODY,
            });
        }
        Ok(Self::frame(&body))
    }

    /// Wraps an encoded body in the file layout: magic, version, length, body, SHA-256. For tools and tests that
    /// build files by hand (e.g. to forge a body and check that the loader refuses it).
    pub fn frame(body: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER + body.len() + CHECKSUM);
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&(body.len() as u64).to_le_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(&sha2::Sha256::digest(body));
        out
    }

    /// Parses and checks a model file; `path` names it in errors.
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<ModelFile> {
        let read = || -> std::result::Result<ModelFile, ModelFileProblem> {
            let (version, body) = frame(bytes)?;
            let file = decode_body(version, body)?;
            file.check()?;
            Ok(file)
        };
        read().map_err(|problem| TrainError::ModelFile {
            path: path.to_path_buf(),
            problem,
        })
    }

    /// Writes atomically: a temporary file in the same directory, fsync, rename, then fsync of the directory.
    /// A reader (or a crash) sees the old file or the new one, never a mix. A model the loader would refuse is
    /// not written.
    pub fn save(&self, path: &Path) -> Result<()> {
        let bytes = self.to_bytes().map_err(|problem| TrainError::ModelFile {
            path: path.to_path_buf(),
            problem,
        })?;
        write_atomically(path, &bytes).map_err(|source| TrainError::Io {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Reads and checks a model file. A file larger than any model file (its header, [`MAX_BODY`] and
    /// the digest) is refused before it is read.
    pub fn load(path: &Path) -> Result<ModelFile> {
        let io = |source| TrainError::Io {
            path: path.to_path_buf(),
            source,
        };
        let len = std::fs::metadata(path).map_err(io)?.len();
        if len > MAX_BODY + 20 + 32 {
            return Err(TrainError::ModelFile {
                path: path.to_path_buf(),
                problem: ModelFileProblem::TooLarge {
                    bytes: len,
                    limit: MAX_BODY,
                },
            });
        }
        let bytes = std::fs::read(path).map_err(io)?;
        Self::from_bytes(&bytes, path)
    }
}

/// Writes `bytes` to a temporary file beside `path`, syncs it, renames it over `path` and syncs the directory.
/// On failure the temporary file is removed and `path` is untouched.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all(); // best effort: not every platform syncs directories
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The format version and the body of a model file's bytes, after checking the magic, the version, the
/// declared length and the checksum.
fn frame(bytes: &[u8]) -> std::result::Result<(u32, &[u8]), ModelFileProblem> {
    let prefix = bytes.len().min(MAGIC.len());
    if bytes[..prefix] != MAGIC[..prefix] {
        return Err(ModelFileProblem::Magic(bytes[..prefix].to_vec()));
    }
    if bytes.len() < HEADER {
        return Err(ModelFileProblem::Truncated(format!(
            "{} bytes, shorter than the {HEADER}-byte header",
            bytes.len()
        )));
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    if version > VERSION {
        return Err(ModelFileProblem::NewerVersion {
            found: version,
            supported: VERSION,
        });
    }
    if version < OLDEST_READABLE {
        return Err(ModelFileProblem::OlderVersion {
            found: version,
            supported: OLDEST_READABLE,
        });
    }
    let n = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes"));
    if n > MAX_BODY {
        return Err(ModelFileProblem::TooLarge {
            bytes: n,
            limit: MAX_BODY,
        });
    }
    let n = n as usize;
    let end = HEADER + n + CHECKSUM;
    if bytes.len() < end {
        return Err(ModelFileProblem::Truncated(format!(
            "the header declares {end} bytes, the file has {}",
            bytes.len()
        )));
    }
    if bytes.len() > end {
        return Err(ModelFileProblem::Trailing(bytes.len() - end));
    }
    let body = &bytes[HEADER..HEADER + n];
    if sha2::Sha256::digest(body).as_slice() != &bytes[HEADER + n..] {
        return Err(ModelFileProblem::Checksum);
    }
    Ok((version, body))
}

/// The body of a file of format `version`: the model file, then the appendix its version has (none before
/// version 4), then from version 8 the SIMD level. Every byte must be used.
fn decode_body(version: u32, body: &[u8]) -> std::result::Result<ModelFile, ModelFileProblem> {
    let decode_err = |e: bincode::error::DecodeError| ModelFileProblem::Decode(e.to_string());
    let (mut file, mut used): (ModelFile, usize) = {
        let _layout = crate::epoch::legacy::reading(version);
        bincode::serde::decode_from_slice(body, bincode_config()).map_err(decode_err)?
    };
    let rest = &body[used..];
    let appendix: Option<Appendix> = match version {
        ..=3 => None,
        4 => Some(
            decode_next::<AppendixV4>(rest, &mut used)
                .map_err(decode_err)?
                .into(),
        ),
        5 => Some(
            decode_next::<AppendixV5>(rest, &mut used)
                .map_err(decode_err)?
                .into(),
        ),
        6 => Some(
            decode_next::<AppendixV6>(rest, &mut used)
                .map_err(decode_err)?
                .into(),
        ),
        _ => Some(decode_next::<Appendix>(rest, &mut used).map_err(decode_err)?),
    };
    let simd: Option<nn_linalg::simd::Level> = match version {
        ..=7 => None,
        _ => decode_next(&body[used..], &mut used).map_err(decode_err)?,
    };
    let job: Option<String> = match version {
        ..=8 => None,
        _ => decode_next(&body[used..], &mut used).map_err(decode_err)?,
    };
    if let Some(t) = &mut file.training {
        t.job = job;
    }
    if let Some(appendix) = appendix {
        file.schema = appendix.schema;
        file.target_scale = appendix.target_scale;
        if let Some(t) = &mut file.training {
            t.run.init = appendix.init;
            t.run.dropout = appendix.dropout;
            t.run.shift = appendix.shift;
            t.run.class_weight = appendix.class_weight;
            t.run.shuffle = appendix.shuffle;
            t.run.simd = simd;
        }
    } else if let Some(t) = &mut file.training {
        // Versions 2 and 3 always shuffled.
        t.run.shuffle = true;
    }
    if used != body.len() {
        return Err(ModelFileProblem::Decode(format!(
            "{} unused bytes at the end of the body",
            body.len() - used
        )));
    }
    Ok(file)
}
