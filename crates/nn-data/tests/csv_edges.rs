//! Delimited text at its edges, through `Table` and the fitted `Schema`: bad tables, repeated or empty header
//! names, the reading limits, huge cells, a header alone, decimal commas, numeric targets and long files.

use crate::common::assert_contains;
use crate::csv::{fit, table, table_err};
use nn_data::{Expect, MissingPolicy, PipelineOptions, ReadOptions, Table, UnknownCategory};
use std::io::Write;
use std::path::Path;

#[test]
fn bad_tables_are_clear_errors() {
    assert!(
        table_err("a,b,c\n1,2\n3,4\n")
            .contains("in.csv:2: the header names 3 columns but this row has 2")
    );
    assert!(table_err("1,2,0\n3,4\n").contains("in.csv:2: row has 2 columns, expected 3"));
    // A row after empty lines is named by its own line, with or without quotes before it. (Reading named
    // the line where the empty lines began, until 2026-12-03.)
    for text in ["a,b,c\n1,2,0\n\n\n5,6\n", "a,b,c\n\"1\",2,0\n\n\n5,6\n"] {
        assert_contains(&table_err(text), "in.csv:5: the header names 3 columns");
    }
    assert!(
        table_err("x,y\n1,0\n2,1\nthree,0\n4,1\n")
            .contains("in.csv:4: column 'x' holds numbers (3 of them) but here 'three'")
    );
    assert!(table_err("").contains("no data rows"));
    let t = table("x,y\n1,a\n2,a\n");
    let e = fit(&t, &PipelineOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("every sample has label a"), "{e}");
    let t = table("x,z,y\n1,NA,0\n2,,1\n");
    let e = fit(
        &t,
        &PipelineOptions {
            missing: MissingPolicy::Mean,
            ..Default::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert_contains(&e, "column 'z' has no values (every cell is missing)");
    let mut ids = String::from("id,x,y\n");
    for i in 0..1200 {
        ids.push_str(&format!("u{i},{i},{}\n", i % 2));
    }
    let e = fit(&table(&ids), &PipelineOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("column 'id' is text with 1200 distinct values (more than 1000)")
            && e.contains("--drop 'id'"),
        "{e}"
    );
    let ok = fit(
        &table(&ids),
        &PipelineOptions {
            drop: vec!["id".into()],
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(ok.1.features(), 1);
}

#[test]
fn repeated_and_empty_header_names_are_told_apart() {
    let t = table(",x,x,y\n1,2,3,0\n4,5,6,1\n");
    assert_eq!(t.names(), ["column 1", "x", "x.1", "y"]);
    assert_eq!(t.find("x.1").unwrap(), 2);
}

/// Every limit stops reading with an error naming it and its flag: the text's bytes (after
/// decompression), a line's bytes, rows, columns and cells.
#[test]
fn reading_stops_at_each_limit() {
    let text = b"a,b,c\n1,2,3\n4,5,6\n7,8,9\n";
    let read = |limits: nn_data::Limits| {
        let opts = ReadOptions {
            limits,
            ..Default::default()
        };
        Table::parse(text, Path::new("t.csv"), &opts).map_err(|e| e.to_string())
    };
    let base = nn_data::Limits::default();
    assert_eq!(read(base).unwrap().rows(), 3);
    for (limits, needle) in [
        (
            nn_data::Limits { bytes: 10, ..base },
            "is over the limit of 10 (--max-bytes raises it)",
        ),
        (
            nn_data::Limits { line: 4, ..base },
            "a line (5 bytes so far) is over the limit of 4 (--max-line raises it)",
        ),
        (
            nn_data::Limits { rows: 2, ..base },
            "row 3 (line 4) is over the limit of 2 (--max-rows raises it)",
        ),
        (
            nn_data::Limits { columns: 2, ..base },
            "line 2's 3 columns is over the limit of 2 (--max-columns raises it)",
        ),
        (
            nn_data::Limits { cells: 8, ..base },
            "the cells (3 rows × 3 columns at line 4) is over the limit of 8 (--max-cells raises it)",
        ),
    ] {
        let e = read(limits).unwrap_err();
        assert!(
            e.starts_with("t.csv: ") && e.contains(needle),
            "{needle}: {e}"
        );
    }
    // Through gzip, the limit counts the text, not the compressed bytes.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(text).unwrap();
    let gz = gz.finish().unwrap();
    let opts = ReadOptions {
        limits: nn_data::Limits { bytes: 20, ..base },
        ..Default::default()
    };
    let e = Table::parse(&gz, Path::new("t.csv.gz"), &opts)
        .unwrap_err()
        .to_string();
    assert_contains(&e, "the text (after decompression, 24 bytes so far)");
}

/// An error quotes at most 80 characters of a cell, and says how long it was.
#[test]
fn a_huge_cell_is_quoted_in_part() {
    let cell = "a".repeat(300_000);
    let text = format!("x,y\n1,0\n2,1\n3,{cell}\n4,1\n");
    let e = Table::parse(text.as_bytes(), Path::new("t.csv"), &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(&format!("'{}… (300000 characters)'", "a".repeat(80))) && e.len() < 300,
        "{e}"
    );
}

/// A file with only a header says so; repeated and empty header names are renamed, and said.
#[test]
fn a_header_alone_has_no_rows_and_renamed_headers_are_said() {
    let e = Table::parse(
        b"sepal,petal,species\n",
        Path::new("h.csv"),
        &ReadOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        e,
        "h.csv: no data rows (only a header: sepal,petal,species)"
    );
    let t = Table::parse(
        b"x,x,,y\n1,2,3,0\n2,3,4,1\n",
        Path::new("d.csv"),
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(t.names(), ["x", "x.1", "column 3", "y"]);
    assert_eq!(
        t.notes(),
        [
            "the header repeats 'x': that column is called 'x.1'",
            "an empty header cell: its column is called 'column 3'"
        ]
    );
}

/// Decimal commas: detected in a `;`-delimited file whose numeric-looking cells are `-?digits,digits` (and
/// said), forced with `Decimal::Comma`, and refused with `Decimal::Dot` (the cells are then text).
#[test]
fn decimal_commas_are_detected_or_forced() {
    let text = b"a;b;kind\n1,5;2,25;x\n-0,5;3;y\n2,75;1,5;x\n";
    let read = |decimal| {
        let opts = ReadOptions {
            decimal,
            ..Default::default()
        };
        Table::parse(text, Path::new("c.csv"), &opts).unwrap()
    };
    let detected = read(None);
    assert_eq!(detected.names(), ["a", "b", "kind"]);
    assert_eq!(
        detected.column(0),
        &nn_data::Column::Numeric(vec![1.5, -0.5, 2.75])
    );
    assert_eq!(
        detected.column(1),
        &nn_data::Column::Numeric(vec![2.25, 3.0, 1.5])
    );
    assert!(
        detected.notes()[0].starts_with("decimal commas: "),
        "{:?}",
        detected.notes()
    );
    let forced = read(Some(nn_data::Decimal::Comma));
    assert_eq!(forced.column(0), detected.column(0));
    assert!(forced.notes().is_empty(), "given, not detected");
    let dots = read(Some(nn_data::Decimal::Dot));
    assert!(matches!(dots.column(0), nn_data::Column::Text { .. }));
    // Commas in a comma-delimited file are field separators; a file with decimal dots keeps them.
    let dotted = Table::parse(
        b"a;b\n1.5;2\n0,5;1\n",
        Path::new("d.csv"),
        &ReadOptions::default(),
    );
    assert!(
        dotted.is_err()
            || !dotted
                .unwrap()
                .notes()
                .iter()
                .any(|n| n.starts_with("decimal"))
    );
}

/// The case proptest found for `arbitrary_tables_never_panic` (";-2.5\na;1", missing cells filled with the
/// mean): a numeric last column is a regression target, and the fitted schema reads the file back as values.
#[test]
fn a_numeric_target_reads_back_as_values() {
    let t = table(";-2.5\na;1");
    let opts = PipelineOptions {
        missing: MissingPolicy::Mean,
        ..Default::default()
    };
    let (schema, data) = fit(&t, &opts).unwrap();
    assert!(data.is_regression());
    let again = schema
        .apply(t, Expect::Values, Some(UnknownCategory::Error))
        .unwrap();
    assert_eq!(&again.x, data.x());
}

/// Rows are split on a thread of their own, in batches of 1,024: every row arrives once and in order, and an
/// error deep in the file (past several batches) names its own line, whichever kind it is.
#[test]
fn a_long_file_reads_in_order_and_its_errors_name_their_lines() {
    let rows: String = (0..5000).map(|i| format!("{i},{}\n", i % 7)).collect();
    let t = table(&format!("a,b\n{rows}"));
    assert_eq!(t.rows(), 5000);
    let nn_data::Column::Numeric(a) = t.column(0) else {
        panic!("a is numeric")
    };
    assert!(a.iter().enumerate().all(|(i, &v)| v == i as f64));
    assert_eq!(t.line(4999), 5001);

    let mut bytes = format!("a,b\n{}", &rows[..rows.find("3000,").expect("row 3000")]).into_bytes();
    bytes.extend_from_slice(b"1,\xff\n");
    bytes.extend_from_slice(rows.as_bytes());
    let err = Table::parse(&bytes, Path::new("in.csv"), &ReadOptions::default())
        .expect_err("invalid UTF-8 is refused");
    assert_eq!(err.to_string(), "in.csv:3002: not valid UTF-8 text");

    let ragged = format!(
        "a,b\n{}1,2,3\n{rows}",
        &rows[..rows.find("4321,").expect("row 4321")]
    );
    assert!(
        table_err(&ragged).starts_with("in.csv:4323:"),
        "{}",
        table_err(&ragged)
    );
}
