//! The vectorisable exp of `Scalar` against std's, over a dense sweep and the edges.

use nn_linalg::Scalar;

fn ulps64(a: f64, b: f64) -> u64 {
    (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
}

/// The largest distance in ulps, and where, over 2,000,000 evenly spaced points from `lo` to `hi`, with the
/// points and the distance computed in f64 (an f32 point and its exps are exact in f64).
fn worst_ulps(lo: f64, hi: f64, ulps: impl Fn(f64) -> u64) -> (u64, f64) {
    let mut worst = (0, 0.0);
    for i in 0..2_000_000 {
        let x = lo + (hi - lo) * (i as f64) / 2e6;
        let u = ulps(x);
        if u > worst.0 {
            worst = (u, x);
        }
    }
    worst
}

#[test]
fn exp_f64_within_2_ulp_of_std() {
    let worst = worst_ulps(-708.0, 709.0, |x| ulps64(Scalar::exp(x), x.exp()));
    assert!(worst.0 <= 2, "{} ulp at x = {}", worst.0, worst.1);
    for x in [0.0, 1e-300, -1e-300, 1.0, -1.0, 0.5, 1e-8] {
        assert!(ulps64(Scalar::exp(x), f64::exp(x)) <= 1, "{x}");
    }
    assert_eq!(Scalar::exp(0.0f64), 1.0);
}

#[test]
fn exp_f32_within_2_ulp_of_std() {
    let worst = worst_ulps(-87.0, 88.0, |x| {
        let x = x as f32;
        (Scalar::exp(x).to_bits() as i64 - x.exp().to_bits() as i64).unsigned_abs()
    });
    assert!(worst.0 <= 2, "{} ulp at x = {}", worst.0, worst.1);
}

#[test]
fn exp_saturates_instead_of_overflowing() {
    for x in [1000.0f64, 1e300, f64::MAX, f64::INFINITY] {
        let e = Scalar::exp(x);
        assert!(e.is_finite() && e > 1e307, "exp({x}) = {e}");
    }
    for x in [-1000.0f64, -1e300, f64::NEG_INFINITY] {
        let e = Scalar::exp(x);
        assert!((0.0..1e-307).contains(&e), "exp({x}) = {e}");
    }
    assert!(Scalar::exp(200.0f32).is_finite() && Scalar::exp(-200.0f32) >= 0.0);
    assert!(
        Scalar::exp(f64::NAN).is_nan(),
        "NaN stays NaN, so divergence is still detected"
    );
}
