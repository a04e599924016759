//! Delimited text as people export it, through `Table` and the fitted `Schema`: delimiters, headers, quotes,
//! gzip, text classes, one-hot categories, missing values, and new files with their columns reordered.

use crate::common::assert_contains;
use nn_data::{
    ClassMap, DataError, Delimiter, Expect, InputKind, LabelScheme, MissingPolicy, PipelineOptions,
    ReadOptions, Schema, Selected, Table, UnknownCategory,
};
use std::io::Write;
use std::path::Path;

fn table(text: &str) -> Table {
    Table::parse(
        text.as_bytes(),
        Path::new("in.csv"),
        &ReadOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

fn table_err(text: &str) -> String {
    Table::parse(
        text.as_bytes(),
        Path::new("in.csv"),
        &ReadOptions::default(),
    )
    .err()
    .unwrap_or_else(|| panic!("{text:?} was accepted"))
    .to_string()
}

/// Selects with `opts` and fits on every row.
fn fit(t: &Table, opts: &PipelineOptions) -> Result<(Schema, nn_data::Dataset), DataError> {
    let s = Selected::new(t, opts)?;
    let all: Vec<usize> = (0..s.labels().len()).collect();
    s.fit(&all)
}

const PENGUINS: &str = "species,island,bill_mm,mass_g,year\n\
    Adelie,Torgersen,39.1,3750,2007\n\
    Adelie,Biscoe,NA,3800,2007\n\
    Gentoo,Biscoe,46.1,4500,2008\n\
    Chinstrap,Dream,49.0,3700,2009\n\
    Gentoo,Biscoe,50.0,5700,2008\n\
    Adelie,Dream,37.8,NA,2007\n";

#[test]
fn every_delimiter_header_and_line_ending_reads_the_same_table() {
    let want = table("a,b,label\n1.5,2,0\n-3,4e1,1\n");
    assert!(want.has_header());
    assert_eq!(want.names(), ["a", "b", "label"]);
    assert_eq!(want.delimiter(), Delimiter::Comma);
    for (text, delimiter) in [
        ("a;b;label\r\n1.5;2;0\r\n-3;4e1;1", Delimiter::Semicolon),
        ("a\tb\tlabel\n1.5\t2\t0\n-3\t4e1\t1\n", Delimiter::Tab),
        (
            "  a   b  label\n1.5 2   0\n-3\t4e1 1\n\n",
            Delimiter::Whitespace,
        ),
        (
            "\u{feff}\"a\",\"b\",\"label\"\n\"1.5\",2,0\n-3, 4e1 ,1\n",
            Delimiter::Comma,
        ),
    ] {
        let got = table(text);
        assert_eq!(got.delimiter(), delimiter, "{text:?}");
        assert_eq!(got.names(), want.names(), "{text:?}");
        assert_eq!(got.column(1), want.column(1), "{text:?}");
        assert_eq!(got.rows(), 2);
    }
    let headerless = table("1.5,2,0\n-3,4e1,1\n");
    assert!(!headerless.has_header());
    assert_eq!(headerless.names(), ["column 1", "column 2", "column 3"]);
    // Forced either way.
    let forced = Table::parse(
        b"1,2,0\n3,4,1\n5,6,0\n",
        Path::new("in.csv"),
        &ReadOptions {
            header: Some(true),
            delimiter: Some(Delimiter::Comma),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!((forced.names()[0].as_str(), forced.rows()), ("1", 2));
}

#[test]
fn quoted_fields_keep_delimiters_quotes_and_line_breaks() {
    let t =
        table("name,note,y\n\"Smith, J\",\"said \"\"hi\"\"\nthen left\",1\nDoe,plain,0\nRoe,x,1\n");
    assert_eq!(t.rows(), 3);
    assert_eq!(t.column(0).text(0).as_deref(), Some("Smith, J"));
    assert_eq!(
        t.column(1).text(0).as_deref(),
        Some("said \"hi\"\nthen left")
    );
    // Line numbers count the line break inside the quotes.
    assert_eq!((t.line(0), t.line(1)), (2, 4));
}

#[test]
fn gzip_is_recognised_by_its_bytes_not_its_name() {
    let text = "x,y\n1,0\n2,1\n3,0\n";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(text.as_bytes()).unwrap();
    let bytes = gz.finish().unwrap();
    let dir = std::env::temp_dir().join(format!("nn-csv-gz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("plain-name.csv");
    std::fs::write(&path, &bytes).unwrap();
    let t = Table::read(&path, &ReadOptions::default()).unwrap();
    assert_eq!(
        t,
        Table::parse(text.as_bytes(), &path, &ReadOptions::default()).unwrap()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn text_target_gives_sorted_named_classes() {
    let t = table(PENGUINS);
    let opts = PipelineOptions {
        target: Some("species".into()),
        drop: vec!["year".into()],
        missing: MissingPolicy::Drop,
        ..Default::default()
    };
    let s = Selected::new(&t, &opts).unwrap();
    assert_eq!(s.dropped(), 2);
    assert_eq!(s.classes().names(), ["Adelie", "Chinstrap", "Gentoo"]);
    assert_eq!(s.classes().scheme(), LabelScheme::Named);
    assert_eq!(s.labels(), [0, 2, 1, 2]);
    let (schema, data) = s.fit(&[0, 1, 2, 3]).unwrap();
    assert_eq!(
        schema.feature_names(),
        [
            "island=Biscoe",
            "island=Dream",
            "island=Torgersen",
            "bill_mm",
            "mass_g"
        ]
    );
    assert_eq!(data.x().row_to_vec(0), vec![0., 0., 1., 39.1, 3750.]);
    assert_eq!(
        data.classes(),
        &ClassMap::named(vec!["Adelie".into(), "Chinstrap".into(), "Gentoo".into()])
    );
}

#[test]
fn columns_by_name_or_position_and_unknown_names_list_the_columns() {
    let t = table(PENGUINS);
    let by_position = PipelineOptions {
        target: Some("1".into()),
        features: Some(vec!["bill_mm".into(), "4".into()]),
        missing: MissingPolicy::Drop,
        ..Default::default()
    };
    let (schema, data) = fit(&t, &by_position).unwrap();
    assert_eq!(schema.target, "species");
    assert_eq!(schema.feature_names(), ["bill_mm", "mass_g"]);
    assert_eq!(data.features(), 2);
    let bad = PipelineOptions {
        target: Some("sex".into()),
        ..Default::default()
    };
    let e = Selected::new(&t, &bad).unwrap_err().to_string();
    assert!(e.contains("column 'sex' is not a column; the columns are: 1 'species', 2 'island', 3 'bill_mm', 4 'mass_g', 5 'year'"), "{e}");
    let drop_target = PipelineOptions {
        drop: vec!["year".into()],
        ..Default::default()
    };
    let e = Selected::new(&t, &drop_target).unwrap_err().to_string();
    assert_contains(&e, "'year' is the target; it cannot be dropped");
}

#[test]
fn missing_values_error_drop_or_mean_of_the_training_part() {
    let t = table(PENGUINS);
    let base = PipelineOptions {
        target: Some("species".into()),
        ..Default::default()
    };
    let e = Selected::new(&t, &base).unwrap_err();
    assert!(
        e.to_string()
            .contains("in.csv:3: column 'bill_mm' is missing a value ('NA')"),
        "{e}"
    );
    let mean = PipelineOptions {
        missing: MissingPolicy::Mean,
        ..base.clone()
    };
    let s = Selected::new(&t, &mean).unwrap();
    assert_eq!(s.dropped(), 0);
    // Fitted on rows 0, 2, 3 only: the means must not see rows 4 and 5 (a leak would).
    let (schema, data) = s.fit(&[0, 1, 2, 3]).unwrap();
    let fill = |name: &str| {
        schema
            .inputs
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.kind.clone())
            .unwrap()
    };
    assert_eq!(
        fill("bill_mm"),
        InputKind::Numeric {
            fill: Some((39.1 + 46.1 + 49.0) / 3.0)
        }
    );
    let mass = (3750.0 + 3800.0 + 4500.0 + 3700.0) / 4.0;
    assert_eq!(fill("mass_g"), InputKind::Numeric { fill: Some(mass) });
    assert_eq!(data.x().get(5, 4), mass);
    assert_eq!(data.x().get(1, 3), (39.1 + 46.1 + 49.0) / 3.0);
    // The most common island of the training part fills a missing island.
    let t2 = table("island,x,y\nDream,1,a\nBiscoe,2,b\nBiscoe,3,a\n?,4,b\nDream,5,a\nDream,6,b\n");
    let s = Selected::new(&t2, &mean.clone().with_target("y")).unwrap();
    let (schema, data) = s.fit(&[0, 1, 2, 3]).unwrap();
    assert_eq!(
        schema.inputs[0].kind,
        InputKind::Categorical {
            categories: vec!["Biscoe".into(), "Dream".into()],
            fill: Some("Biscoe".into())
        }
    );
    assert_eq!(data.x().row_to_vec(3), vec![1.0, 0.0, 4.0]);
}

trait WithTarget {
    fn with_target(self, t: &str) -> Self;
}

impl WithTarget for PipelineOptions {
    fn with_target(mut self, t: &str) -> Self {
        self.target = Some(t.into());
        self
    }
}

#[test]
fn new_files_are_matched_by_name_in_any_order_and_unseen_categories_are_caught() {
    let train = table(
        "colour,size,kind\nred,1.0,apple\ngreen,1.2,apple\nyellow,3.1,banana\nyellow,2.9,banana\n",
    );
    let (schema, data) = fit(&train, &PipelineOptions::default()).unwrap();
    let classes = data.classes().clone();
    let new = Table::parse(
        b"id,kind,size,colour\n7,banana,3.0,yellow\n8,apple,1.1,red\n",
        Path::new("new.csv"),
        &schema.read_options(),
    )
    .unwrap();
    let applied = schema.apply(&new, Expect::Classes(&classes), None).unwrap();
    assert_eq!(applied.x.row_to_vec(0), vec![0., 0., 1., 3.0]);
    assert_eq!(applied.labels, Some(vec![1, 0]));
    assert_eq!(
        applied.notes,
        ["ignored columns the model does not use: id"]
    );

    let unseen = Table::parse(
        b"size,colour\n2.0,purple\n",
        Path::new("new.csv"),
        &schema.read_options(),
    )
    .unwrap();
    let e = schema.apply(&unseen, Expect::Features, None).unwrap_err();
    assert!(
        matches!(e, DataError::UnknownCategory { line: 2, .. }),
        "{e}"
    );
    assert!(e.to_string().contains("new.csv:2: column 'colour' has category 'purple', which training never saw (known: green, red, yellow)"), "{e}");
    let ignored = schema
        .apply(&unseen, Expect::Features, Some(UnknownCategory::Ignore))
        .unwrap();
    assert_eq!(ignored.x.row_to_vec(0), vec![0., 0., 0., 2.0]);

    let lacking = Table::parse(
        b"colour\nred\n",
        Path::new("new.csv"),
        &schema.read_options(),
    )
    .unwrap();
    let e = schema
        .apply(&lacking, Expect::Features, None)
        .unwrap_err()
        .to_string();
    assert_contains(
        &e,
        "column 'size' is an input of the model but the file has no such column",
    );
}

#[test]
fn headerless_new_files_need_the_training_width_with_or_without_the_target() {
    let train = table("1,0,0.5\n2,1,0.1\n3,0,0.7\n");
    let opts = PipelineOptions {
        target: Some("2".into()),
        ..Default::default()
    };
    let (schema, _) = fit(&train, &opts).unwrap();
    let read = |text: &str| {
        Table::parse(
            text.as_bytes(),
            Path::new("new.csv"),
            &schema.read_options(),
        )
        .unwrap()
    };
    let with_target = schema
        .apply(&read("9,1,0.25\n"), Expect::Features, None)
        .unwrap();
    assert_eq!(with_target.x.row_to_vec(0), vec![9.0, 0.25]);
    let without = schema
        .apply(&read("9,0.25\n"), Expect::Features, None)
        .unwrap();
    assert_eq!(without.x.row_to_vec(0), vec![9.0, 0.25]);
    let e = schema
        .apply(&read("9\n"), Expect::Features, None)
        .unwrap_err()
        .to_string();
    assert_contains(
        &e,
        "the file has 1 columns and no header; the model was trained on 3",
    );
}

#[test]
fn bad_tables_are_clear_errors() {
    assert!(
        table_err("a,b,c\n1,2\n3,4\n")
            .contains("in.csv:2: the header names 3 columns but this row has 2")
    );
    assert!(table_err("1,2,0\n3,4\n").contains("in.csv:2: row has 2 columns, expected 3"));
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

proptest::proptest! {
    /// Any text made of the characters that matter to the reader gives a dataset or an error naming the file,
    /// and a fitted schema reads its own training file back to the same features.
    #[test]
    fn arbitrary_tables_never_panic(cells in proptest::collection::vec(
        proptest::sample::select(vec!["1", "-2.5", "NA", "", "?", "a", "b", "\"x,y\"", "1e400", ",", ";", "\t", " ", "\n", "\r\n", "\""]),
        0..60,
    )) {
        let text: String = cells.concat();
        match Table::parse(text.as_bytes(), Path::new("p.csv"), &ReadOptions::default()) {
            Err(e) => proptest::prop_assert!(e.to_string().contains("p.csv"), "{e}"),
            Ok(t) => {
                for missing in [MissingPolicy::Error, MissingPolicy::Drop, MissingPolicy::Mean] {
                    let opts = PipelineOptions { missing, ..Default::default() };
                    let Ok((schema, data)) = fit(&t, &opts) else { continue };
                    // A numeric target with few values is regression: read back as values, not classes.
                    let expect = if data.is_regression() { Expect::Values } else { Expect::Classes(data.classes()) };
                    let again = schema.apply(&t, expect, Some(UnknownCategory::Error)).unwrap();
                    proptest::prop_assert_eq!(&again.x, data.x());
                }
            }
        }
    }
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
        .apply(&t, Expect::Values, Some(UnknownCategory::Error))
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
