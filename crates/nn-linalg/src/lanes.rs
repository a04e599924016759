//! [`Lanes`]: the vector operations the packed kernel (`gemm.rs`) needs, for f32 and f64.

use pulp::Simd;

/// The vector operations the kernel needs, for f32 and f64. Sealed: implemented for those two only.
pub trait Lanes: pulp::bytemuck::Pod {
    /// A vector of `Self` under `S`.
    type V<S: Simd>: Copy + pulp::bytemuck::Pod;
    /// Lanes per vector under `S`.
    fn lanes<S: Simd>() -> usize;
    /// The same value in every lane.
    fn splat<S: Simd>(s: S, v: Self) -> Self::V<S>;
    /// `a·b + c`, rounded once.
    fn mul_add<S: Simd>(s: S, a: Self::V<S>, b: Self::V<S>, c: Self::V<S>) -> Self::V<S>;
    /// The whole vectors at the start of `xs`.
    fn as_simd<S: Simd>(xs: &[Self]) -> &[Self::V<S>];
}

macro_rules! impl_lanes {
    ($t:ty, $v:ident, $lanes:ident, $splat:ident, $mul_add:ident, $as_simd:ident) => {
        impl Lanes for $t {
            type V<S: Simd> = S::$v;
            #[inline(always)]
            fn lanes<S: Simd>() -> usize {
                S::$lanes
            }
            #[inline(always)]
            fn splat<S: Simd>(s: S, v: Self) -> S::$v {
                s.$splat(v)
            }
            #[inline(always)]
            fn mul_add<S: Simd>(s: S, a: S::$v, b: S::$v, c: S::$v) -> S::$v {
                s.$mul_add(a, b, c)
            }
            #[inline(always)]
            fn as_simd<S: Simd>(xs: &[Self]) -> &[S::$v] {
                S::$as_simd(xs).0
            }
        }
    };
}
impl_lanes!(f64, f64s, F64_LANES, splat_f64s, mul_add_f64s, as_simd_f64s);
impl_lanes!(f32, f32s, F32_LANES, splat_f32s, mul_add_f32s, as_simd_f32s);
