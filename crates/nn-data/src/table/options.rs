//! How a delimited file is read: its delimiter, its decimal mark, and the options that say which to detect.

use crate::limits::Limits;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// How fields are separated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Delimiter {
    /// `,`
    Comma,
    /// `;`
    Semicolon,
    /// A tab.
    Tab,
    /// Runs of spaces and tabs (no quoting).
    Whitespace,
}

impl Delimiter {
    /// Every delimiter, in the order detection tries them (whitespace last).
    pub const ALL: [Delimiter; 4] = [
        Delimiter::Comma,
        Delimiter::Tab,
        Delimiter::Semicolon,
        Delimiter::Whitespace,
    ];

    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Delimiter::Comma => "comma",
            Delimiter::Semicolon => "semicolon",
            Delimiter::Tab => "tab",
            Delimiter::Whitespace => "whitespace",
        }
    }

    pub(super) fn byte(self) -> Option<u8> {
        match self {
            Delimiter::Comma => Some(b','),
            Delimiter::Semicolon => Some(b';'),
            Delimiter::Tab => Some(b'\t'),
            Delimiter::Whitespace => None,
        }
    }
}

impl FromStr for Delimiter {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let by_char = match s {
            "," => Some(Delimiter::Comma),
            ";" => Some(Delimiter::Semicolon),
            "\t" | "\\t" => Some(Delimiter::Tab),
            " " => Some(Delimiter::Whitespace),
            _ => None,
        };
        by_char
            .or_else(|| Self::ALL.into_iter().find(|d| d.name() == s))
            .ok_or_else(|| {
                let names = Self::ALL.map(Self::name).join(", ");
                format!(
                    "unknown delimiter '{s}' (expected one of: {names}, or the character itself)"
                )
            })
    }
}

impl std::fmt::Display for Delimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The decimal mark of a file's numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decimal {
    /// `1.5`.
    Dot,
    /// `1,5`, as spreadsheets write numbers in much of Europe (with `;` between the fields).
    Comma,
}

nn_linalg::text_names!(Decimal, "decimal mark", { Dot => ".", Comma => "," });

/// How to read a delimited text file; `None` means detect.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// The delimiter, or `None` to detect it.
    pub delimiter: Option<Delimiter>,
    /// Whether the first row is a header, or `None` to detect it.
    pub header: Option<bool>,
    /// The decimal mark, or `None`: a comma when the fields are split by `;` and the numeric-looking cells
    /// are `-?digits,digits`, else a dot.
    pub decimal: Option<Decimal>,
    /// Bounds on the text, lines, rows, columns and cells.
    pub limits: Limits,
}
