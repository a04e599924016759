//! Checkpoint files: a model with everything needed to use it, and optionally to resume its training exactly.
//!
//! Layout (all integers little-endian):
//!
//! ```text
//! offset 0   8 bytes   magic  "NNCKPT\r\n"   (the CR LF catches text-mode mangling)
//!        8   4 bytes   format version (u32)
//!       12   8 bytes   body length n (u64)
//!       20   n bytes   body: bincode 2 (standard config) of `Checkpoint`
//!     20+n  32 bytes   SHA-256 of the body
//! ```
//!
//! The body holds no timestamps or host names, so the same run writes the same bytes. Files are written to a
//! temporary file in the same directory, synced, then renamed over the target: a reader never sees half a
//! file, and a crash leaves the previous checkpoint intact.

use crate::config::TrainConfig;
use crate::error::{CheckpointProblem, Result, TrainError};
use crate::report::EpochReport;
use crate::trainer::Progress;
use nn_core::Network;
use nn_data::{ClassMap, Standardizer};
use serde::{Deserialize, Serialize};
use sha2::Digest;
use std::io::Write;
use std::path::Path;

/// The file's first bytes.
pub const MAGIC: [u8; 8] = *b"NNCKPT\r\n";
/// The format version this build writes and the newest it reads.
pub const VERSION: u32 = 1;
/// The largest body read (256 MiB): also bincode's allocation limit, so a forged length inside the body
/// cannot allocate more.
pub const MAX_BODY: u64 = 256 << 20;
const HEADER: usize = 20;
const CHECKSUM: usize = 32;

/// The precision training ran in. Weights are stored as f64 either way (f32 → f64 → f32 is exact).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// 32-bit floats.
    F32,
    /// 64-bit floats.
    #[default]
    F64,
}

impl Precision {
    /// `"f32"` or `"f64"`, as on the command line and in files.
    pub fn name(self) -> &'static str {
        match self {
            Precision::F32 => "f32",
            Precision::F64 => "f64",
        }
    }
}

/// The contents of a checkpoint file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Architecture and the selected weights.
    pub network: Network<f64>,
    /// The precision of training.
    pub precision: Precision,
    /// Applied to raw features before the network.
    pub standardizer: Standardizer,
    /// What the output classes mean in the data's terms.
    pub classes: ClassMap,
    /// The configuration, seed included.
    pub config: TrainConfig,
    /// The epoch of these weights.
    pub epoch: usize,
    /// The metrics at that epoch.
    pub metrics: Option<EpochReport>,
    /// The current weights and the loop's state, for `--resume`. `None` if training ended in an error.
    pub resume: Option<ResumeState>,
    /// The data and job that produced it (absent for models built by hand).
    pub provenance: Option<crate::job::Provenance>,
}

/// What a resume needs beyond the selected model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResumeState {
    /// The weights after the last completed epoch.
    pub current: Network<f64>,
    /// Optimiser, schedule, selector, best-so-far and history.
    pub progress: Progress<f64>,
}

fn bincode_config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<{ MAX_BODY as usize }>()
}

impl Checkpoint {
    /// The file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let body = bincode::serde::encode_to_vec(self, bincode_config())
            .expect("a checkpoint always encodes");
        Self::frame(&body)
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

    /// Parses and checks a checkpoint; `path` names it in errors.
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Checkpoint> {
        let fail = |problem| TrainError::Checkpoint {
            path: path.to_path_buf(),
            problem,
        };
        let prefix = bytes.len().min(MAGIC.len());
        if bytes[..prefix] != MAGIC[..prefix] {
            return Err(fail(CheckpointProblem::Magic(bytes[..prefix].to_vec())));
        }
        if bytes.len() < HEADER {
            return Err(fail(CheckpointProblem::Truncated(format!(
                "{} bytes, shorter than the {HEADER}-byte header",
                bytes.len()
            ))));
        }
        let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
        if version > VERSION {
            return Err(fail(CheckpointProblem::NewerVersion {
                found: version,
                supported: VERSION,
            }));
        }
        if version == 0 {
            return Err(fail(CheckpointProblem::Invalid(
                "format version 0 does not exist".into(),
            )));
        }
        let n = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes"));
        if n > MAX_BODY {
            return Err(fail(CheckpointProblem::Invalid(format!(
                "body length {n} exceeds the {MAX_BODY}-byte limit"
            ))));
        }
        let n = n as usize;
        let end = HEADER + n + CHECKSUM;
        if bytes.len() < end {
            return Err(fail(CheckpointProblem::Truncated(format!(
                "the header declares {end} bytes, the file has {}",
                bytes.len()
            ))));
        }
        if bytes.len() > end {
            return Err(fail(CheckpointProblem::Trailing(bytes.len() - end)));
        }
        let body = &bytes[HEADER..HEADER + n];
        if sha2::Sha256::digest(body).as_slice() != &bytes[HEADER + n..] {
            return Err(fail(CheckpointProblem::Checksum));
        }
        let (ckpt, used): (Checkpoint, usize) =
            bincode::serde::decode_from_slice(body, bincode_config())
                .map_err(|e| fail(CheckpointProblem::Decode(e.to_string())))?;
        if used != n {
            return Err(fail(CheckpointProblem::Decode(format!(
                "{} unused bytes at the end of the body",
                n - used
            ))));
        }
        ckpt.check()
            .map_err(|e| fail(CheckpointProblem::Invalid(e)))?;
        Ok(ckpt)
    }

    /// Consistency of the decoded contents.
    fn check(&self) -> Result<(), String> {
        self.network.validate().map_err(|e| format!("model: {e}"))?;
        let arch = self.network.architecture();
        if self.standardizer.len() != arch.n_input {
            return Err(format!(
                "the standardiser has {} columns, the network {} inputs",
                self.standardizer.len(),
                arch.n_input
            ));
        }
        if !self
            .standardizer
            .mean
            .iter()
            .chain(&self.standardizer.scale)
            .all(|v| v.is_finite())
            || self.standardizer.scale.iter().any(|&s| s <= 0.0)
        {
            return Err("the standardiser holds a non-finite mean or a scale ≤ 0".into());
        }
        if self.classes.len() != arch.classes() || self.classes.names.len() != self.classes.len() {
            return Err(format!(
                "{} class labels for a network with {} classes",
                self.classes.len(),
                arch.classes()
            ));
        }
        if let Some(r) = &self.resume {
            r.current
                .validate()
                .map_err(|e| format!("current weights: {e}"))?;
            if r.current.architecture() != arch {
                return Err("the current weights have another architecture than the model".into());
            }
            if let Some((best, _)) = &r.progress.best {
                best.validate().map_err(|e| format!("best weights: {e}"))?;
                if best.architecture() != arch {
                    return Err("the best weights have another architecture than the model".into());
                }
            }
            let shapes_ok = |ls: &Vec<nn_core::Layer<f64>>| {
                ls.len() == self.network.layers().len()
                    && ls.iter().zip(self.network.layers()).all(|(a, b)| {
                        a.weights.shape() == b.weights.shape() && a.bias.len() == b.bias.len()
                    })
            };
            let ok = match &r.progress.optimizer {
                crate::OptimizerState::Gd => true,
                crate::OptimizerState::Momentum { velocity } => shapes_ok(velocity),
                crate::OptimizerState::Adam { m, v, .. } => shapes_ok(m) && shapes_ok(v),
            };
            if !ok {
                return Err("the optimiser state does not match the network's shapes".into());
            }
        }
        Ok(())
    }

    /// Writes atomically: a temporary file in the same directory, fsync, rename, then fsync of the directory.
    pub fn save(&self, path: &Path) -> Result<()> {
        let io = |source| TrainError::Io {
            path: path.to_path_buf(),
            source,
        };
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
            f.write_all(&self.to_bytes())?;
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
        result.map_err(io)
    }

    /// Reads and checks a checkpoint file.
    pub fn load(path: &Path) -> Result<Checkpoint> {
        let bytes = std::fs::read(path).map_err(|source| TrainError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_bytes(&bytes, path)
    }
}
