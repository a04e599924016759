//! `parse_number` against the standard library's parse, and `trim_cell` against `str::trim`.

use super::column::parse_number;
use proptest::prelude::*;

fn same_as_std(cell: &str) {
    let ours = parse_number(cell).map(f64::to_bits);
    let std = cell.parse::<f64>().ok().map(f64::to_bits);
    assert_eq!(ours, std, "{cell:?}");
}

#[test]
fn numbers_read_as_std_reads_them() {
    let cells = [
        "",
        ".",
        "-",
        "+",
        "e5",
        "1e",
        "1e+",
        "1.",
        ".5",
        "-.5",
        "+1",
        "1e5",
        "1E-5",
        "1.5e+300",
        "1e400",
        "-1e400",
        "1e-400",
        "inf",
        "-Infinity",
        "NaN",
        "nan",
        "infinit",
        " 1",
        "1 ",
        "1,5",
        "0x10",
        "1_000",
        "00012",
        "4.9e-324",
        "2.2250738585072011e-308",
        "9007199254740993",
        "0.1000000000000000055511151231257827",
        "1.7976931348623157e308",
        "1.7976931348623159e308",
        "-0",
        "-0.0",
        "+.5",
        "1..2",
        "1.2.3",
        "--1",
        "-+1",
        "123456789012345",
        "1234567890123456",
        "0.1234567890123456789012",
        "0.12345678901234567890123",
        "999999999999999.",
        ".000000000000000000001",
    ];
    for cell in cells {
        same_as_std(cell);
    }
}

proptest! {
    #[test]
    fn every_float_reads_back_as_std_reads_it(bits in any::<u64>(), digits in 0usize..20) {
        let v = f64::from_bits(bits);
        for cell in [format!("{v}"), format!("{v:e}"), format!("{v:.digits$}"), format!("{v:.digits$e}")] {
            same_as_std(&cell);
        }
    }

    #[test]
    fn plain_decimals_read_as_std_reads_them(cell in "[-+]?[0-9]{0,18}([.][0-9]{0,25})?|[-+]?[.][0-9]{1,25}") {
        same_as_std(&cell);
    }

    #[test]
    fn number_like_text_reads_as_std_reads_it(cell in "[-+0-9.eEinfatyIN]{0,12}") {
        same_as_std(&cell);
    }
}

#[test]
fn cells_trim_as_str_trims_them() {
    for cell in [
        "",
        " ",
        "a",
        " a",
        "a ",
        "\ta\r",
        "é",
        " é ",
        "\u{a0}x\u{a0}",
        "x\u{3000}",
        "1,5",
    ] {
        assert_eq!(super::lines::trim_cell(cell), cell.trim(), "{cell:?}");
    }
}

proptest! {
    #[test]
    fn any_cell_trims_as_str_trims_it(cell in "\\PC{0,6}|[ \t\u{a0}\u{2003}a-z0-9]{0,6}") {
        prop_assert_eq!(super::lines::trim_cell(&cell), cell.trim());
    }
}

/// The rows of `text` as the reading threads hand them on (each cell's text and value), or the error.
type Read = Result<Vec<(usize, Vec<(String, u64)>)>, String>;

fn split(text: &[u8], delimiter: super::Delimiter, split: super::stream::Split) -> Read {
    let source = super::stream::Source {
        reader: Box::new(text),
        path: std::path::Path::new("t.csv"),
        delimiter,
        split,
    };
    let read = super::stream::rows(source, |rows| {
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let cells = row.cells().map(|(c, v)| (c.to_string(), v.to_bits()));
            out.push((row.line, cells.collect()));
        }
        Ok(out)
    });
    read.map_err(|e| e.to_string())
}

/// A cell as the reference reads it: trimmed, with its value if it is a finite number.
fn reference_cell(field: &str) -> (String, u64) {
    let cell = super::lines::trim_cell(field);
    let value = match cell.as_bytes().first() {
        Some(b'0'..=b'9' | b'-' | b'+' | b'.') => parse_number(cell).filter(|v| v.is_finite()),
        _ => None,
    };
    (cell.to_string(), value.unwrap_or(f64::NAN).to_bits())
}

/// The rows of `text` as reading read them before it was split into blocks: the csv crate over the whole
/// text for a delimiter byte; lines split on ASCII whitespace otherwise.
fn reference(text: &[u8], delimiter: super::Delimiter) -> Read {
    let path = std::path::Path::new("t.csv");
    let mut out = Vec::new();
    match delimiter.byte() {
        Some(d) => {
            let mut input = super::input::Input::new(Box::new(text), path, d, 0);
            while let Some(line) = input.next().map_err(|e| e.to_string())? {
                out.push((line, input.record.iter().map(reference_cell).collect()));
            }
        }
        None => {
            let lines = text.split_inclusive(|&b| b == b'\n').enumerate();
            for (k, line) in lines {
                let Ok(mut line) = std::str::from_utf8(line) else {
                    let error = crate::error::DataError::NotText {
                        path: path.to_path_buf(),
                        line: k + 1,
                    };
                    return Err(error.to_string());
                };
                if k == 0 {
                    line = line.strip_prefix('\u{feff}').unwrap_or(line);
                }
                let cells: Vec<_> = line.split_ascii_whitespace().map(reference_cell).collect();
                if !cells.is_empty() {
                    out.push((k + 1, cells));
                }
            }
        }
    }
    Ok(out)
}

/// Text made of the pieces that matter to splitting: delimiters, line ends, quoted cells and quotes inside a
/// cell (rarely, since the first quote hands the rest to the csv crate), numbers, words, whitespace, bytes
/// that are not UTF-8, a BOM. No quote is left open at the end, where a row's line is ambiguous
/// (`Input::start_line`).
fn text() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        8 => prop::sample::select(vec![
            &b","[..], b";", b"\t", b" ", b"\n", b"\r\n", b"\n\n", b"1", b"-2.5", b"0.125", b"x", b"NA",
            b"1e400", "é".as_bytes(), "\u{a0}".as_bytes(),
        ]),
        1 => prop::sample::select(vec![
            &b"\"a,b\nc\""[..], b"x\"y", b"\"p\"\"q\"", b"\xff", "\u{feff}".as_bytes(),
        ]),
    ];
    (any::<bool>(), prop::collection::vec(piece, 0..150)).prop_map(|(bom, pieces)| {
        let start: &[u8] = if bom { "\u{feff}".as_bytes() } else { b"" };
        let mut text = start.to_vec();
        pieces.iter().for_each(|p| text.extend_from_slice(p));
        text
    })
}

proptest! {
    #[test]
    fn blocks_read_as_the_csv_crate_reads(
        text in text(),
        d in 0..4usize,
        block in 1..48usize,
        workers in 1..4usize,
    ) {
        let delimiter = super::Delimiter::ALL[d];
        let blocks = super::stream::Split { block, workers };
        prop_assert_eq!(split(&text, delimiter, blocks), reference(&text, delimiter));
    }

    #[test]
    fn a_table_is_the_same_however_its_text_is_cut(text in text(), block in 1..48usize, workers in 1..4usize) {
        let path = std::path::Path::new("t.csv");
        let opts = super::ReadOptions::default();
        // As Debug text: a missing cell is NaN, which is not equal to itself.
        let read = |split| format!("{:?}", super::Table::split_from(&text[..], path, &opts, split).map_err(|e| e.to_string()));
        let whole = super::stream::Split { block: 1 << 20, workers: 1 };
        prop_assert_eq!(read(super::stream::Split { block, workers }), read(whole));
    }
}

#[test]
fn a_batch_of_rows_of_one_width_gives_its_columns_whole() {
    let text = b"1,a,2.5\n-3,b,NA\n4,c,1e400\n";
    let mut batch = super::lines::Batch::default();
    batch.split(
        text.to_vec(),
        1,
        super::Delimiter::Comma,
        std::path::Path::new("t.csv"),
    );
    batch.by_column();
    assert_eq!(batch.width(), Some(3));
    assert_eq!(batch.values(0), [1.0, -3.0, 4.0]);
    assert!(batch.numeric(0));
    assert!(batch.values(1).iter().all(|v| v.is_nan()) && !batch.numeric(1));
    assert_eq!(batch.values(2)[0], 2.5);
    assert!(
        !batch.numeric(2),
        "NA and an overflow are not finite numbers"
    );
    assert_eq!(batch.cell(1, 1, 3), "b");
    // Rows of two widths give no columns.
    batch.split(
        b"1,2\n3\n".to_vec(),
        1,
        super::Delimiter::Comma,
        std::path::Path::new("t.csv"),
    );
    batch.by_column();
    assert_eq!(batch.width(), None);
}

#[test]
fn quoted_rows_are_numbered_by_the_line_they_start_on() {
    let cases: [(&[u8], &[usize]); 6] = [
        (b"a\n\nb\n\n\nc", &[1, 3, 6]),
        (b"\"x\ny\",1\n\n\"p\"\n", &[1, 4]),
        (b"a\r\n\r\nb\n", &[1, 3]),
        (b"x\n\ny", &[1, 3]),
        (b"\n\n\"a\nb\"\n\n", &[3]),
        (b"a\n\n\n", &[1]),
    ];
    for (text, lines) in cases {
        let rows = reference(text, super::Delimiter::Comma).expect("reads");
        let found: Vec<usize> = rows.iter().map(|r| r.0).collect();
        assert_eq!(found, lines, "{:?}", String::from_utf8_lossy(text));
    }
    // A row that is not UTF-8, after empty lines, is named by its own line.
    let error = reference(b"\"a\"\n\n\n\xff\n", super::Delimiter::Comma).unwrap_err();
    assert!(error.contains(":4:"), "{error}");
}

#[test]
fn texts_that_once_read_apart_read_as_the_csv_crate_reads() {
    let texts: [&[u8]; 6] = [
        b"\n\n\xff",
        b"\n\"1",
        "\n\u{feff}\"".as_bytes(),
        b"a,b\n\n1,2\n\n\n3,\"4\n5\"\n6,7",
        b"1,2\n3,4\xff\n5,6\n",
        b"x;y\r\n1;2\r\n",
    ];
    for text in texts {
        for d in super::Delimiter::ALL {
            for (block, workers) in [(1, 1), (2, 3), (5, 2), (1 << 20, 1)] {
                let blocks = super::stream::Split { block, workers };
                assert_eq!(
                    split(text, d, blocks),
                    reference(text, d),
                    "{:?} {d:?} {block} {workers}",
                    String::from_utf8_lossy(text)
                );
            }
        }
    }
}
