//! Fetching a file with the system curl, and the digest files are checked against.

use anyhow::{Context, Result, bail};
use sha1::Digest as _;
use std::fs;
use std::path::Path;
use std::process::Command;

/// The sha256 of `bytes`, hex.
pub(super) fn sha256(bytes: &[u8]) -> String {
    format!("{:x}", sha2::Sha256::digest(bytes))
}

/// Fetches `url` into `dest` with the system curl (kept out of the build: no HTTP crate needed).
pub(super) fn download(url: &str, dest: &Path) -> Result<()> {
    let status = Command::new("curl")
        .args([
            "--fail",
            "--silent",
            "--show-error",
            "--location",
            "--max-time",
            "300",
            "--output",
        ])
        .arg(dest)
        .arg(url)
        .stderr(std::process::Stdio::piped())
        .output()
        .context("running curl (install curl, or copy the files into ./data by hand)")?;
    if !status.status.success() {
        let _ = fs::remove_file(dest);
        // curl's own message becomes part of ours, so the failure stays one line.
        let said = String::from_utf8_lossy(&status.stderr);
        bail!(
            "downloading {url} failed ({})",
            said.trim().lines().last().unwrap_or("curl failed")
        );
    }
    Ok(())
}
