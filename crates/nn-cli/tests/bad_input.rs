//! The real `nn` binary on bad input: every failure exits non-zero with one line and no panic.

use crate::common;
use common::{assert_clean_failure, assert_contains, blobs, nn, nn_in, scratch, stderr};
use std::path::Path;

/// The report's network and descent for 5 epochs on the blobs, saved as `m.nnm` in `dir`.
fn train_small(dir: &Path) {
    blobs(dir);
    let line = "train --data blobs.txt --epochs 5 -q --out m.nnm --hidden 4 --activation sigmoid \
                --optimizer gd --batch-size full";
    let o = nn_in(dir, line);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn bad_files_and_values_fail_cleanly() {
    let dir = scratch("bad");
    blobs(&dir);
    let stray = "x1,x2,label\n1,2,0\n1,oops,1\n3,4,0\n";
    std::fs::write(dir.join("stray.txt"), stray).unwrap();
    std::fs::write(dir.join("ragged.txt"), "1,2,0\n1,1\n").unwrap();
    std::fs::write(dir.join("garbage.nnm"), "not a model").unwrap();
    for (line, needle) in [
        (
            "train --data stray.txt --out m.nnm",
            "stray.txt:3: column 'x2' holds numbers (2 of them) but here 'oops'",
        ),
        (
            "train --data ragged.txt --out m.nnm",
            "ragged.txt:2: row has 2 columns, expected 3",
        ),
        (
            "train --data absent.txt --out m.nnm",
            "absent.txt not found",
        ),
        ("train --data blobs.txt --lr -1 --out m.nnm -q", "lr = -1.0"),
        (
            "train --data blobs.txt --optimizer adam --beta1 1.5 --out m.nnm -q",
            "beta1 = 1.5: must be in [0, 1)",
        ),
        (
            "train --data blobs.txt --out no/such/dir/m.nnm",
            "does not exist",
        ),
        (
            "eval --model garbage.nnm --data blobs.txt",
            "not an nn model file",
        ),
        ("inspect nothing.nnm", "nothing.nnm"),
    ] {
        assert_clean_failure(&nn_in(&dir, line), needle);
    }
    common::assert_usage_error(
        &nn_in(&dir, "train --data blobs.txt --hidden 4,0 --out m.nnm -q"),
        "'4,0' for '--hidden <W,W,...>': '0' is not a layer width",
    );
    // Usage errors are clap's: exit 2.
    assert_eq!(nn_in(&dir, "train").status.code(), Some(2));
}

/// A resume that asks for no more epochs than were run, or another dataset, or a setting that differs
/// from the saved run's, is refused, naming the file given to `--resume` (not `--out`), the flag and both
/// values; the same value, or leaving the flag out, is fine.
#[test]
fn a_resume_that_does_not_fit_the_saved_run_is_refused() {
    let dir = scratch("bad-resume");
    train_small(&dir);
    let resume_on = |data: &str, epochs: &str, more: &str| {
        let line =
            format!("train --data {data} --resume m.nnm --epochs {epochs} --out m2.nnm -q {more}");
        nn_in(&dir, &line)
    };
    assert_clean_failure(
        &resume_on("blobs.txt", "5", ""),
        "m.nnm: cannot resume: it has already run 5 epochs",
    );
    let other = "1,2,0\n2,1,1\n3,3,0\n4,1,1\n5,5,0\n1,6,1\n";
    std::fs::write(dir.join("other.txt"), other).unwrap();
    assert_clean_failure(
        &resume_on("other.txt", "9", ""),
        "m.nnm: cannot resume: it was trained on other data",
    );
    for (flag, value, saved) in [
        ("--lr", "0.9", "0.1"),
        ("--hidden", "8", "4"),
        ("--lambda", "1", "0"),
        ("--seed", "7", "0"),
        ("--split", "0.7,0.1", "0.8"),
        ("--optimizer", "adam", "gd"),
        ("--precision", "f32", "f64"),
        ("--beta1", "0.5", "0.9"),
        ("--labels", "one-based", "zero-based"),
    ] {
        let out = resume_on("blobs.txt", "9", &format!("{flag} {value}"));
        assert_clean_failure(&out, &format!("m.nnm: cannot resume: {flag} is "));
        let err = stderr(&out);
        assert!(
            err.contains(&format!("trained with {saved}")),
            "{flag}: {err}"
        );
    }
    let o = resume_on(
        "blobs.txt",
        "9",
        "--lr 0.1 --hidden 4 --threads 2 --save-every 1",
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

/// Model paths mean exactly the path given: never looked up in the data directories.
#[test]
fn model_paths_are_never_looked_up_in_the_data_directories() {
    let dir = scratch("bad-model-path");
    train_small(&dir);
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::copy(dir.join("m.nnm"), dir.join("data/only-in-data.nnm")).unwrap();
    assert_clean_failure(&nn_in(&dir, "inspect only-in-data.nnm"), "only-in-data.nnm");
    for line in [
        "eval --model only-in-data.nnm --data blobs.txt",
        "train --data blobs.txt --resume only-in-data.nnm --epochs 9 --out m3.nnm",
    ] {
        assert_clean_failure(&nn_in(&dir, line), "only-in-data.nnm: No such file");
    }
}

/// Sizes beyond the limits are errors before anything is allocated. A run that diverges says so; its file
/// keeps the last good selection, says it diverged, and cannot be resumed.
#[test]
fn sizes_beyond_the_limits_and_divergence_fail_cleanly() {
    let dir = scratch("bad-sizes");
    blobs(&dir);
    for (hidden, needle) in [
        ("100000000", "more than the limit of 1048576"),
        (
            "5000,5000",
            "trainable parameters, more than the limit of 16777216",
        ),
        (
            "3000,3000 --optimizer adam --epochs 100",
            "over the 268435456-byte limit",
        ),
    ] {
        let line = format!("train --data blobs.txt --hidden {hidden} --out big.nnm -q");
        assert_clean_failure(&nn_in(&dir, &line), needle);
    }
    assert!(!dir.join("big.nnm").exists());
    assert_clean_failure(
        &nn_in(
            &dir,
            "train --data blobs.txt --lr 1e308 --epochs 60 --out d.nnm -q",
        ),
        "diverged at epoch",
    );
    let text = String::from_utf8_lossy(&nn_in(&dir, "inspect d.nnm").stdout).into_owned();
    assert_contains(&text, "state        stopped: diverged at epoch");
    assert_clean_failure(
        &nn_in(
            &dir,
            "train --data blobs.txt --resume d.nnm --epochs 90 --out d2.nnm -q",
        ),
        "d.nnm: cannot resume: its training diverged at epoch",
    );
}

/// `nn export` and `nn import` refuse what they cannot do with one line, and leave no file behind.
#[test]
fn export_and_import_fail_cleanly_without_partial_files() {
    let dir = scratch("export-bad");
    blobs(&dir);
    std::fs::write(dir.join("garbage.nnm"), "not a model").unwrap();
    std::fs::write(dir.join("not.mat"), "not a MAT-file at all").unwrap();
    let sh = |line: &str| {
        nn().current_dir(&dir)
            .args(line.split_whitespace())
            .output()
            .unwrap()
    };
    for model in [
        "train --data blobs.txt --hidden 3 --epochs 5 -q --activation sigmoid --out sig.nnm",
        "train --data blobs.txt --hidden 3 --epochs 5 -q --activation tanh --out tanh.nnm",
        "train --data blobs.txt --hidden 3 --epochs 5 -q --no-standardize --out raw.nnm",
    ] {
        let o = sh(model);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let cases = [
        (
            "export garbage.nnm --format onnx --out x.onnx",
            "not an nn model file",
        ),
        (
            "export sig.nnm --format onnx --out no/such/dir/x.onnx",
            "cannot write no/such/dir/x.onnx",
        ),
        (
            "export tanh.nnm --format theta --out x.mat",
            "sigmoid hidden layers only, and this model's are tanh",
        ),
        (
            "export raw.nnm --format safetensors --fold-standardizer --out x.st",
            "no standardiser to fold",
        ),
        (
            "export sig.nnm --format theta --dtype f32 --out x.mat",
            "hold doubles",
        ),
        ("import --theta not.mat --out x.nnm", "not.mat"),
        ("import --theta absent.mat --out x.nnm", "absent.mat"),
    ];
    for (line, needle) in cases {
        assert_clean_failure(&sh(line), needle);
    }
    // A Θ file without the variables asked for names the one missing.
    let o = sh("export sig.nnm --format theta --out theta.mat");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_clean_failure(
        &sh("import --theta theta.mat --theta-vars Theta1,Theta9 --out x.nnm"),
        "Theta9",
    );
    let left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') || n.starts_with("x."))
        .collect();
    assert!(left.is_empty(), "partial or temporary files left: {left:?}");
}

/// A gzip file whose text is `head` then `body` repeated `times` times.
fn gzip_bomb(path: &Path, head: &[u8], body: &[u8], times: usize) {
    use std::io::Write;
    let file = std::fs::File::create(path).unwrap();
    let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    gz.write_all(head).unwrap();
    for _ in 0..times {
        gz.write_all(body).unwrap();
    }
    gz.finish().unwrap();
}

/// `nn` with the words of `line`, its address space limited to 2 GB (`ulimit -v 2000000`), so that memory runs out long before
/// the machine's does.
fn nn_under_ulimit(dir: &Path, line: &str) -> std::process::Output {
    let nn = assert_cmd::cargo::cargo_bin("nn");
    std::process::Command::new("sh")
        .current_dir(dir)
        .arg("-c")
        .arg("ulimit -v 2000000 && exec \"$0\" \"$@\"")
        .arg(nn)
        .args(common::args(line))
        .output()
        .unwrap()
}

/// Bombs end in one line and exit 1 under a 2 GB address space, never in an abort. Gzip: an endless line at
/// `--max-line`, too many rows at `--max-rows`, and rows that outgrow the memory there is when no limit stops
/// them first (the allocation that fails is an error).
#[test]
fn bombs_end_in_one_line_under_a_memory_limit() {
    let dir = scratch("bombs");
    // 256 MiB of digits without a line feed.
    gzip_bomb(&dir.join("line.csv.gz"), b"x,y\n", &[b'1'; 1 << 20], 256);
    let out = nn_under_ulimit(&dir, "train --data line.csv.gz --out m.nnm");
    assert_clean_failure(&out, "line.csv.gz: a line (");
    assert!(stderr(&out).contains("is over the limit of 67108864 (--max-line raises it)"));
    // 100-column rows of ones: 201 bytes of text, 800 bytes of numbers each; 600 MB of text.
    let row = [&b"1,".repeat(99)[..], b"1\n"].concat();
    let head = (1..=100)
        .map(|j| format!("c{j}"))
        .collect::<Vec<_>>()
        .join(",")
        + "\n";
    gzip_bomb(
        &dir.join("rows.csv.gz"),
        head.as_bytes(),
        &row.repeat(1000),
        3000,
    );
    let limited = nn_under_ulimit(&dir, "train --data rows.csv.gz --max-rows 5000 --out m.nnm");
    assert_clean_failure(
        &limited,
        "rows.csv.gz: row 5001 (line 5002) is over the limit of 5000 (--max-rows raises it)",
    );
    let out = nn_under_ulimit(&dir, "train --data rows.csv.gz --out m.nnm");
    assert_clean_failure(&out, "rows.csv.gz: out of memory at line ");
    assert!(!dir.join("m.nnm").exists());
}

/// A MAT-file whose one compressed element inflates to 1.5 GiB of zeros, and a model file of 100 GB, end in
/// one line under the same 2 GB address space.
#[test]
fn mat_and_model_file_bombs_end_in_one_line_under_a_memory_limit() {
    let dir = scratch("bombs-mat");
    let mut mat = b"MATLAB 5.0 MAT-file, a bomb".to_vec();
    mat.resize(116, b' ');
    mat.extend_from_slice(&[0; 8]);
    mat.extend_from_slice(&0x0100u16.to_le_bytes());
    mat.extend_from_slice(b"IM");
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    for _ in 0..1536 {
        std::io::Write::write_all(&mut z, &[0; 1 << 20]).unwrap();
    }
    let z = z.finish().unwrap();
    mat.extend_from_slice(&15u32.to_le_bytes());
    mat.extend_from_slice(&(z.len() as u32).to_le_bytes());
    mat.extend_from_slice(&z);
    std::fs::write(dir.join("bomb.mat"), &mat).unwrap();
    let out = nn_under_ulimit(&dir, "train --data bomb.mat --out m.nnm");
    assert_clean_failure(
        &out,
        "bomb.mat: not a valid MAT-file (level 5): element 1 at byte 128 inflates to more than",
    );
    // The cap on one variable is a limit like the others, with its flag.
    let out = nn_under_ulimit(
        &dir,
        "train --data bomb.mat --max-mat-variable 1000000 --out m.nnm",
    );
    assert_clean_failure(
        &out,
        "element 1 inflates to more than 1000000 bytes, the most nn reads (--max-mat-variable raises it)",
    );
    // A model file of 100 GB (sparse): refused before it is read.
    std::fs::File::create(dir.join("huge.nnm"))
        .unwrap()
        .set_len(100 << 30)
        .unwrap();
    let out = nn_under_ulimit(&dir, "inspect huge.nnm");
    assert_clean_failure(
        &out,
        "huge.nnm: the body is 107374182400 bytes, over the 268435456-byte limit",
    );
}
