//! Delimited text as people export it, through `Table` and the fitted `Schema`: delimiters, headers, quotes,
//! gzip, text classes, one-hot categories, missing values, and new files with their columns reordered.

use crate::common::assert_contains;
use nn_data::{
    ClassMap, DataError, Delimiter, Expect, InputKind, LabelScheme, MissingPolicy, PipelineOptions,
    ReadOptions, Schema, Selected, Table, UnknownCategory,
};
use std::io::Write;
use std::path::Path;

pub(crate) fn table(text: &str) -> Table {
    Table::parse(
        text.as_bytes(),
        Path::new("in.csv"),
        &ReadOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

pub(crate) fn table_err(text: &str) -> String {
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
pub(crate) fn fit(
    t: &Table,
    opts: &PipelineOptions,
) -> Result<(Schema, nn_data::Dataset), DataError> {
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
    let applied = schema.apply(new, Expect::Classes(&classes), None).unwrap();
    assert_eq!(applied.x.row_to_vec(0), vec![0., 0., 1., 3.0]);
    assert_eq!(applied.labels, Some(vec![1, 0]));
    assert_eq!(
        applied.notes,
        ["ignored columns the model does not use: id"]
    );

    let new_file =
        |text: &[u8]| Table::parse(text, Path::new("new.csv"), &schema.read_options()).unwrap();
    let unseen = new_file(b"size,colour\n2.0,purple\n");
    let e = schema
        .apply(unseen.clone(), Expect::Features, None)
        .unwrap_err();
    assert!(
        matches!(e, DataError::UnknownCategory { line: 2, .. }),
        "{e}"
    );
    assert!(e.to_string().contains("new.csv:2: column 'colour' has category 'purple', which training never saw (known: green, red, yellow)"), "{e}");
    let ignored = schema
        .apply(unseen, Expect::Features, Some(UnknownCategory::Ignore))
        .unwrap();
    assert_eq!(ignored.x.row_to_vec(0), vec![0., 0., 0., 2.0]);

    let lacking = new_file(b"colour\nred\n");
    let e = schema
        .apply(lacking, Expect::Features, None)
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
        .apply(read("9,1,0.25\n"), Expect::Features, None)
        .unwrap();
    assert_eq!(with_target.x.row_to_vec(0), vec![9.0, 0.25]);
    let without = schema
        .apply(read("9,0.25\n"), Expect::Features, None)
        .unwrap();
    assert_eq!(without.x.row_to_vec(0), vec![9.0, 0.25]);
    let e = schema
        .apply(read("9\n"), Expect::Features, None)
        .unwrap_err()
        .to_string();
    assert_contains(
        &e,
        "the file has 1 columns and no header; the model was trained on 3",
    );
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
                    let again = schema.apply(t.clone(), expect, Some(UnknownCategory::Error)).unwrap();
                    proptest::prop_assert_eq!(&again.x, data.x());
                }
            }
        }
    }
}

/// A table of `rows` rows: `n0..n15` numeric, `c` one of three colours, and a 0/1 target `y`; large enough
/// at 60,000 rows for the encoding to share its columns out over the cores.
fn wide_csv(rows: usize, colours: [&str; 3]) -> String {
    let mut text: String = (0..16).map(|j| format!("n{j},")).collect();
    text.push_str("c,y\n");
    for i in 0..rows {
        for j in 0..16 {
            text.push_str(&format!("{},", ((i * 31 + j * 7) % 1000) as f64 / 8.0));
        }
        text.push_str(&format!("{},{}\n", colours[i % 3], i % 2));
    }
    text
}

#[test]
fn a_large_table_encodes_on_the_cores_as_a_small_one_would() {
    let rows = 60_000;
    let text = wide_csv(rows, ["red", "green", "blue"]);
    let opts = PipelineOptions::default().with_target("y");
    let expected = nn_linalg::Matrix::from_fn(rows, 19, |i, j| match j {
        0..16 => ((i * 31 + j * 7) % 1000) as f64 / 8.0,
        // Sorted categories: blue, green, red.
        _ => f64::from([2, 1, 0][i % 3] == j - 16),
    });
    let t = table(&text);
    let (schema, borrowed) = fit(&t, &opts).unwrap();
    assert_eq!(borrowed.x(), &expected);
    let owned = Selected::from_table(t, &opts).unwrap();
    let all: Vec<usize> = (0..rows).collect();
    assert_eq!(owned.fit(&all).unwrap().1.x(), &expected);

    // Two bad columns of a new file: the error is the first input's, as a serial encoding reports it.
    let bad = wide_csv(rows, ["red", "green", "purple"]).replacen("\n0,", "\nzero,", 1);
    let e = schema
        .apply(table(&bad), Expect::Features, Some(UnknownCategory::Error))
        .unwrap_err()
        .to_string();
    assert_contains(&e, "column 'n0' holds text");
    let e = schema
        .apply(
            table(&wide_csv(rows, ["red", "green", "purple"])),
            Expect::Features,
            Some(UnknownCategory::Error),
        )
        .unwrap_err()
        .to_string();
    assert_contains(&e, "purple");
}
