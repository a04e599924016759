//! `cargo xtask experiments` on the real datasets: a smoke run of every experiment, variant and seed, and the
//! f32 replay against f64. Run when the data is found, failed under CI when it is not, reported as ignored
//! otherwise (see nn-data's `tests/support/datasets.rs`).

#[path = "../../crates/nn-data/tests/support/datasets.rs"]
mod datasets;
use datasets::trial;
use nn_data::LoadOptions;
use nn_train::Precision;
use xtask::experiments::spec::{Specs, Variant};
use xtask::experiments::{Options, run, run_one};

const ALL: [&str; 2] = ["classification2.txt", "classification3.mat"];

/// Every file `data/manifest.toml` lists.
const MANIFEST: [&str; 6] = [
    "classification2.txt",
    "classification3.mat",
    "ex4weights.mat",
    "ex3data1-original-truncated.mat",
    "mnist-first10k-images-idx3-ubyte.gz",
    "mnist-first10k-labels-idx1-ubyte.gz",
];

fn main() {
    datasets::run(vec![
        trial("every_experiment_runs_a_smoke_version", &ALL, |_| smoke()),
        trial("f32_runs_track_f64_runs", &ALL, |_| f32_tracks_f64()),
        trial("the_fidelity_group_runs_a_smoke_version", &ALL, |_| {
            fidelity_smoke()
        }),
        trial(
            "cargo_xtask_data_copies_every_manifest_file",
            &MANIFEST,
            copies_every_file,
        ),
    ]);
}

/// `cargo xtask data` copies every file of the manifest from a folder that holds them (where the test found
/// them), each checked against its digest.
fn copies_every_file(found: &[std::path::PathBuf]) {
    use xtask::data::{Manifest, Outcome, Sources, provision};
    let root = xtask::workspace_root();
    let manifest = Manifest::load(&root.join("data/manifest.toml")).unwrap();
    let dir = std::env::temp_dir().join(format!("nn-xtask-copy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for e in &manifest.file {
        // Each from the folder it was found in (./data may hold some, ../shared/data all).
        let at = (found.iter())
            .find(|p| p.file_name().is_some_and(|n| *n == *e.name))
            .unwrap_or_else(|| panic!("{} is in the manifest but not in MANIFEST", e.name));
        let sources = Sources {
            dir: Some(at.parent().unwrap().to_path_buf()),
            base_url: None,
        };
        let outcome = provision(e, &dir, &sources).unwrap();
        assert_eq!(outcome, Outcome::Copied, "{}", e.name);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `cargo xtask fidelity` end to end at 1/500 of the epochs: every factor of every experiment runs, and
/// fidelity.md holds a table per experiment, a best match, and the loss arithmetic.
fn fidelity_smoke() {
    use xtask::experiments::fidelity;
    let root = xtask::workspace_root();
    let out = std::env::temp_dir().join(format!("nn-fidelity-smoke-{}", std::process::id()));
    let opts = Options {
        out: out.clone(),
        seeds: 1,
        epochs_scale: 0.002,
        precision: Precision::F32,
        only: Vec::new(),
        docs: false,
        quiet: true,
    };
    fidelity::run(&root, &opts).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("fidelity.json")).unwrap()).unwrap();
    let rows = json.as_array().unwrap();
    // 3 binary experiments × 10 factors, the digits × 7.
    assert_eq!(rows.len(), 3 * 10 + 7);
    for r in rows {
        assert_eq!(r["runs"].as_array().unwrap().len(), 1, "{r}");
        assert_eq!(r["checks"].as_array().unwrap().len(), 5, "{r}");
    }
    let md = std::fs::read_to_string(out.join("fidelity.md")).unwrap();
    assert_eq!(md.matches("Best match: ").count(), 4, "{md}");
    assert!(
        md.contains("What the report's test losses allow")
            && md.contains("| exp1 | 0.5030 | 15/24 |")
    );
    std::fs::remove_dir_all(&out).unwrap();
}

/// Every experiment, variant and seed runs end to end at 1/500 of its epochs, writing results and plots.
fn smoke() {
    let root = xtask::workspace_root();
    let out = std::env::temp_dir().join(format!("nn-experiments-smoke-{}", std::process::id()));
    let opts = Options {
        out: out.clone(),
        seeds: 1,
        epochs_scale: 0.002,
        precision: Precision::F64,
        only: Vec::new(),
        docs: false,
        quiet: true,
    };
    run(&root, &opts).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let runs = json["runs"].as_array().unwrap();
    // Four experiments × three variants, plus the today's-blocks variant of the two that have one.
    assert_eq!(runs.len(), 4 * 3 + 2);
    let mut modern: Vec<&str> = runs
        .iter()
        .filter(|r| r["variant"] == "modern")
        .map(|r| r["experiment"].as_str().unwrap())
        .collect();
    modern.sort();
    assert_eq!(modern, ["digits", "exp3"]);
    for r in runs {
        assert_eq!(r["status"], "finished", "{r}");
        for key in [
            "test_accuracy",
            "train_accuracy",
            "test_loss",
            "train_loss",
            "best_epoch",
        ] {
            assert!(r.get(key).is_some_and(|v| v.is_number()), "{key} in {r}");
        }
    }
    let md = std::fs::read_to_string(out.join("results.md")).unwrap();
    assert!(
        md.contains("test-set selection")
            && md.contains("79.17% (19/24)")
            && md.contains("| | verdict |")
            && md.contains("Gradient check, beside the report's")
            && md.contains("The course's published values")
            && md.contains("Time against the arithmetic floor")
            && md.contains("Beyond the report")
    );
    for f in [
        "exp3-curves.svg",
        "exp3-boundary.svg",
        "exp3-roc.svg",
        "digits-misclassified.svg",
        "digits-errors-per-class.svg",
        "digits-confusion.svg",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    std::fs::remove_dir_all(&out).unwrap();
}

/// f32, the replay's default, stands in for the report's f64: the training-loss curves agree epoch by epoch
/// and the selected epochs score the same on the test part (Exp 3 in full; the digits for a tenth of their
/// epochs).
fn f32_tracks_f64() {
    let root = xtask::workspace_root();
    let specs = Specs::load(&root.join("experiments/report.toml")).unwrap();
    for (id, scale, max_count_diff) in [("exp3", 1.0, 0), ("digits", 0.1, 2)] {
        let i = specs.experiment.iter().position(|e| e.id == id).unwrap();
        let e = &specs.experiment[i];
        let path = nn_data::find_from(&root, &e.data, datasets::data_dir().as_deref()).unwrap();
        let load = LoadOptions {
            labels: e.labels,
            ..LoadOptions::default()
        };
        let data = nn_data::load(&path, &load).unwrap();
        let [single, double] = [Precision::F32, Precision::F64]
            .map(|p| run_one(&specs, i, &data, Variant::Report, 0, scale, p).unwrap());
        let (h32, h64) = (single.history(), double.history());
        assert_eq!(h32.len(), h64.len());
        let worst = h32
            .iter()
            .zip(h64)
            .map(|(a, b)| (a.train.loss - b.train.loss).abs() / b.train.loss)
            .fold(0.0, f64::max);
        assert!(
            worst < 2e-5,
            "{id}: training losses differ by {worst:e} (relative)"
        );
        let [m32, m64] = [&single, &double].map(|o| o.model_file.metrics.unwrap().test.unwrap());
        assert!(
            m32.correct.abs_diff(m64.correct) <= max_count_diff,
            "{id}: f32 {}/{} vs f64 {}/{}",
            m32.correct,
            m32.total,
            m64.correct,
            m64.total
        );
    }
}
