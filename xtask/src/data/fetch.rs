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
    let mut curl = Command::new("curl");
    if is_loopback(url) {
        // This machine itself (the tests' server): never through a proxy from the environment, whose own
        // loopback is another machine. curl sends even 127.0.0.1 to $http_proxy unless told otherwise.
        curl.args(["--noproxy", "*"]);
    }
    let status = curl
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

/// Whether `url` names this machine by a loopback address.
fn is_loopback(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    ["127.0.0.1", "localhost", "[::1]"].iter().any(|host| {
        rest.strip_prefix(host)
            .is_some_and(|tail| tail.is_empty() || tail.starts_with([':', '/']))
    })
}

#[cfg(test)]
mod tests {
    use super::is_loopback;

    #[test]
    fn loopback_urls_are_told_apart() {
        for url in [
            "http://127.0.0.1:8080/a",
            "http://localhost/a",
            "http://[::1]:1/x",
            "http://127.0.0.1",
        ] {
            assert!(is_loopback(url), "{url}");
        }
        for url in [
            "https://example.org/a",
            "http://127.0.0.10/a",
            "http://localhost.example.org/",
            "",
        ] {
            assert!(!is_loopback(url), "{url}");
        }
    }
}
