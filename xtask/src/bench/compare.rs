//! `cargo xtask bench --compare`: the same epochs in nn and in every peer that can be found (numpy, PyTorch),
//! interleaved round by round in one run on one machine, so that the ratios hold whatever the machine's speed
//! does meanwhile. The peers are long-lived Python processes (`bench/*_epoch.py --serve`), asked for one
//! median per case and thread count, so that their start-up is not timed and their turns alternate with nn's.

use anyhow::{Context, Result, bail};
use nn_core::{Network, Output};
use nn_linalg::Threads;
use nn_train::bench::{CASES, Case, Epoch, synthetic, time_per_iter};
use nn_train::{Optimizer, Samples, Selection, TrainConfig, TrainData, Trainer};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// One epoch of Adam in mini-batches of 64 over the digits shapes (63 steps): the loop of mini-batch training.
const ADAM_CASE: &str = "digits-adam-b64";

/// A peer: a Python process that answers "CASE THREADS" with the median epoch time in seconds.
struct Peer {
    name: &'static str,
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Peer {
    /// Starts `script --serve` with `python`, if `python` has `module`.
    fn start(name: &'static str, python: &Path, module: &str, script: &Path) -> Option<Peer> {
        let has = Command::new(python)
            .args(["-c", &format!("import {module}")])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !has {
            eprintln!(
                "note: {} has no {module}; {name} is left out",
                python.display()
            );
            return None;
        }
        let mut child = Command::new(python)
            .arg(script)
            .arg("--serve")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .ok()?;
        let stdin = child.stdin.take()?;
        let stdout = BufReader::new(child.stdout.take()?);
        Some(Peer {
            name,
            child,
            stdin,
            stdout,
        })
    }

    /// The peer's median epoch of `case` at `threads`, or `None` if it does not have the case.
    fn time(&mut self, case: &str, threads: usize) -> Result<Option<f64>> {
        writeln!(self.stdin, "{case} {threads}")?;
        self.stdin.flush()?;
        let mut line = String::new();
        if self.stdout.read_line(&mut line)? == 0 {
            bail!("{} stopped answering", self.name);
        }
        match line.trim() {
            "unknown" => Ok(None),
            t => Ok(Some(t.parse().with_context(|| {
                format!("{} answered '{t}', not seconds", self.name)
            })?)),
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// nn's median epoch of `case` at `threads`, timed as `cargo xtask bench` times it.
fn nn_time(case: &str, threads: Threads) -> Result<f64> {
    if case == ADAM_CASE {
        return Ok(adam_epoch(threads));
    }
    let c: &Case = CASES
        .iter()
        .find(|c| c.name == case)
        .context("unknown case")?;
    Ok(if c.f32 {
        full_batch::<f32>(c, threads)
    } else {
        full_batch::<f64>(c, threads)
    })
}

fn full_batch<T: nn_linalg::Scalar>(case: &Case, threads: Threads) -> f64 {
    let mut epoch = Epoch::<T>::of(case, threads);
    let flops = epoch.net.architecture().flops_per_pass(case.m) as f64;
    let inner = ((2e-2 * 20e9 / flops.max(1.0)) as usize).clamp(1, 20_000);
    threads.run(|| {
        time_per_iter(11, inner, || {
            for _ in 0..inner {
                epoch.run();
            }
        })
    })
}

/// Epochs of the trainer's mini-batch loop (Adam, batch 64, a fresh shuffle each epoch, the training loss
/// accumulated over the batches), timed over a run of 8 epochs after one of warm-up.
fn adam_epoch(threads: Threads) -> f64 {
    let (x, labels) = synthetic::<f64>(4000, 400, 10);
    let data = TrainData {
        train: Samples::classes(x, labels),
        validation: None,
        test: None,
        scaling: None,
    };
    let run = |epochs: usize| {
        let config = TrainConfig {
            epochs,
            lr: 1e-3,
            optimizer: Optimizer::ADAM,
            batch_size: Some(64),
            selection: Selection::Last,
            threads,
            ..TrainConfig::default()
        };
        let net = Network::<f64>::xavier(400, &[64], 10, Output::Softmax, 0).expect("a valid net");
        let mut t = Trainer::new(config.validate(4000, false, false).expect("valid"), net);
        let start = std::time::Instant::now();
        t.run(&data, &mut |_| {}).expect("trains");
        start.elapsed().as_secs_f64() / epochs as f64
    };
    run(1);
    let mut v: Vec<f64> = (0..5).map(|_| run(8)).collect();
    v.sort_by(f64::total_cmp);
    v[2]
}

/// One measured cell: a case at a thread count, in one round.
struct Row {
    case: String,
    threads: usize,
    nn: Vec<f64>,
    peers: Vec<(&'static str, Vec<Option<f64>>)>,
}

pub fn run(
    root: &Path,
    python: Option<PathBuf>,
    rounds: usize,
    only: Option<String>,
) -> Result<()> {
    let python = python
        .or_else(|| std::env::var_os("NN_PYTHON").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("python3"));
    let mut peers: Vec<Peer> = [
        ("numpy", "numpy", "bench/numpy_epoch.py"),
        ("pytorch", "torch", "bench/torch_epoch.py"),
    ]
    .into_iter()
    .filter_map(|(name, module, script)| Peer::start(name, &python, module, &root.join(script)))
    .collect();
    if peers.is_empty() {
        bail!(
            "no peer found: {} has neither numpy nor torch (pip install -r bench/torch-requirements.txt, then set NN_PYTHON)",
            python.display()
        );
    }
    let all = Threads::All.count();
    let cases: Vec<&str> = CASES
        .iter()
        .map(|c| c.name)
        .chain([ADAM_CASE])
        .filter(|c| only.as_deref().is_none_or(|o| c.contains(o)))
        .collect();
    let mut rows: Vec<Row> = Vec::new();
    for case in &cases {
        for threads in [1, all] {
            rows.push(Row {
                case: case.to_string(),
                threads,
                nn: Vec::new(),
                peers: peers.iter().map(|p| (p.name, Vec::new())).collect(),
            });
        }
    }
    println!(
        "nn against {} on this machine, {rounds} interleaved rounds (each: every case, nn and each peer in turn)",
        peers
            .iter()
            .map(|p| p.name)
            .collect::<Vec<_>>()
            .join(" and ")
    );
    for round in 1..=rounds {
        for row in &mut rows {
            measure(row, round, &mut peers)?;
        }
    }
    print_table(&rows, &peers);
    Ok(())
}

/// One round of one cell: nn, then each peer, printed as a line.
fn measure(row: &mut Row, round: usize, peers: &mut [Peer]) -> Result<()> {
    let threads = if row.threads == 1 {
        Threads::Single
    } else {
        Threads::All
    };
    let ours = nn_time(&row.case, threads)?;
    row.nn.push(ours);
    let mut line = format!(
        "round {round}  {:<16} threads {}  nn {:>10}",
        row.case,
        row.threads,
        fmt(ours)
    );
    for (peer, (_, times)) in peers.iter_mut().zip(&mut row.peers) {
        let t = peer.time(&row.case, row.threads)?;
        times.push(t);
        if let Some(t) = t {
            line.push_str(&format!(
                "  {} {:>10} (nn/{} {:.2})",
                peer.name,
                fmt(t),
                peer.name,
                ours / t
            ));
        }
    }
    println!("{line}");
    Ok(())
}

/// The Markdown table: each cell's median, and each peer's time over nn's, round by round.
fn print_table(rows: &[Row], peers: &[Peer]) {
    println!("\n| case | threads | nn (median) | {} |", {
        let names: Vec<String> = peers
            .iter()
            .map(|p| format!("{0} (median) | {0}/nn, per round (median, min–max)", p.name))
            .collect();
        names.join(" | ")
    });
    println!("|---|---|---|{}", "---|---|".repeat(peers.len()));
    for row in rows {
        let mut line = format!(
            "| {} | {} | {} |",
            row.case,
            row.threads,
            fmt(median(&row.nn))
        );
        for (_, times) in &row.peers {
            let theirs: Vec<f64> = times.iter().flatten().copied().collect();
            if theirs.len() != row.nn.len() {
                line.push_str(" — | — |");
                continue;
            }
            // How many times faster nn is, round by round: each ratio compares two runs minutes apart at most.
            let speedups: Vec<f64> = theirs.iter().zip(&row.nn).map(|(t, n)| t / n).collect();
            let (lo, hi) = speedups
                .iter()
                .fold((f64::INFINITY, 0.0f64), |(lo, hi), &v| {
                    (lo.min(v), hi.max(v))
                });
            line.push_str(&format!(
                " {} | **{:.2}×** ({lo:.2}–{hi:.2}) |",
                fmt(median(&theirs)),
                median(&speedups)
            ));
        }
        println!("{line}");
    }
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s[s.len() / 2]
}

fn fmt(s: f64) -> String {
    if s < 1e-3 {
        format!("{:.2} µs", s * 1e6)
    } else {
        format!("{:.3} ms", s * 1e3)
    }
}
