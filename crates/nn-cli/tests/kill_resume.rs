//! A run killed with SIGKILL at an epoch drawn from a fixed seed (`NN_KILL_SEED` gives another) and resumed
//! with the same command plus `--resume F` ends with a model file byte-identical to the uninterrupted run's:
//! for full-batch GD, mini-batch Adam and the plateau schedule, through the real binary.
//!
//! The killed run writes its model file after every epoch (`--save-every 0`), so the kill lands at any point
//! of the loop, writes included: after every kill the file must load (atomic writes), say that it is in
//! progress at some epoch, and resume from there.

use nn_train::{ModelFile, Status};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const NN: &str = env!("CARGO_BIN_EXE_nn");

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nn-kill-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// 2000 rows of 8 features and a label in 0..3 from a fixed formula: enough work per epoch that a run lasts
/// long enough to be killed in its middle.
fn dataset(dir: &Path) -> PathBuf {
    let mut s = String::new();
    for i in 0..2000 {
        let k = i as f64;
        let row: Vec<String> = (0..8)
            .map(|j| {
                format!(
                    "{:.6}",
                    (k * (0.37 + 0.11 * j as f64)).sin() + 0.1 * (i % 3) as f64
                )
            })
            .collect();
        s.push_str(&format!("{},{}\n", row.join(","), i % 3));
    }
    let path = dir.join("rows.txt");
    std::fs::write(&path, s).unwrap();
    path
}

/// The seed of the kill epochs: fixed, so that every run of the test kills at the same epochs, unless
/// `NN_KILL_SEED` gives another (to explore other kill points by hand).
fn kill_seed() -> u64 {
    std::env::var("NN_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_202)
}

fn command(data: &Path, out: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(NN);
    c.arg("train")
        .arg("--data")
        .arg(data)
        .arg("--out")
        .arg(out)
        .args(["--quiet", "--threads", "1"])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    c
}

fn run_ok(mut c: Command) {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Epochs done according to the resume state in `path`, if it loads and is in progress.
fn epochs_on_disk(path: &Path) -> Option<usize> {
    let c = ModelFile::load(path).ok()?;
    matches!(c.status, Status::InProgress).then(|| c.resume_state().map(|r| r.progress.epoch))?
}

/// Starts the run, waits until its file shows at least `target` epochs, and kills it (SIGKILL). Returns the
/// epoch the file holds after the kill, or `None` if the run ended before this test saw that epoch (on a
/// loaded machine the poller may sleep through the rest of the run; the caller then tries an earlier epoch).
fn kill_at(mut c: Command, path: &Path, target: usize, what: &str) -> Option<usize> {
    let mut child = c.spawn().unwrap();
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{what}: the run failed ({status})");
            return None;
        }
        if epochs_on_disk(path).is_some_and(|e| e >= target) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "{what}: no progress"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL: no destructor, no flush, no signal handler runs
    child.wait().unwrap();
    // Whatever moment the kill hit, the file is a complete model in progress.
    let c = ModelFile::load(path).unwrap_or_else(|e| panic!("{what}: after the kill: {e}"));
    assert!(
        matches!(c.status, Status::InProgress),
        "{what}: {:?}",
        c.status
    );
    Some(c.resume_state().unwrap().progress.epoch)
}

/// What `nn inspect` prints about `path`.
fn inspect(path: &Path) -> String {
    let out = Command::new(NN).arg("inspect").arg(path).output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_killed_run_resumes_to_the_same_bytes() {
    let dir = scratch("resume");
    let data = dataset(&dir);
    let seed = kill_seed();
    let cases = [
        ("gd", "--hidden 32 --lr 0.5 --epochs 600 --seed 4", 600),
        (
            "adam mini-batch",
            "--hidden 16,16 --optimizer adam --lr 0.002 --batch-size 50 --lambda 0.01 --epochs 120 --seed 5",
            120,
        ),
        (
            "plateau",
            "--hidden 24 --lr 2 --lr-plateau 0.5:3 --patience 400 --epochs 500 --seed 6",
            500,
        ),
    ];
    for (i, (name, line, epochs)) in cases.into_iter().enumerate() {
        let args: &[&str] = &line.split_whitespace().collect::<Vec<_>>();
        let straight = dir.join(format!("straight-{i}.nnm"));
        run_ok(command(&data, &straight, args));

        let killed = dir.join(format!("killed-{i}.nnm"));
        // A kill epoch in the first half, drawn from the seed; if the run ends before the test sees it (a
        // loaded machine), an earlier one, down to epoch 1, a few times.
        let mut target =
            1 + ((seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (8 * i)) as usize) % (epochs / 2);
        let mut what = String::new();
        let mut at = None;
        for _ in 0..8 {
            what = format!("{name} (NN_KILL_SEED={seed}, kill at epoch ≥ {target})");
            let _ = std::fs::remove_file(&killed);
            let mut c = command(&data, &killed, args);
            c.args(["--save-every", "0"]);
            at = kill_at(c, &killed, target, &what);
            if at.is_some() {
                break;
            }
            target = (target / 2).max(1);
        }
        let at = at.unwrap_or_else(|| panic!("{what}: every run ended before its kill"));
        assert!(
            at >= target && at < epochs,
            "{what}: the file holds epoch {at}"
        );

        let text = inspect(&killed);
        assert!(
            text.contains(&format!(
                "training in progress or interrupted at epoch {at} (resumable)"
            )),
            "{what}: {text}"
        );

        let mut c = command(&data, &killed, args);
        c.arg("--resume").arg(&killed);
        run_ok(c);
        assert!(
            std::fs::read(&killed).unwrap() == std::fs::read(&straight).unwrap(),
            "{what}: the resumed file differs from the uninterrupted run's"
        );
        let text = inspect(&killed);
        assert!(text.contains("finished after"), "{what}: {text}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
