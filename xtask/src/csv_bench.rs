//! `cargo xtask bench-csv`: reading a large CSV against pandas on the same file, interleaved round by round in
//! the same run, at two stages, each like for like:
//! - **table:** nn's `Table::read` against `pandas.read_csv` (typed columns, text as categories or objects);
//! - **feature matrix:** nn's whole load (table, columns chosen, labels, one-hot encoding, the f64 matrix of a
//!   `Dataset`) against `read_csv`, `get_dummies` and `to_numpy(float64)`.
//!
//! It also gives nn's whole load against `read_csv` alone (issue 31's reading target), per round and as the
//! median of the rounds' ratios.
//!
//! Each side runs in a child process of its own so that its peak resident memory can be read.

use anyhow::{Context, Result, bail};
use nn_data::{PipelineOptions, ReadOptions, Selected, Table};
use rand::{RngExt, SeedableRng};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// What one load measured: wall seconds to the table and to the feature matrix, and the child's peak
/// resident memory.
#[derive(Clone, Copy, Debug)]
struct Load {
    table: f64,
    matrix: f64,
    peak_bytes: f64,
}

const PANDAS: &str = "import sys, time, resource, pandas
t = time.perf_counter()
df = pandas.read_csv(sys.argv[1])
table = time.perf_counter() - t
assert df.shape[1] == 12
y = df.pop('label').to_numpy()
x = pandas.get_dummies(df, columns=['city', 'segment'], dtype='float64').to_numpy(dtype='float64')
matrix = time.perf_counter() - t
assert x.shape == (len(y), 21), x.shape
print(table, matrix, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)";

pub fn run(root: &Path, rows: usize, rounds: usize, python: Option<PathBuf>) -> Result<()> {
    let dir = root.join("target/bench-csv");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("table-{rows}.csv"));
    if !path.is_file() {
        eprintln!("writing {} ({rows} rows × 12 columns)…", path.display());
        write_table(&path, rows)?;
    }
    let size = std::fs::metadata(&path)?.len() as f64;
    let python = python
        .or_else(|| std::env::var_os("NN_PYTHON").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("python3"));
    let has_pandas = Command::new(&python)
        .args(["-c", "import pandas"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_pandas {
        eprintln!(
            "note: {} has no pandas (set NN_PYTHON or --python); timing nn alone",
            python.display()
        );
    }
    let exe = std::env::current_exe()?;
    println!(
        "{}: {:.1} MB, {rows} rows × 12 columns (9 numeric, 2 text features, a numeric label); {rounds} rounds, interleaved",
        path.display(),
        size / 1e6
    );
    println!(
        "seconds to the table (nn Table::read, pandas.read_csv) and to the f64 feature matrix; peak memory of the whole load"
    );
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    for round in 1..=rounds {
        let nn = child(Command::new(&exe).arg("bench-csv-load").arg(&path))?;
        let mut line = format!(
            "round {round}: nn table {:.3} matrix {:.3} (peak {:.0} MB, {:.2}× the file)",
            nn.table,
            nn.matrix,
            nn.peak_bytes / 1e6,
            nn.peak_bytes / size
        );
        ours.push(nn);
        if has_pandas {
            let pd = child(Command::new(&python).args(["-c", PANDAS]).arg(&path))?;
            line.push_str(&format!(
                "   pandas table {:.3} matrix {:.3} (peak {:.0} MB)   nn/pandas {:.2} {:.2}, nn's whole load/read_csv {:.2}",
                pd.table,
                pd.matrix,
                pd.peak_bytes / 1e6,
                nn.table / pd.table,
                nn.matrix / pd.matrix,
                nn.matrix / pd.table
            ));
            theirs.push(pd);
        }
        println!("{line}");
    }
    let median = |v: &[Load], f: fn(&Load) -> f64| {
        let mut x: Vec<f64> = v.iter().map(f).collect();
        x.sort_by(f64::total_cmp);
        x[x.len() / 2]
    };
    let (nn_t, nn_m, nn_mem) = (
        median(&ours, |l| l.table),
        median(&ours, |l| l.matrix),
        median(&ours, |l| l.peak_bytes),
    );
    print!(
        "median: nn table {nn_t:.3} s, matrix {nn_m:.3} s, peak {:.0} MB ({:.2}× the file)",
        nn_mem / 1e6,
        nn_mem / size
    );
    if !theirs.is_empty() {
        let (pd_t, pd_m) = (median(&theirs, |l| l.table), median(&theirs, |l| l.matrix));
        print!(
            "; pandas table {pd_t:.3} s, matrix {pd_m:.3} s, peak {:.0} MB; nn/pandas table {:.2}, matrix {:.2}",
            median(&theirs, |l| l.peak_bytes) / 1e6,
            nn_t / pd_t,
            nn_m / pd_m
        );
        // Issue 31's reading target: nn's whole way to the matrix against `read_csv` alone, round by round.
        let mut whole: Vec<f64> = (ours.iter().zip(&theirs))
            .map(|(n, p)| n.matrix / p.table)
            .collect();
        whole.sort_by(f64::total_cmp);
        print!(
            "; nn's whole load/read_csv: median of the rounds' ratios {:.2} (range {:.2}–{:.2})",
            whole[whole.len() / 2],
            whole[0],
            whole[whole.len() - 1]
        );
    }
    println!();
    Ok(())
}

/// The child side: load `path` into a `Dataset`, and print the seconds to the table and to the dataset, and
/// the peak resident bytes.
pub fn load(path: &Path) -> Result<()> {
    let start = Instant::now();
    let table = Table::read(path, &ReadOptions::default())?;
    let read = start.elapsed().as_secs_f64();
    let selected = Selected::from_table(table, &PipelineOptions::default())?;
    let all: Vec<usize> = (0..selected.labels().len()).collect();
    let (_, data) = selected.fit(&all)?;
    let seconds = start.elapsed().as_secs_f64();
    std::hint::black_box(&data);
    println!("{read} {seconds} {}", peak_resident_bytes()?);
    Ok(())
}

fn peak_resident_bytes() -> Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .context("no VmHWM in /proc/self/status")?;
    Ok(kb * 1024)
}

fn child(cmd: &mut Command) -> Result<Load> {
    let out = cmd.output().with_context(|| format!("running {cmd:?}"))?;
    if !out.status.success() {
        bail!(
            "{cmd:?} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let fields: Vec<f64> = text
        .split_whitespace()
        .map_while(|f| f.parse::<f64>().ok())
        .collect();
    match fields[..] {
        [table, matrix, peak_bytes] => Ok(Load {
            table,
            matrix,
            peak_bytes,
        }),
        _ => bail!(
            "{cmd:?} printed '{}', not 'TABLE MATRIX BYTES'",
            text.trim()
        ),
    }
}

/// A deterministic table (ChaCha8, seed 7): nine numbers of varied magnitude, a city (8 values), a segment
/// (4 values) and a class label 0..2.
fn write_table(path: &Path, rows: usize) -> Result<()> {
    const CITIES: [&str; 8] = [
        "Lisbon", "Oslo", "Quito", "Nairobi", "Osaka", "Perth", "Lima", "Turin",
    ];
    const SEGMENTS: [&str; 4] = ["retail", "wholesale", "online", "partner"];
    let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(7);
    let tmp = path.with_extension("csv.tmp");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
    writeln!(w, "x1,x2,x3,x4,x5,x6,x7,x8,x9,city,segment,label")?;
    for _ in 0..rows {
        for j in 0..9 {
            let v: f64 = rng.random_range(-1.0..1.0) * 10f64.powi(j % 4);
            write!(w, "{v:.5},")?;
        }
        let city = CITIES[rng.random_range(0..CITIES.len())];
        let segment = SEGMENTS[rng.random_range(0..SEGMENTS.len())];
        writeln!(w, "{city},{segment},{}", rng.random_range(0..3))?;
    }
    w.flush()?;
    drop(w);
    std::fs::rename(&tmp, path)?;
    Ok(())
}
