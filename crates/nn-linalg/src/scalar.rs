//! The element types a [`Matrix`](crate::Matrix) can hold: `f32` and `f64`.

use std::fmt::{Debug, Display};
use std::iter::Sum;
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

mod sealed {
    /// Carries the faer bound, so that no other crate has to name faer.
    pub trait Sealed: faer::traits::RealField + Copy {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// A real floating-point element type: `f32` or `f64`. Sealed.
///
/// It carries exactly the operations the network needs, so that generic code above this crate reads like
/// ordinary float code.
pub trait Scalar:
    sealed::Sealed
    + crate::lanes::Lanes
    + Copy
    + Default
    + PartialOrd
    + Debug
    + Display
    + Send
    + Sync
    + 'static
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + Sum
    + serde::Serialize
    + serde::de::DeserializeOwned
{
    /// 0.
    const ZERO: Self;
    /// 1.
    const ONE: Self;
    /// The name used in files and on the command line: `"f32"` or `"f64"`.
    const NAME: &'static str;
    /// Nearest value to an `f64`.
    fn from_f64(x: f64) -> Self;
    /// Exact widening (f32) or identity (f64).
    fn to_f64(self) -> f64;
    /// eˣ.
    fn exp(self) -> Self;
    /// ln x.
    fn ln(self) -> Self;
    /// ln(1 + x), accurate near 0.
    fn ln_1p(self) -> Self;
    /// √x.
    fn sqrt(self) -> Self;
    /// |x|.
    fn abs(self) -> Self;
    /// The larger of two values (NaN-ignoring, as [`f64::max`]).
    fn max(self, other: Self) -> Self;
    /// Neither NaN nor infinite.
    fn is_finite(self) -> bool;
    /// `self·a + b`, rounded once (a fused multiply-add; a library call where the CPU has no FMA).
    fn fma(self, a: Self, b: Self) -> Self;
}

/// Methods of one argument that call the primitive's own.
macro_rules! forward {
    ($t:ty: $($name:ident),*) => {$(
        #[inline(always)]
        fn $name(self) -> Self {
            <$t>::$name(self)
        }
    )*};
}

macro_rules! impl_scalar {
    ($t:ty, $exp:path) => {
        impl Scalar for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const NAME: &'static str = stringify!($t);
            #[inline(always)]
            fn from_f64(x: f64) -> Self {
                x as $t
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn exp(self) -> Self {
                $exp(self)
            }
            forward!($t: ln, ln_1p, sqrt, abs);
            #[inline(always)]
            fn max(self, other: Self) -> Self {
                <$t>::max(self, other)
            }
            #[inline(always)]
            fn is_finite(self) -> bool {
                <$t>::is_finite(self)
            }
            #[inline(always)]
            fn fma(self, a: Self, b: Self) -> Self {
                <$t>::mul_add(self, a, b)
            }
        }
    };
}
impl_scalar!(f32, exp_f32);
impl_scalar!(f64, exp_f64);

// A branch-free eˣ that compilers vectorise (std's calls libm once per element).
//
// Range reduction (Cody & Waite): x = n·ln 2 + r with n = round(x / ln 2) and |r| ≤ ln 2 / 2, ln 2 split into a
// high part with trailing zero bits (so n·ln2_hi is exact) and a low correction. Then eʳ by its Taylor
// polynomial, written 1 + r + r²·tail with the tail by Estrin's scheme: its pairs cₖ + cₖ₊₁r are independent, so
// the longest chain of dependent operations is about 11 long instead of Horner's 26 (f64) and a vectorised
// loop overlaps more of its iterations; the 1 is added last, so its rounding comes once. Then 2ⁿ is built from
// its bits. Plain multiplies and adds, not `mul_add`: where
// the CPU has no FMA (or the code is not compiled for it), `mul_add` is a slow libm call, and IEEE multiply and
// add round the same on every machine, so results never depend on the instruction set.
// n is rounded with the "magic number" 1.5·2^52 (2^23 for f32): adding it leaves n in the low mantissa bits.
// Inputs are clamped to the finite range, so the result is never NaN for a number and saturates instead of
// overflowing: exp(1000) is e^709 ≈ 8e307 and exp(−1000) is e^−708.3 ≈ 2e−308 (true values: ∞ and 0).
//
// Accuracy, measured against std over a sweep in the tests: ≤ 2 ulp (f64), ≤ 2 ulp (f32).

/// `[1/0!, 1/1!, …, 1/(N−1)!]` in `$t`, at compile time: each entry is the quotient 1/k! rounded once, as the
/// literal `1.0 / 5040.0` would be (k! itself is exact in `$t` for the k used here).
macro_rules! inverse_factorials {
    ($t:ty, $n:literal) => {{
        let mut c: [$t; $n] = [1.0; $n];
        let mut factorial: $t = 1.0;
        let mut k = 1;
        while k < $n {
            factorial *= k as $t;
            c[k] = 1.0 / factorial;
            k += 1;
        }
        c
    }};
}

#[inline(always)]
fn exp_f64(x: f64) -> f64 {
    const LOG2E: f64 = std::f64::consts::LOG2_E;
    // ln 2 = LN2_HI + LN2_LO, fdlibm's split: LN2_HI has 32 trailing zero bits, so n·LN2_HI is exact.
    const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
    const MAGIC: f64 = 6_755_399_441_055_744.0; // 1.5 · 2^52
    let x = x.clamp(-708.3, 709.0); // n = round(x / ln 2) stays in −1022..=1023
    let t = x * LOG2E + MAGIC;
    let n = t - MAGIC;
    let r = (x - n * LN2_HI) - n * LN2_LO;
    // eʳ = Σ rᵏ/k!, k ≤ 13: the first omitted term is below 4e-18 for |r| ≤ 0.347.
    const C: [f64; 14] = inverse_factorials!(f64, 14);
    // 1 + r + r²·(c₂ + c₃r + (c₄ + c₅r)·r² + (c₆ + c₇r)·r⁴ + (c₈ + c₉r)·r⁶ + …), grouped by r⁴ and r⁸ (Estrin).
    let pair = |k: usize| C[k] + C[k + 1] * r;
    let r2 = r * r;
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    let tail = ((pair(2) + pair(4) * r2) + (pair(6) + pair(8) * r2) * r4)
        + (pair(10) + pair(12) * r2) * r8;
    let p = C[0] + (r + r2 * tail);
    // 2ⁿ: n sits in the low bits of t; move it (plus the bias 1023) into the exponent field. n + 1023 is in
    // 1..2046 after the clamp, so this is a normal number.
    let two_n = f64::from_bits(t.to_bits().wrapping_add(1023) << 52);
    p * two_n
}

#[inline(always)]
fn exp_f32(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_145_75; // 0x3f317200: trailing zero bits
    const LN2_LO: f32 = 1.428_606_8e-6;
    const MAGIC: f32 = 12_582_912.0; // 1.5 · 2^23
    let x = x.clamp(-87.3, 88.0); // n stays in −126..=127
    let t = x * LOG2E + MAGIC;
    let n = t - MAGIC;
    let r = (x - n * LN2_HI) - n * LN2_LO;
    const C: [f32; 8] = inverse_factorials!(f32, 8);
    // 1 + r + r²·(c₂ + c₃r + (c₄ + c₅r)·r² + (c₆ + c₇r)·r⁴) (Estrin).
    let r2 = r * r;
    let tail = (C[2] + C[3] * r) + (C[4] + C[5] * r) * r2 + (C[6] + C[7] * r) * (r2 * r2);
    let p = C[0] + (r + r2 * tail);
    let two_n = f32::from_bits(t.to_bits().wrapping_add(127) << 23);
    p * two_n
}
