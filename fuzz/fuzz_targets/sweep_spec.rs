//! Any text given to the sweep spec parser gives a spec or an error naming a line, never a panic; a spec that
//! parses expands into jobs with distinct ids.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(spec) = nn_sweep::Spec::parse(text, "fuzz.toml".as_ref()) else {
        return;
    };
    let _ = spec.swept();
    let points = spec.points();
    // A spec of a million points is a valid spec; expanding it is not what this target measures.
    if points.len() <= 10_000 {
        let jobs = spec.expand();
        let mut ids: Vec<&str> = jobs.iter().map(|j| j.id.as_str()).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n, "two jobs share an id");
    }
});
