//! .mat loading: round trips through a hand-written MAT v5 writer, and every bad input the issue lists.

use crate::common;
use common::{Var, assert_contains, kind_only, mat_file};
use nn_data::{DataError, LabelScheme, MatFile, dataset_from_mat};
use proptest::prelude::*;
use std::path::Path;

fn open(bytes: Vec<u8>) -> Result<MatFile, DataError> {
    MatFile::from_bytes(bytes, Path::new("fixture.mat"))
}

fn xy(compressed: bool, y: Var) -> Vec<u8> {
    // X is 3×2, column-major: rows are (1, 4), (2, 5), (3, 6).
    mat_file(
        &[Var::doubles("X", 3, 2, &[1., 2., 3., 4., 5., 6.]), y],
        compressed,
    )
}

/// The error of reading `X` from a file that holds only `x`.
fn x_error(x: Var) -> String {
    let file = open(mat_file(&[x], false)).unwrap();
    file.matrix("X").unwrap_err().to_string()
}

#[test]
fn reads_column_major_as_rows_of_samples() {
    for compressed in [false, true] {
        let file = open(xy(compressed, Var::double_as_u8("y", 3, 1, &[1, 2, 1]))).unwrap();
        let d = dataset_from_mat(&file, "X", "y", LabelScheme::Auto).unwrap();
        assert_eq!(d.x().row_to_vec(0), vec![1., 4.]);
        assert_eq!(d.x().row_to_vec(2), vec![3., 6.]);
        assert_eq!(d.labels(), vec![0, 1, 0]); // 1..2 shifted down
        assert_eq!(file.names(), vec!["X", "y"]);
    }
}

/// matfile 0.5.0 maps int32 to the UInt32 data type and fails; our fallback decoder must read it.
#[test]
fn int32_labels_load_despite_matfile() {
    let bytes = xy(true, Var::int32("y", 1, 3, &[0, 1, 1]));
    assert!(
        matfile::MatFile::parse(bytes.as_slice()).is_err(),
        "if matfile is fixed, the fallback can go"
    );
    let d = dataset_from_mat(&open(bytes).unwrap(), "X", "y", LabelScheme::Auto).unwrap();
    assert_eq!(d.labels(), vec![0, 1, 1]);
    assert_eq!(d.x().row_to_vec(1), vec![2., 5.]);
}

#[test]
fn missing_variable_lists_the_names_present() {
    let file = open(xy(false, Var::double_as_u8("labels", 3, 1, &[0, 1, 0]))).unwrap();
    let err = dataset_from_mat(&file, "X", "y", LabelScheme::Auto).unwrap_err();
    assert!(matches!(err, DataError::MissingVariable { ref name, .. } if name == "y"));
    assert_contains(&err.to_string(), "variables present: X, labels");
}

#[test]
fn shapes_are_checked() {
    let err = dataset_from_mat(
        &open(xy(false, Var::double_as_u8("y", 2, 1, &[0, 1]))).unwrap(),
        "X",
        "y",
        LabelScheme::Auto,
    )
    .unwrap_err();
    assert!(
        matches!(err, DataError::VariableShape { ref name, .. } if name == "y"),
        "{err}"
    );
    assert_contains(&err.to_string(), "'y' is 2×1; expected 3×1 or 1×3");

    let y = Var::double_as_u8("y", 3, 2, &[0, 1, 0, 1, 0, 1]);
    let err =
        dataset_from_mat(&open(xy(false, y)).unwrap(), "X", "y", LabelScheme::Auto).unwrap_err();
    assert!(err.to_string().contains("'y' is 3×2"), "{err}");

    let mut x3 = Var::doubles("X", 1, 1, &[1.0]);
    x3.dims = vec![1, 1, 1];
    assert_contains(&x_error(x3), "'X' is 1×1×1; expected a 2-D array");
}

#[test]
fn non_numeric_kinds_are_named_not_skipped() {
    for (class, kind) in [
        (1, "a cell array"),
        (5, "a sparse array"),
        (2, "a struct"),
        (4, "a char array"),
    ] {
        let file = open(mat_file(&[kind_only("X", class)], true)).unwrap();
        let err = file.matrix("X").unwrap_err();
        assert!(matches!(err, DataError::NotDenseNumeric { .. }), "{err}");
        assert_contains(&err.to_string(), &format!("variable 'X' is {kind}"));
    }
    let mut complex = Var::doubles("X", 1, 2, &[1.0, 2.0]);
    complex.imag = Some([0.5f64, 0.5].iter().flat_map(|v| v.to_le_bytes()).collect());
    let err = open(mat_file(&[complex], false))
        .unwrap()
        .matrix("X")
        .unwrap_err();
    assert_contains(&err.to_string(), "variable 'X' is complex (double)");
}

#[test]
fn v73_hdf5_files_are_recognised() {
    let mut bytes = format!(
        "{:<116}",
        "MATLAB 7.3 MAT-file, Platform: GLNXA64, HDF5 schema 1.00"
    )
    .into_bytes();
    bytes.resize(512, 0);
    bytes.extend_from_slice(b"\x89HDF\r\n\x1a\n");
    bytes.resize(2048, 0);
    let err = open(bytes).err().unwrap();
    assert!(matches!(err, DataError::MatV73 { .. }));
    assert!(err.to_string().contains("v7.3 (HDF5)"), "{err}");
}

#[test]
fn truncated_files_say_truncated_not_missing() {
    for compressed in [false, true] {
        let whole = xy(compressed, Var::double_as_u8("y", 3, 1, &[0, 1, 0]));
        for cut in [130, 140, whole.len() / 2, whole.len() - 3] {
            let err = open(whole[..cut].to_vec())
                .err()
                .unwrap_or_else(|| panic!("cut at {cut} of {} parsed", whole.len()));
            assert!(
                matches!(err, DataError::MatTruncated { .. }),
                "cut {cut} (compressed {compressed}): {err}"
            );
        }
    }
    let err = open(common::header()[..100].to_vec()).err().unwrap();
    assert_contains(&err.to_string(), "header ends after 100 bytes");
}

#[test]
fn garbage_is_malformed_not_a_panic() {
    let err = open(b"hello world".to_vec()).err().unwrap();
    assert!(matches!(err, DataError::MatMalformed { .. }), "{err}");
    let err = open(Vec::new()).err().unwrap();
    assert!(err.to_string().contains("empty"), "{err}");
    let mut bad_type = common::header();
    bad_type.extend_from_slice(&[3, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    let err = open(bad_type).err().unwrap();
    assert!(err.to_string().contains("has type 3"), "{err}");
}

#[test]
fn non_finite_values_name_row_and_column() {
    let x = Var::doubles("X", 2, 2, &[1.0, 2.0, f64::NAN, 4.0]);
    assert_contains(
        &x_error(x),
        "'X' holds a non-finite value at row 1, column 2",
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Whatever we write, compressed or not, reads back with the same values in the same places.
    #[test]
    fn round_trip(rows in 1usize..12, cols in 1usize..9, compressed in any::<bool>(),
                  seed in prop::collection::vec(-1e6f64..1e6, 108), kind in 0u8..4) {
        let values: Vec<f64> = seed[..rows * cols].to_vec();
        let var = match kind {
            0 => Var::doubles("X", rows, cols, &values),
            1 => Var { name: "X", class: 7, mi_type: 7, dims: vec![rows as i32, cols as i32],
                       data: values.iter().flat_map(|v| (*v as f32).to_le_bytes()).collect(), imag: None },
            2 => Var::int32("X", rows, cols, &values.iter().map(|v| *v as i32).collect::<Vec<_>>()),
            _ => Var::double_as_u8("X", rows, cols, &values.iter().map(|v| (v.abs() as u64 % 256) as u8).collect::<Vec<_>>()),
        };
        let expect: Vec<f64> = match kind {
            0 => values.clone(),
            1 => values.iter().map(|v| f64::from(*v as f32)).collect(),
            2 => values.iter().map(|v| f64::from(*v as i32)).collect(),
            _ => values.iter().map(|v| f64::from((v.abs() as u64 % 256) as u8)).collect(),
        };
        let m = open(mat_file(&[var], compressed)).unwrap().matrix("X").unwrap();
        prop_assert_eq!(m.shape(), (rows, cols));
        for i in 0..rows { for j in 0..cols {
            prop_assert_eq!(m.get(i, j), expect[j * rows + i]);
        }}
    }
}

/// Declared sizes that the data does not back are refused while the file is walked, before any reader (ours
/// or matfile's) sizes anything from them: dimensions whose product overflows (matfile multiplies them in
/// i32, which wrapped 2147483647² to 1 and let a one-value array through), dimensions larger than the data,
/// and a complex part of the wrong length.
#[test]
fn declared_sizes_must_match_the_data() {
    let forged = |dims: Vec<i32>, values: usize| Var {
        dims,
        ..Var::doubles("X", values, 1, &vec![0.5; values])
    };
    for (dims, values, expected) in [
        (
            vec![i32::MAX, i32::MAX],
            1,
            "declares 2147483647×2147483647 values, more than the 2147483647",
        ),
        (vec![65536, 65536, 0], 0, "more than the 2147483647"),
        (
            vec![1000, 1000],
            4,
            "is 1000×1000 = 1000000 values but its data holds 32 bytes",
        ),
        (
            vec![3, 2],
            5,
            "is 3×2 = 6 values but its data holds 40 bytes",
        ),
    ] {
        for compressed in [false, true] {
            let bytes = mat_file(&[forged(dims.clone(), values)], compressed);
            let err = open(bytes).err().unwrap();
            assert!(
                matches!(err, DataError::MatMalformed { .. }) && err.to_string().contains(expected),
                "{dims:?} (compressed {compressed}): {err}"
            );
        }
    }
    let mut complex = Var::doubles("X", 2, 1, &[1.0, 2.0]);
    complex.imag = Some(1f64.to_le_bytes().to_vec());
    let err = open(mat_file(&[complex], false)).err().unwrap();
    assert_contains(&err.to_string(), "but its data holds 8 bytes");
}

/// Any prefix of a valid file (every cut, not a sample) is an error of the truncation's kind (cut short, or
/// for a cut inside the 128-byte header not a MAT-file at all), never a panic, and never "missing variable"
/// for a variable the file was cut through: only a cut exactly between elements parses, and then the variable
/// asked for is really absent, and the error says which.
#[test]
fn every_prefix_is_a_clean_error() {
    for compressed in [false, true] {
        let whole = xy(compressed, Var::double_as_u8("y", 3, 1, &[0, 1, 0]));
        for cut in 0..whole.len() {
            match open(whole[..cut].to_vec()) {
                Err(e) => assert!(
                    matches!(e, DataError::MatTruncated { .. })
                        || (cut < 128 && matches!(e, DataError::MatMalformed { .. })),
                    "cut at {cut}: {e:?}"
                ),
                Ok(file) => {
                    let err = dataset_from_mat(&file, "X", "y", LabelScheme::Auto).unwrap_err();
                    assert!(
                        matches!(
                            err,
                            DataError::MissingVariable { ref name, ref present, .. }
                                if (name == "X" || name == "y") && !present.contains(name)
                        ),
                        "cut at {cut}: {err:?}"
                    );
                }
            }
        }
    }
}
