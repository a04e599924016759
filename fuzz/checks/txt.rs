//! What the `txt` fuzz target checks, shared with the replay of its seeds in nn-data's tests: any bytes given
//! to the text readers (plain or gzip, detected by the bytes) give a dataset or an error, never a panic; and a
//! schema fitted on a table reads that table back to the same features.

use nn_data::{
    Decimal, Expect, LabelScheme, MissingPolicy, PipelineOptions, ReadOptions, Selected, Table,
    UnknownCategory, parse_txt,
};
use std::path::Path;

/// Reads `data` as if it were the file `path`; panics only where an invariant fails.
pub fn check(data: &[u8], path: &Path) {
    for scheme in [LabelScheme::Auto, LabelScheme::Digits10] {
        let _ = parse_txt(data, path, scheme);
    }
    // Decimal commas forced, as `--decimal ,` reads a file (detection is what the default reading does).
    let comma = ReadOptions {
        decimal: Some(Decimal::Comma),
        ..ReadOptions::default()
    };
    let _ = Table::parse(data, path, &comma);
    let Ok(table) = Table::parse(data, path, &ReadOptions::default()) else {
        return;
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
        let again = schema
            .apply(table.clone(), expect, Some(UnknownCategory::Error))
            .expect("a schema reads its own training table");
        assert_eq!(&again.x, dataset.x(), "{}", path.display());
    }
}
