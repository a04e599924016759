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
        assert_eq!(super::trim_cell(cell), cell.trim(), "{cell:?}");
    }
}

proptest! {
    #[test]
    fn any_cell_trims_as_str_trims_it(cell in "\\PC{0,6}|[ \t\u{a0}\u{2003}a-z0-9]{0,6}") {
        prop_assert_eq!(super::trim_cell(&cell), cell.trim());
    }
}
