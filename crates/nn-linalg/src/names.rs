//! [`text_names!`](crate::text_names): `FromStr` and `Display` for the enums that have a name on the command
//! line, here because every crate of the workspace depends on this one.

/// `FromStr` and `Display` for an enum with `ALL` (every value, in `--help`'s order) and `name(self)`, the
/// one place each name is written. An unknown name is refused with the names there are:
/// `unknown WHAT 'x' (expected one of: a, b, c)`.
///
/// Given the variants and their names, `text_names!(Ty, "what", { A => "a", B => "b" })` also writes `ALL`
/// (in that order) and `name`.
#[macro_export]
macro_rules! text_names {
    ($ty:ident, $what:literal, { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// Every value, in the order `--help` lists them.
            pub const ALL: [$ty; [$($name),+].len()] = [$($ty::$variant),+];

            /// The value's name on the command line and in files.
            pub fn name(self) -> &'static str {
                match self {
                    $($ty::$variant => $name),+
                }
            }
        }

        $crate::text_names!($ty, $what);
    };
    ($ty:ty, $what:literal) => {
        impl ::std::str::FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.name() == s)
                    .ok_or_else(|| {
                        let names: Vec<&str> = Self::ALL.iter().map(|v| v.name()).collect();
                        format!(
                            "unknown {} '{s}' (expected one of: {})",
                            $what,
                            names.join(", ")
                        )
                    })
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}
