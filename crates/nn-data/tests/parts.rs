//! Class maps, splits, the standardiser, IDX parsing and file lookup.

use nn_data::idx::parse_idx;
use nn_data::{ClassMap, Dataset, LabelScheme, SplitSpec, Standardizer, find_from, split};
use nn_linalg::Matrix;
use std::path::Path;

#[test]
fn class_maps_resolve_each_scheme() {
    let p = Path::new("f");
    let (map, c) = ClassMap::resolve(LabelScheme::Auto, &[0., 1., 1.], p).unwrap();
    assert_eq!((map.scheme(), c), (LabelScheme::ZeroBased, vec![0, 1, 1]));
    let (map, c) = ClassMap::resolve(LabelScheme::Auto, &[1., 3., 2.], p).unwrap();
    assert_eq!(
        (map.scheme(), map.len(), c),
        (LabelScheme::OneBased, 3, vec![0, 2, 1])
    );
    let (map, c) = ClassMap::resolve(LabelScheme::Digits10, &[10., 1., 9.], p).unwrap();
    assert_eq!(c, vec![0, 1, 9]);
    assert_eq!((map.name(0), map.labels()[0]), ("0", 10));
    let err = ClassMap::resolve(LabelScheme::Digits10, &[10., 0.], p).unwrap_err();
    assert!(
        err.to_string()
            .contains("row 2: label 0 is outside the digits10 labels 1..10"),
        "{err}"
    );
    let err = ClassMap::resolve(LabelScheme::ZeroBased, &[0., 2.5], p).unwrap_err();
    assert!(err.to_string().contains("row 2"), "{err}");
}

#[test]
fn report_split_sizes_and_determinism() {
    let labels: Vec<usize> = (0..118).map(|i| usize::from(i < 58)).collect();
    let s = split(&labels, &SplitSpec::report(1)).unwrap();
    assert_eq!(
        (s.train.len(), s.validation.len(), s.test.len()),
        (94, 0, 24)
    );
    assert_eq!(s, split(&labels, &SplitSpec::report(1)).unwrap());
    assert_ne!(s, split(&labels, &SplitSpec::report(2)).unwrap());
    // Portable: ChaCha8 + Fisher–Yates give these indices on every machine (recorded once; a change of RNG,
    // shuffle algorithm or draw order fails here).
    assert_eq!(&s.test[..5], &[63, 60, 102, 43, 61]);
    let mut all: Vec<usize> = s.train.iter().chain(&s.test).copied().collect();
    all.sort_unstable();
    assert_eq!(all, (0..118).collect::<Vec<_>>());

    let digits: Vec<usize> = (0..5000).map(|i| i / 500).collect();
    let s = split(&digits, &SplitSpec::report(0)).unwrap();
    assert_eq!((s.train.len(), s.test.len()), (4000, 1000));
}

#[test]
fn stratified_three_way_split_keeps_class_shares() {
    let labels: Vec<usize> = (0..1000).map(|i| usize::from(i % 4 == 0)).collect(); // 250 ones
    let spec = SplitSpec {
        train: 0.7,
        validation: 0.15,
        stratified: true,
        seed: 9,
    };
    let s = split(&labels, &spec).unwrap();
    assert_eq!(
        (s.train.len(), s.validation.len(), s.test.len()),
        (700, 150, 150)
    );
    let ones = |part: &[usize]| part.iter().filter(|&&i| labels[i] == 1).count();
    // 25% ones in every part, to within one sample.
    for (part, size) in [(&s.train, 700.0), (&s.validation, 150.0), (&s.test, 150.0)] {
        assert!(
            (ones(part) as f64 - 0.25 * size).abs() <= 1.0,
            "{} ones in {size}",
            ones(part)
        );
    }
    // Not sorted by class after stratification.
    assert!(s.train.windows(2).any(|w| labels[w[0]] != labels[w[1]]));
    // A validation part carved from the report's 80% leaves the report's 20% test part exactly as it was.
    let labels118: Vec<usize> = (0..118).map(|i| usize::from(i < 58)).collect();
    let report = split(&labels118, &SplitSpec::report(4)).unwrap();
    let carved = split(
        &labels118,
        &SplitSpec {
            train: 0.6,
            validation: 0.2,
            stratified: false,
            seed: 4,
        },
    )
    .unwrap();
    assert_eq!((carved.train.len(), carved.validation.len()), (70, 24));
    assert_eq!(carved.test, report.test);
    let bad = SplitSpec {
        train: 0.9,
        validation: 0.2,
        stratified: false,
        seed: 0,
    };
    assert!(
        split(&labels, &bad)
            .unwrap_err()
            .to_string()
            .contains("train + validation ≤ 1")
    );
}

#[test]
fn standardizer_fits_train_only_and_survives_constant_columns() {
    let train = Matrix::from_row_major(4, 3, &[1., 0., 7., 2., 0., 7., 3., 0., 7., 4., 0., 7.]);
    let s = Standardizer::fit(&train);
    let mut z = train.clone();
    s.transform(&mut z);
    for j in 0..3 {
        let col = z.col(j);
        let mean = col.iter().sum::<f64>() / 4.0;
        assert!(mean.abs() < 1e-15);
        assert!(col.iter().all(|v| v.is_finite()));
    }
    let var0 = z.col(0).iter().map(|v| v * v).sum::<f64>() / 4.0;
    assert!((var0 - 1.0).abs() < 1e-12);
    // A test row is transformed with the training statistics, not its own.
    let mut test = Matrix::from_row_major(1, 3, &[2.5, 5., 7.]);
    s.transform(&mut test);
    assert_eq!(test.row_to_vec(0), vec![0.0, 5.0, 0.0]);
    assert!((s.inverse(0, z.get(3, 0)) - 4.0).abs() < 1e-12);
}

#[test]
fn idx_rejects_forged_and_short_files() {
    let p = Path::new("t.idx");
    let mut ok = vec![0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9];
    assert_eq!(parse_idx(&ok, p).unwrap(), (vec![3], vec![7, 8, 9]));
    ok.push(1);
    assert!(
        parse_idx(&ok, p)
            .unwrap_err()
            .to_string()
            .contains("trailing bytes")
    );
    let short = [0, 0, 8, 1, 0, 0, 0, 5, 1];
    assert!(
        parse_idx(&short, p)
            .unwrap_err()
            .to_string()
            .contains("declare 5 values but the file holds 1")
    );
    // 4 dimensions of 2^32−1: refused before any allocation.
    let forged = [
        0, 0, 8, 4, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    ];
    assert!(
        parse_idx(&forged, p)
            .unwrap_err()
            .to_string()
            .contains("the most nn reads")
    );
    assert!(
        parse_idx(&[0, 0, 0x0d, 1], p)
            .unwrap_err()
            .to_string()
            .contains("only unsigned bytes")
    );
    assert!(
        parse_idx(&[1, 2], p)
            .unwrap_err()
            .to_string()
            .contains("magic number")
    );
}

#[test]
fn lookup_order_is_the_given_dir_then_data_then_shared() {
    let base = std::env::temp_dir().join(format!("nn-locate-{}", std::process::id()));
    let shared = base.join("work/shared/data");
    let local = base.join("work/main/data");
    std::fs::create_dir_all(&shared).unwrap();
    std::fs::create_dir_all(&local).unwrap();
    std::fs::write(shared.join("a.txt"), "s").unwrap();
    let main = base.join("work/main");
    assert_eq!(
        find_from(&main, "a.txt", None).unwrap(),
        main.join("../shared/data/a.txt")
    );
    std::fs::write(local.join("a.txt"), "l").unwrap();
    assert_eq!(
        find_from(&main, "a.txt", None).unwrap(),
        main.join("data/a.txt")
    );
    let first = base.join("elsewhere");
    std::fs::create_dir_all(&first).unwrap();
    std::fs::write(first.join("a.txt"), "e").unwrap();
    assert_eq!(
        find_from(&main, "a.txt", Some(&first)).unwrap(),
        first.join("a.txt")
    );
    let err = find_from(&main, "nope.txt", None).unwrap_err().to_string();
    assert!(
        err.contains("nope.txt not found") && err.contains("shared/data/nope.txt"),
        "{err}"
    );
    std::fs::remove_dir_all(&base).unwrap();
}

#[test]
fn folds_are_disjoint_cover_every_sample_and_stratify() {
    let labels: Vec<usize> = (0..103).map(|i| usize::from(i % 5 == 0)).collect();
    for stratified in [false, true] {
        let folds = nn_data::folds(&labels, 5, stratified, 9).unwrap();
        let mut all: Vec<usize> = folds.concat();
        all.sort_unstable();
        assert_eq!(all, (0..103).collect::<Vec<_>>());
        assert!(folds.iter().all(|f| (20..=21).contains(&f.len())));
        assert_eq!(
            folds,
            nn_data::folds(&labels, 5, stratified, 9).unwrap(),
            "seeded"
        );
        assert_ne!(folds, nn_data::folds(&labels, 5, stratified, 10).unwrap());
        if stratified {
            // 21 of class 1 over 5 folds: 4 or 5 in each.
            for f in &folds {
                let ones = f.iter().filter(|&&i| labels[i] == 1).count();
                assert!((4..=5).contains(&ones), "{ones}");
            }
        }
    }
    let err = |k: usize, stratified: bool| {
        nn_data::folds(&labels, k, stratified, 0)
            .unwrap_err()
            .to_string()
    };
    assert!(err(1, false).contains("1 folds: cross-validation needs at least 2"));
    assert!(err(200, false).contains("200 folds of 103 samples would leave a fold empty"));
    assert!(err(22, true).contains("22 stratified folds, but class 1 has only 21 samples"));
}

#[test]
fn parts_in_place_equal_the_selected_parts() {
    let p = Path::new("f.csv");
    let x = Matrix::from_fn(50, 3, |i, j| (i * 10 + j) as f64);
    let labels: Vec<usize> = (0..50).map(|i| i % 3).collect();
    let classes = ClassMap::named(vec!["a".into(), "b".into(), "c".into()]);
    let values: Vec<f64> = (0..50).map(|i| (i * i) as f64).collect();
    let datasets = [
        Dataset::new(x.clone(), labels.clone(), classes, p).unwrap(),
        Dataset::regression(x, values, "y", p).unwrap(),
    ];
    for validation in [0.0, 0.2] {
        let spec = SplitSpec {
            validation,
            ..SplitSpec::report(3)
        };
        let s = split(&labels, &spec).unwrap();
        for d in &datasets {
            let expected = [&s.train, &s.validation, &s.test].map(|rows| d.select(rows));
            assert_eq!(d.clone().into_parts(&s), expected);
        }
    }
}
