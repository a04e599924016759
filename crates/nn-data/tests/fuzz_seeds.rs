//! The fuzzers' kept inputs (`fuzz/seeds/txt` and `fuzz/seeds/mat`: the crashes they found, and inputs that
//! reach new code), replayed through the readers as the fuzz targets call them: each gives a dataset or an
//! error, never a panic, and a schema reads its own table back.

use nn_data::{
    Decimal, Expect, LabelScheme, MatFile, MissingPolicy, PipelineOptions, ReadOptions, Selected,
    Table, UnknownCategory, dataset_from_mat, parse_txt,
};
use std::path::{Path, PathBuf};

fn seeds(kind: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/seeds")
        .join(kind);
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let path = e.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no seeds in {}", dir.display());
    out
}

#[test]
fn text_seeds_replay_without_a_panic() {
    for (path, data) in seeds("txt") {
        for scheme in [LabelScheme::Auto, LabelScheme::Digits10] {
            let _ = parse_txt(&data, &path, scheme);
        }
        let comma = ReadOptions {
            decimal: Some(Decimal::Comma),
            ..ReadOptions::default()
        };
        let _ = Table::parse(&data, &path, &comma);
        let Ok(table) = Table::parse(&data, &path, &ReadOptions::default()) else {
            continue;
        };
        for missing in [MissingPolicy::Drop, MissingPolicy::Mean] {
            let opts = PipelineOptions {
                missing,
                ..PipelineOptions::default()
            };
            let Ok(selected) = Selected::new(&table, &opts) else {
                continue;
            };
            let all: Vec<usize> = (0..selected.labels().len()).collect();
            let Ok((schema, dataset)) = selected.fit(&all) else {
                continue;
            };
            let expect = if dataset.is_regression() {
                Expect::Values
            } else {
                Expect::Classes(dataset.classes())
            };
            let again = schema.apply(&table, expect, Some(UnknownCategory::Error));
            assert_eq!(&again.unwrap().x, dataset.x(), "{}", path.display());
        }
    }
}

#[test]
fn mat_seeds_replay_without_a_panic() {
    for (path, data) in seeds("mat") {
        if let Ok(file) = MatFile::from_bytes(data, &path) {
            for name in file.names() {
                let _ = file.matrix(&name);
                let _ = file.vector(&name, 3);
            }
            let _ = dataset_from_mat(&file, "X", "y", LabelScheme::Auto);
        }
    }
}
