//! [`Simd`], the text form of a SIMD level setting.

use std::fmt;
use std::str::FromStr;

/// `--simd`: the instruction-set level of the products and element-wise passes. `auto` (`Simd(None)`) is the
/// widest this CPU has; a [`Level`](nn_linalg::simd::Level) pins one (refused where the CPU lacks it). Every
/// level gives the same bits, so a pinned level changes the speed only.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Simd(pub Option<nn_linalg::simd::Level>);

impl Simd {
    /// The choices, as `--help` lists them.
    pub const NAMES: [&str; 4] = ["auto", "avx512", "avx2", "portable"];
}

impl FromStr for Simd {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(Simd(None)),
            _ => s.parse().map(|l| Simd(Some(l))).map_err(|_| {
                format!(
                    "unknown SIMD level '{s}' (expected one of: {})",
                    Simd::NAMES.join(", ")
                )
            }),
        }
    }
}

impl From<nn_linalg::simd::Level> for Simd {
    fn from(level: nn_linalg::simd::Level) -> Simd {
        Simd(Some(level))
    }
}

impl fmt::Display for Simd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.map_or("auto", |l| l.name()))
    }
}
