//! Any bytes given to the text readers (plain or gzip, detected by the bytes) give a dataset or an error,
//! never a panic; and a schema fitted on a table reads that table back to the same features.
#![no_main]
use libfuzzer_sys::fuzz_target;
use nn_data::{
    LabelScheme, MissingPolicy, PipelineOptions, ReadOptions, Selected, Table, UnknownCategory,
    parse_txt,
};

fuzz_target!(|data: &[u8]| {
    for scheme in [LabelScheme::Auto, LabelScheme::Digits10] {
        let _ = parse_txt(data, "fuzz.txt".as_ref(), scheme);
    }
    // Decimal commas forced, as `--decimal ,` reads a file (detection is what the default reading does).
    let comma = ReadOptions {
        decimal: Some(nn_data::Decimal::Comma),
        ..ReadOptions::default()
    };
    let _ = Table::parse(data, "fuzz.csv".as_ref(), &comma);
    let Ok(table) = Table::parse(data, "fuzz.csv".as_ref(), &ReadOptions::default()) else {
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
            nn_data::Expect::Values
        } else {
            nn_data::Expect::Classes(dataset.classes())
        };
        let again = schema
            .apply(&table, expect, Some(UnknownCategory::Error))
            .expect("a schema reads its own training table");
        assert_eq!(&again.x, dataset.x());
    }
});
