//! Matrices round-trip through serde, and forged shapes are refused before anything is built.

use nn_linalg::Matrix;

fn config() -> impl bincode::config::Config {
    bincode::config::standard()
}

#[test]
fn round_trip_and_forged_shapes() {
    let m = Matrix::<f64>::from_fn(3, 2, |i, j| (i * 10 + j) as f64);
    let bytes = bincode::serde::encode_to_vec(&m, config()).unwrap();
    let (back, _): (Matrix<f64>, usize) =
        bincode::serde::decode_from_slice(&bytes, config()).unwrap();
    assert_eq!(back, m);

    // (rows, cols, data) encoded by hand: a varint rows, a varint cols, then the data vector.
    let forged = |rows: u64, cols: u64, data: &[f64]| -> Result<Matrix<f64>, String> {
        let bytes = bincode::serde::encode_to_vec((rows, cols, data.to_vec()), config()).unwrap();
        bincode::serde::decode_from_slice::<Matrix<f64>, _>(&bytes, config())
            .map(|(m, _)| m)
            .map_err(|e| e.to_string())
    };
    assert!(
        forged(3, 2, &[1.0; 5])
            .unwrap_err()
            .contains("3×2 holds 5 values")
    );
    // Found by cargo fuzz: zero rows and 2⁴⁰ columns "hold" zero values, and took forever to build. A dimension
    // is refused when it exceeds both the values present and the limit for empty matrices.
    let err = forged(0, 1 << 40, &[]).unwrap_err();
    assert!(err.contains("0×1099511627776 holds 0 values"), "{err}");
    assert!(
        forged(1 << 33, 1 << 33, &[]).is_err(),
        "the product overflows"
    );
    assert_eq!(forged(0, 3, &[]).unwrap().shape(), (0, 3));
}
