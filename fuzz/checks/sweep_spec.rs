//! What the `sweep_spec` fuzz target checks, shared with the replay of its seeds in nn-sweep's tests: any text
//! given to the sweep spec parser gives a spec or an error naming a line, never a panic; a spec that parses
//! expands into jobs with distinct ids.

use std::path::Path;

/// Parses `data` (its bytes read as UTF-8, invalid sequences replaced) as the spec file `path`; panics only
/// where an invariant fails.
pub fn check(data: &[u8], path: &Path) {
    let text = String::from_utf8_lossy(data);
    let Ok(spec) = nn_sweep::Spec::parse(&text, path) else {
        return;
    };
    let _ = spec.swept();
    // A spec of a million points is a valid spec; expanding it is not what this check is for.
    if spec.points().len() <= 10_000 {
        let jobs = spec.expand();
        let ids: std::collections::HashSet<&str> = jobs.iter().map(|j| j.id.as_str()).collect();
        assert_eq!(
            ids.len(),
            jobs.len(),
            "two jobs share an id: {}",
            path.display()
        );
    }
}
