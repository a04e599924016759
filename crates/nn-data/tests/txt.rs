//! Text loading: accepted variants, every rejected input with its line and column, and a round trip.

use crate::common::assert_contains;
use nn_data::{DataError, LabelScheme, parse_txt};
use proptest::prelude::*;
use std::path::Path;

fn parse(text: &str) -> Result<nn_data::Dataset, DataError> {
    parse_bytes(text.as_bytes(), LabelScheme::Auto)
}

/// `bytes` read as the file `input.txt` with the labels `scheme`.
fn parse_bytes(bytes: &[u8], scheme: LabelScheme) -> Result<nn_data::Dataset, DataError> {
    parse_txt(bytes, Path::new("input.txt"), scheme)
}

#[test]
fn accepts_crlf_bom_whitespace_and_missing_final_newline() {
    let want = parse("0.5,1,1\n-2,3e-2,0\n").unwrap();
    for variant in [
        "\u{feff}0.5,1,1\r\n-2,3e-2,0\r\n",
        "0.5 1 1\n-2\t3e-2   0",
        "0.5, 1, 1\n\n-2 ,3e-2,0\n\n",
    ] {
        let got = parse(variant).unwrap_or_else(|e| panic!("{variant:?}: {e}"));
        assert_eq!(got.x(), want.x(), "{variant:?}");
        assert_eq!(got.labels(), want.labels());
    }
    assert_eq!(want.labels(), vec![1, 0]);
    assert_eq!(want.x().row_to_vec(1), vec![-2.0, 0.03]);
}

fn expect_err(text: &str, needle: &str) -> DataError {
    let err = parse(text)
        .err()
        .unwrap_or_else(|| panic!("{text:?} was accepted"));
    assert!(
        err.to_string().contains(needle),
        "{text:?}: '{err}' lacks '{needle}'"
    );
    assert!(err.to_string().contains("input.txt"), "{err}");
    err
}

#[test]
fn rejects_bad_input_naming_line_and_column() {
    let e = expect_err("1,2,0\n3,4\n", "input.txt:2: row has 2 columns, expected 3");
    assert!(matches!(
        e,
        DataError::Ragged {
            line: 2,
            found: 2,
            expected: 3,
            ..
        }
    ));
    let e = expect_err(
        "1,2,0\n3,x4,1\n",
        "input.txt:2: column 'column 2' holds numbers (1 of them) but here 'x4'",
    );
    assert!(matches!(e, DataError::StrayText { line: 2, .. }));
    let e = expect_err(
        "1,2,0\nNaN,2,1\n",
        "input.txt:2: column 'column 1' is missing a value ('NaN')",
    );
    assert!(matches!(e, DataError::Missing { line: 2, .. }));
    for (bad, col) in [("inf", 2), ("-Infinity", 1), ("1e400", 2)] {
        let text = if col == 1 {
            format!("1,2,0\n{bad},2,1\n")
        } else {
            format!("1,2,0\n1,{bad},1\n")
        };
        let e = expect_err(
            &text,
            &format!("input.txt:2:{col}: '{bad}' is not a finite number"),
        );
        assert!(matches!(e, DataError::NonFinite { .. }));
    }
    assert!(matches!(
        expect_err("", "no data rows"),
        DataError::Empty { .. }
    ));
    assert!(matches!(
        expect_err("\n  \r\n", "no data rows"),
        DataError::Empty { .. }
    ));
    assert!(matches!(
        expect_err("1\n2\n", "expected at least 2"),
        DataError::TooFewColumns { .. }
    ));
    expect_err(
        "1,,0\n",
        "input.txt: column 'column 2' has no values (every cell is missing)",
    );
    let e = parse_bytes(b"1,2,0\n\xff,1,1\n", LabelScheme::Auto);
    assert_contains(&e.unwrap_err().to_string(), "input.txt:2: not valid UTF-8");
}

#[test]
fn labels_are_checked_by_row() {
    expect_err("1,2,0\n1,2,0.5\n", "row 2: label 0.5 is not a whole number");
    expect_err("1,2,0\n1,2,0\n", "every sample has label 0");
    expect_err("1,2,-1\n1,2,0\n", "row 1: label -1 is below 0");
    // Found by `cargo fuzz run txt`: huge labels made class maps of hundreds of millions of names (5 GB).
    expect_err(
        "1,2,666664020\n3,5,1\n",
        "row 1: label 666664020 would make 666664020 classes; nn supports at most 10000",
    );
    expect_err(
        "90,0,6E8\n0.32,-612,0\n",
        "row 1: label 600000000 would make 600000001 classes",
    );
    let e = parse_bytes(b"1,2,0\n1,2,1\n", LabelScheme::OneBased).unwrap_err();
    assert_contains(
        &e.to_string(),
        "row 1: label 0 is outside the one-based labels 1..1",
    );
}

proptest! {
    /// Any finite matrix written with any separator and line ending reads back exactly.
    #[test]
    fn round_trip(rows in 2usize..20, cols in 1usize..6, values in prop::collection::vec(-1e300f64..1e300, 120),
                  sep in prop_oneof![Just(","), Just(", "), Just(" "), Just("\t")], crlf in any::<bool>(), bom in any::<bool>()) {
        let nl = if crlf { "\r\n" } else { "\n" };
        let mut text = String::from(if bom { "\u{feff}" } else { "" });
        for i in 0..rows {
            let mut fields: Vec<String> = (0..cols).map(|j| format!("{:?}", values[i * cols + j])).collect();
            fields.push((i % 2).to_string());
            text.push_str(&fields.join(sep));
            text.push_str(nl);
        }
        let d = parse(&text).unwrap();
        prop_assert_eq!(d.x().shape(), (rows, cols));
        for i in 0..rows { for j in 0..cols { prop_assert_eq!(d.x().get(i, j), values[i * cols + j]); } }
        prop_assert_eq!(d.labels(), (0..rows).map(|i| i % 2).collect::<Vec<_>>());
    }
}
