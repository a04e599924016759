//! The facade end to end: fit, predict, evaluate, save and load, cross-validation of both tasks, and the
//! spec's defaults and refusals.

use nn::{
    ClassScores, Data, Error, Matrix, Model, OptimizerKind, Part, Predicted, Scores, Spec,
    cross_validate,
};

/// y = 3·x₀ − 2·x₁ + 1 plus a little deterministic noise, on a grid of 200 points.
fn linear(m: usize) -> Data {
    let x = Matrix::from_fn(m, 2, |i, j| {
        let t = i as f64 / m as f64;
        if j == 0 {
            t
        } else {
            ((i * 37) % m) as f64 / m as f64
        }
    });
    let y: Vec<f64> = (0..m)
        .map(|i| 3.0 * x.get(i, 0) - 2.0 * x.get(i, 1) + 1.0 + 0.01 * ((i % 7) as f64 - 3.0))
        .collect();
    Data::values(x, y, "y").unwrap()
}

/// Two separable blobs: class 1 where x₀ + x₁ > 1.
fn blobs(m: usize) -> (Matrix<f64>, Vec<usize>) {
    let x = Matrix::from_fn(m, 2, |i, j| (((i * 13 + j * 29) % 97) as f64) / 97.0 * 2.0);
    let labels = (0..m)
        .map(|i| usize::from(x.get(i, 0) + x.get(i, 1) > 2.0))
        .collect();
    (x, labels)
}

fn adam() -> Spec {
    Spec::default()
        .hidden([8])
        .optimizer(OptimizerKind::Adam)
        .lr(0.01)
        .batch_size(16)
        .epochs(150)
        .seed(3)
}

#[test]
fn cross_validation_scores_a_regression_per_fold() {
    let cv = cross_validate(&adam().split(1.0), &linear(200), 5).unwrap();
    assert_eq!(cv.folds.len(), 5);
    assert_eq!(cv.samples, 200);
    for f in &cv.folds {
        assert_eq!(f.test_rows, 40);
        let Scores::Values { mse, mae, r2 } = f.scores else {
            panic!("fold {}: {:?}", f.fold, f.scores)
        };
        assert!(r2 > 0.95, "fold {}: R² {r2}", f.fold);
        assert!(mse >= 0.0 && mae >= 0.0 && mae * mae <= mse + 1e-12);
    }
    let names: Vec<&str> = cv.summary().iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["mse", "mae", "r2"]);
    // Stratifying a regression's folds means nothing, and says so.
    let refused = cross_validate(&adam().stratify(true), &linear(50), 5).unwrap_err();
    assert!(
        matches!(
            refused,
            Error::Setting {
                setting: "stratify",
                ..
            }
        ),
        "{refused}"
    );
}

#[test]
fn cross_validation_scores_a_classifier_per_fold() {
    let (x, labels) = blobs(120);
    let data = Data::classes(x, labels, vec!["a".into(), "b".into()]).unwrap();
    let cv = cross_validate(&adam().stratify(true), &data, 4).unwrap();
    for f in &cv.folds {
        assert!(f.scores.accuracy().unwrap() > 0.85, "{:?}", f.scores);
    }
    let summary = cv.summary();
    let names: Vec<&str> = summary.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        ["loss", "accuracy", "macro_f1", "weighted_f1", "roc_auc"]
    );
}

#[test]
fn a_model_fitted_in_memory_predicts_scores_and_survives_a_file() {
    let (x, labels) = blobs(200);
    let names = vec!["low".to_string(), "high".to_string()];
    let data = Data::classes(x.clone(), labels.clone(), names).unwrap();
    let model = Model::fit(&adam(), &data).unwrap();
    let test = model
        .metrics(Part::Test)
        .expect("the default split has a test part");
    assert!(test.accuracy > 0.9, "{test:?}");

    let predicted = model.predict(&Data::rows(x.clone())).unwrap();
    let Predicted::Classes(classes) = &predicted.predicted else {
        panic!("a classifier predicts classes")
    };
    // The model keeps its classes sorted by name: "high" is class 0, "low" class 1.
    assert_eq!(model.class_names(), ["high", "low"]);
    let truth: Vec<&str> = labels.iter().map(|&c| ["low", "high"][c]).collect();
    let named = predicted.labels();
    let correct = named.iter().zip(&truth).filter(|(p, t)| p == t).count();
    assert!(correct as f64 / 200.0 > 0.9, "{correct} of 200");
    assert_eq!(named[0], model.class_names()[classes[0]]);
    assert_eq!(predicted.rows, (1..=200).collect::<Vec<_>>());
    let p = model.predict_proba(&Data::rows(x)).unwrap();
    for (i, &class) in classes.iter().enumerate() {
        assert!((p.get(i, 0) + p.get(i, 1) - 1.0).abs() < 1e-12);
        assert_eq!(usize::from(p.get(i, 1) > 0.5), class, "row {i}");
    }
    let scores = model.evaluate(&data).unwrap();
    assert_eq!(scores.accuracy(), Some(correct as f64 / 200.0));

    let path = std::env::temp_dir().join(format!("nn-facade-{}.nnm", std::process::id()));
    model.save(&path).unwrap();
    let back = Model::load(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(back, model);
}

#[test]
fn defaults_resolve_in_one_place() {
    let shape = nn::DataShape {
        features: 4,
        classes: 3,
        rows: 1000,
        regression: false,
    };
    // The defaults are scikit-learn's MLP's: 100 ReLU units from Xavier-uniform weights and biases, Adam at
    // 0.001 on batches of min(200, n). A classification trains on every training row and stops by
    // scikit-learn's rule: the training loss, 11 epochs without a fall of 0.0001 (its count must exceed 10).
    let default = Spec::default().job(shape).unwrap();
    assert_eq!(default.hidden, [100]);
    assert_eq!(default.activation, nn::Activation::Relu);
    assert_eq!(default.config.lr, 0.001);
    assert_eq!(default.config.batch_size, Some(200));
    assert_eq!(default.init, Some(nn::Init::XavierUniformBiases));
    assert_eq!(default.config.lambda, 0.0);
    assert_eq!(default.output, nn::Output::Softmax);
    assert_eq!((default.split.train, default.split.validation), (0.8, 0.0));
    let train_loss = "train-loss".parse().unwrap();
    assert_eq!(default.config.selection, train_loss);
    assert_eq!(default.config.patience, Some(11));
    assert_eq!(default.config.min_delta, 1e-4);
    // A regression keeps 10% of the rows for validation and stops early (10 epochs or 300 steps'
    // patience) on their loss.
    let values = nn::DataShape {
        classes: 1,
        regression: true,
        ..shape
    };
    let job = Spec::default().job(values).unwrap();
    assert_eq!((job.split.train, job.split.validation), (0.7, 0.1));
    assert_eq!(job.config.selection, nn::Selection::VAL_LOSS);
    assert_eq!(job.config.patience, Some(75)); // 4 steps an epoch: 300 steps
    assert_eq!(job.config.min_delta, 0.0);
    // A split or a selection given leaves scikit-learn's rule: with a validation part, early stopping on
    // its loss.
    let held = Spec::default().split((0.7, 0.1)).job(shape).unwrap();
    assert_eq!(held.config.selection, nn::Selection::VAL_LOSS);
    assert_eq!(
        (held.config.patience, held.config.min_delta),
        (Some(75), 0.0)
    );
    // A selection that reads the validation part gets one by default; another does not.
    let val_acc = Spec::default().select("val-acc".parse().unwrap());
    let job = val_acc.job(shape).unwrap();
    assert_eq!((job.split.train, job.split.validation), (0.7, 0.1));
    assert_eq!(job.config.patience, Some(75));
    let last = Spec::default()
        .select(nn::Selection::Last)
        .job(shape)
        .unwrap();
    assert_eq!((last.split.train, last.split.validation), (0.8, 0.0));
    assert_eq!(last.config.patience, None);
    // Batches on a small training part: all of it (70 of 100 rows), and the patience then 300 epochs of
    // one step each.
    let small = nn::DataShape { rows: 100, ..shape };
    let small = Spec::default().split((0.7, 0.1)).job(small).unwrap();
    assert_eq!(
        (small.config.batch_size, small.config.patience),
        (None, Some(300))
    );
    let gd = Spec::default()
        .optimizer(OptimizerKind::Gd)
        .batch_size(nn::BatchSize::Full);
    let gd = gd.job(shape).unwrap();
    assert_eq!((gd.config.lr, gd.config.batch_size), (0.1, None));
    // Without a validation part: the last epoch is kept, and nothing stops early unless asked.
    let adam = Spec::default().split(0.8);
    let job = adam.job(shape).unwrap();
    assert_eq!(job.config.selection, nn::Selection::Last);
    assert_eq!(job.config.patience, None);
    for (asked, got) in [(0, None), (3, Some(3))] {
        let job = Spec::default().patience(asked).job(shape).unwrap();
        assert_eq!(job.config.patience, got, "patience {asked}");
    }
    let two = nn::DataShape {
        classes: 2,
        ..shape
    };
    assert_eq!(
        Spec::default().job(two).unwrap().output,
        nn::Output::Sigmoid
    );
    let regression = nn::DataShape {
        classes: 1,
        regression: true,
        ..shape
    };
    assert_eq!(
        Spec::default().job(regression).unwrap().output,
        nn::Output::Identity
    );
    let refused = Spec::default()
        .select("val-acc".parse().unwrap())
        .job(regression)
        .unwrap_err();
    assert_eq!(
        refused.to_string(),
        "select val-acc: a regression model has no accuracy (use a -loss or -r2 rule)"
    );
    // The spec a job records gives the same job back.
    assert_eq!(Spec::from_job(&job).job(shape).unwrap(), job);
}

/// Each fold's input pipeline is fitted on its training rows only. A category that one row alone holds is
/// known to the folds that train on that row and unknown to the one that holds it out: that fold's network
/// has one input fewer. A pipeline fitted on every row (a leak) would give every fold the same inputs.
#[test]
fn each_fold_fits_its_pipeline_on_its_training_rows_only() {
    let dir = std::env::temp_dir().join(format!("nn-facade-cv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut text = String::from("x,colour,kind\n");
    for i in 0..40 {
        let colour = if i == 17 {
            "violet"
        } else {
            ["red", "blue"][i % 2]
        };
        text.push_str(&format!(
            "{},{colour},{}\n",
            i as f64 / 40.0,
            ["a", "b"][(i / 2) % 2]
        ));
    }
    let path = dir.join("colours.csv");
    std::fs::write(&path, text).unwrap();
    let cv = cross_validate(&adam().epochs(5).split(1.0), &Data::file(&path), 4).unwrap();
    let mut inputs: Vec<usize> = cv.folds.iter().map(|f| f.inputs).collect();
    inputs.sort_unstable();
    // x and one input per colour: red, blue, and violet where a fold trained on it.
    assert_eq!(inputs, [3, 4, 4, 4]);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `m` rows, one in ten of class 1: class 0 ~ N((0, 0), I), class 1 ~ N((1.5, 1.5), I), drawn by Box–Muller
/// from the R₂ low-discrepancy sequence (Roberts, 2018) started at `offset`, so the set is fixed without an RNG.
fn imbalanced(m: usize, offset: f64) -> Data {
    let frac = |v: f64| v - v.floor();
    let (mut rows, mut labels) = (Vec::with_capacity(2 * m), Vec::with_capacity(m));
    for i in 0..m {
        let u = frac(offset + i as f64 * 0.754_877_666_246_692_8).max(1e-12);
        let v = frac(offset + i as f64 * 0.569_840_290_998_053_3);
        let r = (-2.0 * u.ln()).sqrt();
        let (a, b) = (
            r * (std::f64::consts::TAU * v).cos(),
            r * (std::f64::consts::TAU * v).sin(),
        );
        let class = usize::from(i % 10 == 0);
        let mean = 1.5 * class as f64;
        rows.extend([a + mean, b + mean]);
        labels.push(class);
    }
    let x = Matrix::from_row_major(m, 2, &rows);
    Data::classes(x, labels, vec!["common".into(), "rare".into()]).unwrap()
}

/// `--class-weight balanced` on a 9:1 set: the rare class's recall on held-out rows rises well above the
/// unweighted model's (about 0.5 against 0.85 for the Bayes rules of the two objectives), and the model file
/// keeps the setting.
#[test]
fn balanced_class_weights_raise_the_rare_class_recall() {
    let spec = Spec::default()
        .hidden([8])
        .optimizer(OptimizerKind::Adam)
        .lr(0.01)
        .batch_size(32)
        .epochs(60)
        .seed(1);
    let (train, test) = (imbalanced(2000, 0.5), imbalanced(2000, 0.25));
    let rare_recall = |spec: &Spec| {
        let model = Model::fit(spec, &train).unwrap();
        let Scores::Classes(ClassScores { confusion, .. }) = model.evaluate(&test).unwrap() else {
            panic!("a classifier's scores")
        };
        (
            model,
            confusion[1][1] as f64 / confusion[1].iter().sum::<usize>() as f64,
        )
    };
    let (_, plain) = rare_recall(&spec);
    let balanced_spec = spec.clone().class_weight(nn::ClassWeight::Balanced);
    let (model, balanced) = rare_recall(&balanced_spec);
    eprintln!("rare recall: unweighted {plain}, balanced {balanced}");
    assert!(plain < 0.65, "unweighted recall of the rare class: {plain}");
    assert!(
        balanced > plain + 0.2,
        "balanced {balanced} against unweighted {plain}"
    );
    // The setting is in the model file: a resumed run compares it like any other.
    let dir = std::env::temp_dir().join(format!("nn-class-weight-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("m.nnm");
    model.save(&path).unwrap();
    let saved = Model::load(&path).unwrap();
    assert_eq!(
        saved.spec().map(|s| s.class_weight),
        Some(nn::ClassWeight::Balanced)
    );
    std::fs::remove_dir_all(&dir).unwrap();
    // Regression has no classes to weigh.
    let err = Model::fit(&balanced_spec, &linear(50)).unwrap_err();
    assert!(err.to_string().contains("class-weight"), "{err}");
}

/// nn's kernels and products give the same bits at every instruction-set level this CPU has: models trained
/// with `Spec::simd` pinning the portable level and each wider one are byte for byte the same file but for
/// the level it records, for full-batch gradient descent (the packed forward kernel) and Adam on
/// mini-batches, in f64 and f32.
#[test]
fn training_gives_the_same_bytes_at_every_simd_level() {
    use nn_linalg::simd::{self, Level};
    let x = Matrix::from_fn(300, 30, |i, j| {
        (((i * 17 + j * 31) % 101) as f64) / 50.0 - 1.0
    });
    let labels = (0..300)
        .map(|i| {
            (x.get(i, 0) + x.get(i, 7) - x.get(i, 19) > 0.0) as usize
                + usize::from(x.get(i, 3) > 0.5)
        })
        .collect();
    let names = ["a", "b", "c"].map(String::from).to_vec();
    let data = Data::classes(x, labels, names).unwrap();
    let gd = Spec::default()
        .hidden([40, 20])
        .optimizer(OptimizerKind::Gd)
        .batch_size(nn::BatchSize::Full)
        .epochs(30);
    let specs = [
        gd.clone(),
        gd.precision(nn::Precision::F32),
        adam().hidden([40, 20]).epochs(10),
    ];
    // The spec pins the level for the fit alone; the file records it, and is otherwise the same bytes.
    let fit_at = |level: Level| -> Vec<Vec<u8>> {
        (specs.iter())
            .map(|spec| {
                let model = Model::fit(&spec.clone().simd(level), &data).unwrap();
                assert_eq!(simd::level(), Level::widest(), "the fit put the level back");
                let read = Model::from_bytes(&model.to_bytes().unwrap()).unwrap();
                let mut file = read.file().clone();
                let run = &mut file.training.as_mut().unwrap().run;
                assert_eq!(run.simd, Some(level), "the file names the level");
                run.simd = None;
                file.to_bytes().unwrap()
            })
            .collect()
    };
    let portable = fit_at(Level::Portable);
    for level in [Level::Avx2, Level::Avx512]
        .into_iter()
        .filter(|l| l.available())
    {
        assert!(
            fit_at(level) == portable,
            "{} trains other bits",
            level.name()
        );
    }
}
