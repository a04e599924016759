//! Every export read back by code nn did not write: ONNX graphs run in tract, safetensors files parsed by the
//! safetensors crate, Θ MAT-files by the matfile crate (through nn-data). Models are made here, over every
//! activation, output, precision and scaling, so these run without the datasets; the `nn` binary's tests
//! repeat the ONNX check on models trained on the report's two files.

mod support;

use nn_core::{Activation, Output};
use nn_data::{ClassMap, LabelScheme, MatFile, Standardizer};
use nn_export::{Dtype, ExportError, Format, Options, onnx, theta};
use nn_linalg::Matrix;
use nn_train::Precision;
use std::path::Path;
use support::models::{features, max_abs_diff, model, nn_probabilities};
use support::tract;

#[test]
fn onnx_graphs_match_nn_in_tract() {
    let x = features(3);
    let mut checked = 0;
    for hidden in [&[][..], &[5], &[6, 4]] {
        for activation in Activation::ALL {
            for (n_outputs, output) in [
                (1, Output::Sigmoid),
                (3, Output::Sigmoid),
                (3, Output::Softmax),
            ] {
                for precision in [Precision::F64, Precision::F32] {
                    for standardize in [true, false] {
                        let m = model(
                            (hidden, activation, n_outputs, output),
                            precision,
                            &x,
                            standardize,
                        );
                        let ours = nn_probabilities(&m, &x);
                        let labels: Vec<i64> = nn_train::job::predict(&m, &x)
                            .unwrap()
                            .into_iter()
                            .map(|c| c as i64)
                            .collect();
                        for dtype in Dtype::ALL {
                            for fold in [false, true] {
                                if fold && !standardize {
                                    continue;
                                }
                                let options = Options {
                                    dtype: Some(dtype),
                                    fold_standardizer: fold,
                                };
                                let bytes =
                                    nn_export::export(&m, Format::Onnx, &options).unwrap().bytes;
                                let (p, l) = tract::run(&bytes, &x, dtype == Dtype::F64);
                                let what = format!(
                                    "{} {precision} {dtype} standardize={standardize} fold={fold}",
                                    m.network.architecture().describe()
                                );
                                // f32 graphs: rounding of f32 arithmetic; f64 graphs of f32-trained models:
                                // nn computes those in f32.
                                let tolerance = match (dtype, precision) {
                                    (Dtype::F64, Precision::F64) => 1e-12,
                                    _ => 1e-5,
                                };
                                let diff = max_abs_diff(&p, &ours);
                                assert!(diff <= tolerance, "{what}: max |Δp| = {diff:e}");
                                assert_eq!(l, labels, "{what}: labels");
                                checked += 1;
                            }
                        }
                    }
                }
            }
        }
    }
    assert_eq!(checked, 3 * Activation::ALL.len() * 3 * 2 * (2 * 2 + 2));
}

/// A regression model's graph (identity output, the target's scaling folded into the last layer) gives, in
/// tract, the values `nn predict` gives in the target's units: with and without a hidden layer, standardised
/// features or not, folded or not, in f64 and f32.
#[test]
fn regression_onnx_graphs_give_nn_s_values_in_tract() {
    let x = features(3);
    let target = Matrix::from_fn(x.rows(), 1, |i, _| 1000.0 + 250.0 * (i as f64 * 0.21).cos());
    let mut checked = 0;
    for hidden in [&[][..], &[5]] {
        for standardize in [true, false] {
            let mut m = model(
                (hidden, Activation::Tanh, 1, Output::Identity),
                Precision::F64,
                &x,
                standardize,
            );
            m.classes = ClassMap::named(vec!["price".into()]);
            m.target_scale = Some(Standardizer::fit(&target));
            let ours = nn_train::job::predict_values(&m, &x).unwrap();
            let ours: Vec<Vec<f64>> = (0..ours.rows()).map(|i| ours.row_to_vec(i)).collect();
            for dtype in Dtype::ALL {
                for fold in [false, true] {
                    if fold && !standardize {
                        continue; // nothing to fold (refused; see exports_refuse_what_they_cannot_write)
                    }
                    let options = Options {
                        dtype: Some(dtype),
                        fold_standardizer: fold,
                    };
                    let bytes = nn_export::export(&m, Format::Onnx, &options).unwrap().bytes;
                    let values = tract::values(&bytes, &x, dtype == Dtype::F64);
                    // Values near 1000: f32 keeps about 7 digits.
                    let tolerance = if dtype == Dtype::F64 { 1e-9 } else { 1e-2 };
                    let diff = max_abs_diff(&values, &ours);
                    assert!(
                        diff <= tolerance,
                        "{hidden:?} {dtype} fold={fold}: {diff:e}"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 2 * 2 * (2 + 1));
}

#[test]
fn onnx_file_declares_its_interface_and_metadata() {
    let x = features(4);
    let m = model(
        (&[5], Activation::Tanh, 3, Output::Softmax),
        Precision::F64,
        &x,
        true,
    );
    let bytes = nn_export::export(&m, Format::Onnx, &Options::default())
        .unwrap()
        .bytes;
    let proto = onnx::decode(&bytes).unwrap();
    assert_eq!(proto.ir_version, onnx::IR_VERSION);
    assert_eq!(proto.opset_import[0].version, onnx::OPSET);
    let graph = proto.graph.unwrap();
    assert_eq!(graph.input.len(), 1);
    assert_eq!(graph.input[0].name, onnx::INPUT);
    let outputs: Vec<&str> = graph.output.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(outputs, [onnx::PROBABILITIES, onnx::LABEL]);
    let ops: Vec<&str> = graph.node.iter().map(|n| n.op_type.as_str()).collect();
    assert_eq!(
        ops,
        [
            "Sub", "Div", "MatMul", "Add", "Tanh", "MatMul", "Add", "Softmax", "ArgMax"
        ]
    );
    let meta: std::collections::HashMap<_, _> = proto
        .metadata_props
        .iter()
        .map(|e| (e.key.as_str(), e.value.as_str()))
        .collect();
    assert_eq!(meta["class_names"], r#"["0","1","2"]"#);
    assert_eq!(meta["architecture"], m.network.architecture().describe());
    assert_eq!(meta["nn_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(meta["dtype"], "f32");
    // Folded: no scaling nodes, and the metadata says why.
    let folded = Options {
        dtype: None,
        fold_standardizer: true,
    };
    let proto = onnx::decode(&nn_export::export(&m, Format::Onnx, &folded).unwrap().bytes).unwrap();
    assert_eq!(proto.graph.unwrap().node[0].op_type, "MatMul");
}

#[test]
fn safetensors_hold_the_weights_bit_for_bit_in_pytorch_layout() {
    let x = features(3);
    let m = model(
        (&[5, 4], Activation::Sigmoid, 3, Output::Softmax),
        Precision::F64,
        &x,
        true,
    );
    for dtype in Dtype::ALL {
        let options = Options {
            dtype: Some(dtype),
            fold_standardizer: false,
        };
        let bytes = nn_export::export(&m, Format::Safetensors, &options)
            .unwrap()
            .bytes;
        let file = safetensors::SafeTensors::deserialize(&bytes).unwrap();
        let mut names = file.names();
        names.sort();
        assert_eq!(
            names,
            [
                "0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight"
            ]
        );
        for (l, layer) in m.network.layers().iter().enumerate() {
            let w = file.tensor(&format!("{}.weight", 2 * l)).unwrap();
            assert_eq!(
                w.shape(),
                [layer.n_out(), layer.n_in()],
                "nn.Linear's [out, in]"
            );
            let b = file.tensor(&format!("{}.bias", 2 * l)).unwrap();
            assert_eq!(b.shape(), [layer.n_out()]);
            // Element (j, i) of weight is W[i][j]; compare every bit in the file's dtype.
            let expected_w: Vec<f64> = layer.weights.transpose().to_row_major();
            assert_eq!(decode(w.data(), dtype), bits(&expected_w, dtype));
            assert_eq!(decode(b.data(), dtype), bits(&layer.bias, dtype));
        }
        let (_, meta) = safetensors::SafeTensors::read_metadata(&bytes).unwrap();
        let info = meta.metadata().as_ref().unwrap();
        assert_eq!(info["format"], "pt");
        assert_eq!(
            info["torch_module"],
            "nn.Sequential(nn.Linear(3, 5), nn.Sigmoid(), nn.Linear(5, 4), nn.Sigmoid(), nn.Linear(4, 3))"
        );
        let mean: Vec<f64> = serde_json::from_str(&info["standardizer_mean"]).unwrap();
        assert_eq!(
            mean,
            m.standardizer.mean(),
            "f64 values survive JSON exactly"
        );
        let std: Vec<f64> = serde_json::from_str(&info["standardizer_std"]).unwrap();
        assert_eq!(std, m.standardizer.scale());
    }
}

/// The bits of each value stored as `dtype`.
fn bits(values: &[f64], dtype: Dtype) -> Vec<u64> {
    values
        .iter()
        .map(|&v| match dtype {
            Dtype::F32 => u64::from((v as f32).to_bits()),
            Dtype::F64 => v.to_bits(),
        })
        .collect()
}

fn decode(bytes: &[u8], dtype: Dtype) -> Vec<u64> {
    match dtype {
        Dtype::F32 => bytes
            .chunks_exact(4)
            .map(|c| u64::from(u32::from_le_bytes(c.try_into().unwrap())))
            .collect(),
        Dtype::F64 => bytes
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
            .collect(),
    }
}

#[test]
fn theta_files_read_back_and_import_to_the_same_model() {
    let x = features(4);
    let mut m = model(
        (&[5], Activation::Sigmoid, 10, Output::Sigmoid),
        Precision::F64,
        &x,
        true,
    );
    m.classes = ClassMap::digits10();
    let options = Options {
        dtype: None,
        fold_standardizer: true,
    };
    let exported = nn_export::export(&m, Format::Theta, &options).unwrap();
    assert!(
        exported.notes.iter().any(|n| n.contains("course's order")),
        "{:?}",
        exported.notes
    );
    // Read by the matfile crate (through nn-data's reader), in the course's layout.
    let file = MatFile::from_bytes(exported.bytes, Path::new("theta.mat")).unwrap();
    assert_eq!(file.names(), ["Theta1", "Theta2"]);
    let t1 = file.matrix("Theta1").unwrap();
    let t2 = file.matrix("Theta2").unwrap();
    assert_eq!(t1.shape(), (5, 5), "n_out × (n_in + 1)");
    assert_eq!(t2.shape(), (10, 6));
    // Digit 0 (class 0) is label 10: the course's unit 9. Digit d is unit d − 1.
    let out = &m.network.layers()[1];
    assert_eq!(t2.get(9, 0), out.bias[0]);
    assert_eq!(t2.get(0, 3), out.weights.get(2, 1));
    // Imported back as the course's digits: the same model on raw features, to rounding of the fold.
    let back = theta::import(&[t1, t2], LabelScheme::Digits10).unwrap();
    assert_eq!(back.classes, m.classes);
    assert!(back.standardizer.is_identity());
    let diff = max_abs_diff(&nn_probabilities(&back, &x), &nn_probabilities(&m, &x));
    assert!(diff < 1e-12, "max |Δp| = {diff:e}");
    assert_eq!(
        nn_train::job::predict(&back, &x).unwrap(),
        nn_train::job::predict(&m, &x).unwrap()
    );
}

#[test]
fn exports_refuse_what_they_cannot_write() {
    let x = features(2);
    let tanh = model(
        (&[3], Activation::Tanh, 1, Output::Sigmoid),
        Precision::F64,
        &x,
        true,
    );
    let raw = model(
        (&[3], Activation::Sigmoid, 1, Output::Sigmoid),
        Precision::F64,
        &x,
        false,
    );
    let err = nn_export::export(&tanh, Format::Theta, &Options::default()).unwrap_err();
    assert!(
        matches!(err, ExportError::ThetaActivation(Activation::Tanh)),
        "{err}"
    );
    let f32 = Options {
        dtype: Some(Dtype::F32),
        fold_standardizer: false,
    };
    let err = nn_export::export(&raw, Format::Theta, &f32).unwrap_err();
    assert!(matches!(err, ExportError::ThetaDtype), "{err}");
    let fold = Options {
        dtype: None,
        fold_standardizer: true,
    };
    for format in Format::ALL {
        let err = nn_export::export(&raw, format, &fold).unwrap_err();
        assert!(matches!(err, ExportError::NothingToFold), "{format}: {err}");
    }
    // A failed write leaves nothing: neither the target nor a temporary file.
    let dir = std::env::temp_dir().join(format!("nn-export-unwritable-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let target = dir.join("missing-subdir").join("model.onnx");
    let err = nn_export::write(&raw, Format::Onnx, &Options::default(), &target).unwrap_err();
    assert!(matches!(err, ExportError::Write { .. }), "{err}");
    assert!(!dir.exists());
}

/// The committed protobuf types were generated from the committed schema: the generated file's first line
/// records the schema's SHA-256 (`tools/onnx-codegen` regenerates both together).
#[test]
fn generated_onnx_types_match_the_schema() {
    use sha2::Digest;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema = std::fs::read(dir.join("proto/onnx.proto")).unwrap();
    let digest: String = sha2::Sha256::digest(&schema)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let generated = std::fs::read_to_string(dir.join("src/pb/onnx.rs")).unwrap();
    let first = generated.lines().next().unwrap();
    assert!(
        first.contains(&format!("SHA-256 {digest}")),
        "src/pb/onnx.rs is stale: run cargo run --manifest-path tools/onnx-codegen/Cargo.toml ({first})"
    );
}
