//! The real datasets load with exactly the shapes, counts and ranges that ../shared/data/README.md states.
//! They run whenever the data is found, fail under CI when it is not, and are reported as ignored otherwise
//! (see `support/datasets.rs`).

#[path = "support/datasets.rs"]
mod datasets;
use datasets::trial;
use nn_data::{DataError, Image, LabelScheme, MatFile, PixelOrder, load_idx, load_mat, load_txt};
use std::io::Read;
use std::path::Path;

fn min_max(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    })
}

fn main() {
    datasets::run(vec![
        trial("classification2_txt", &["classification2.txt"], |p| {
            classification2_txt(&p[0])
        }),
        trial(
            "classification3_mat_digits",
            &["classification3.mat"],
            |p| classification3_mat_digits(&p[0]),
        ),
        trial(
            "truncated_original_is_a_clear_error_and_agrees_with_the_reconstruction",
            &["ex3data1-original-truncated.mat", "classification3.mat"],
            |p| truncated_original(&p[0], &p[1]),
        ),
        trial("ex4weights_thetas", &["ex4weights.mat"], |p| {
            ex4weights_thetas(&p[0])
        }),
        trial(
            "mnist_first_10k_idx",
            &[
                "mnist-first10k-images-idx3-ubyte.gz",
                "mnist-first10k-labels-idx1-ubyte.gz",
            ],
            |p| mnist_first_10k_idx(&p[0], &p[1]),
        ),
    ]);
}

fn classification2_txt(path: &Path) {
    let d = load_txt(path, LabelScheme::Auto).unwrap();
    assert_eq!((d.len(), d.features()), (118, 2));
    assert_eq!(d.class_counts(), vec![60, 58]);
    assert!(d.labels()[..58].iter().all(|&c| c == 1) && d.labels()[58..].iter().all(|&c| c == 0));
    assert_eq!(min_max(d.x().col(0).iter().copied()), (-0.83007, 1.0709));
    assert_eq!(min_max(d.x().col(1).iter().copied()), (-0.76974, 1.1089));
}

/// Sample 1 of classification3.mat as ASCII art, from ../shared/data/README.md ("read back from
/// classification3.mat", upright).
const SAMPLE_1_ART: [&str; 20] = [
    "|                    |",
    "|                    |",
    "|            .       |",
    "|          .*@*.     |",
    "|         .#@@@=     |",
    "|        :#@@#*@-    |",
    "|       .@@%%%-%+    |",
    "|      .#@#.-: ##    |",
    "|      *@+:    #@:   |",
    "|     -@=      #@-   |",
    "|     %%       #@-   |",
    "|    :@+       %#    |",
    "|    :@-     .#%:    |",
    "|    :@:    -%*      |",
    "|    :@*..=#@#.      |",
    "|    :@@@@@%=        |",
    "|     =@@@+.         |",
    "|      ...           |",
    "|                    |",
    "|                    |",
];

fn classification3_mat_digits(path: &Path) {
    let d = load_mat(path, "X", "y", LabelScheme::Digits10).unwrap();
    assert_eq!((d.len(), d.features()), (5000, 400));
    assert_eq!(d.class_counts(), vec![500; 10]);
    // Rows 1–500 are label 10 (digit 0), then 1, 2, …, 9 in blocks of 500.
    for (block, digit) in (0..10).enumerate() {
        assert!(
            d.labels()[block * 500..(block + 1) * 500]
                .iter()
                .all(|&c| c == digit),
            "block {block}"
        );
    }
    let all = (0..400).flat_map(|j| d.x().col(j).to_vec());
    assert_eq!(min_max(all), (-0.13196323019852488, 1.127688299158888));
    let zeros = (0..400)
        .map(|j| d.x().col(j).iter().filter(|&&v| v == 0.0).count())
        .sum::<usize>();
    assert!((zeros as f64 / 2e6 - 0.525).abs() < 0.0005, "{zeros} zeros");
    // Auto reads the same labels as 1..10 shifted down: class 9 is label 10.
    let auto = load_mat(path, "X", "y", LabelScheme::Auto).unwrap();
    assert_eq!(auto.labels()[0], 9);
    // Upright: sample 1 rendered as text matches the ASCII art that ../shared/data/README.md gives for it.
    let img = Image::from_row(&d.x().row_to_vec(0), 20, 20, PixelOrder::ColumnMajor).unwrap();
    // The README's art quantises brightness slightly differently, so compare levels to within one step; a
    // transposed or flipped image misses by far more.
    const RAMP: &str = " .:-=+*#%@";
    let level = |ch: char| RAMP.find(ch).unwrap() as i32;
    let ascii = img.to_ascii();
    for (r, (ours, theirs)) in ascii.lines().zip(SAMPLE_1_ART).enumerate() {
        for (c, (a, b)) in ours
            .chars()
            .zip(theirs.chars())
            .enumerate()
            .filter(|(_, (a, _))| *a != '|')
        {
            assert!(
                (level(a) - level(b)).abs() <= 1,
                "row {r} col {c}: '{a}' vs '{b}'\n{ascii}"
            );
        }
    }
    let transposed = Image::from_row(&d.x().row_to_vec(0), 20, 20, PixelOrder::RowMajor)
        .unwrap()
        .to_ascii();
    assert_ne!(transposed.lines().collect::<Vec<_>>(), SAMPLE_1_ART);
}

/// The truncated original is a clear error; and its decodable prefix checks our column-major reading of the
/// reconstruction against the genuine bytes (the README says ≥ 99.9% agree to 1e-12).
fn truncated_original(trunc: &Path, recon: &Path) {
    let err = MatFile::open(trunc).err().unwrap();
    assert!(matches!(err, DataError::MatTruncated { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("variable 'X'") && msg.contains("declares 7511543 bytes"),
        "{msg}"
    );

    let bytes = std::fs::read(trunc).unwrap();
    let mut inflated = Vec::new();
    let _ = flate2::read::ZlibDecoder::new(&bytes[136..]).read_to_end(&mut inflated); // ends early, as expected
    let genuine: Vec<f64> = inflated[56..]
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(genuine.len(), 787_720);
    let x = MatFile::open(recon).unwrap().matrix("X").unwrap();
    let close = genuine
        .iter()
        .enumerate()
        .filter(|&(k, &g)| (x.get(k % 5000, k / 5000) - g).abs() <= 1e-12)
        .count();
    assert!(
        close as f64 / genuine.len() as f64 > 0.999,
        "{close} of {} within 1e-12",
        genuine.len()
    );
}

fn ex4weights_thetas(path: &Path) {
    let f = MatFile::open(path).unwrap();
    assert_eq!(f.matrix("Theta1").unwrap().shape(), (25, 401));
    assert_eq!(f.matrix("Theta2").unwrap().shape(), (10, 26));
    let err = f.matrix("Theta3").unwrap_err();
    assert!(
        err.to_string()
            .contains("variables present: Theta1, Theta2"),
        "{err}"
    );
}

fn mnist_first_10k_idx(images: &Path, labels: &Path) {
    let d = load_idx(images, labels).unwrap();
    assert_eq!((d.len(), d.features()), (10_000, 784));
    assert_eq!(
        d.class_counts(),
        vec![1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]
    );
    let (lo, hi) = min_max((0..784).flat_map(|j| d.x().col(j).to_vec()));
    assert_eq!((lo, hi), (0.0, 1.0));
}
