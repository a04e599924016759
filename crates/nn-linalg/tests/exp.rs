//! The vectorisable exp of `Scalar` against std's, over a dense sweep and the edges.

use nn_linalg::Scalar;

fn ulps64(a: f64, b: f64) -> u64 {
    (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
}

fn ulps32(a: f32, b: f32) -> u64 {
    (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
}

#[test]
fn exp_f64_within_2_ulp_of_std() {
    let mut worst = (0, 0.0);
    for i in 0..2_000_000 {
        let x = -708.0 + 1417.0 * (i as f64) / 2e6;
        let u = ulps64(Scalar::exp(x), x.exp());
        if u > worst.0 {
            worst = (u, x);
        }
    }
    assert!(worst.0 <= 2, "{} ulp at x = {}", worst.0, worst.1);
    for x in [0.0, 1e-300, -1e-300, 1.0, -1.0, 0.5, 1e-8] {
        assert!(ulps64(Scalar::exp(x), f64::exp(x)) <= 1, "{x}");
    }
    assert_eq!(Scalar::exp(0.0f64), 1.0);
}

#[test]
fn exp_f32_within_2_ulp_of_std() {
    let mut worst = (0, 0.0);
    for i in 0..2_000_000 {
        let x = -87.0 + 175.0 * (i as f32) / 2e6;
        let u = ulps32(Scalar::exp(x), x.exp());
        if u > worst.0 {
            worst = (u, x);
        }
    }
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
