//! Model file bodies that decode but do not fit themselves: each is refused by the loader with its own cause,
//! and the writer refuses to write it.

use crate::bad_files::{adam_run, invalid, with_body};
use crate::common::model_file;
use nn_train::*;

/// A body that decodes but does not fit itself is refused by the loader, naming the cause; and the writer
/// refuses to write it.
#[test]
fn every_inconsistent_body_is_refused_by_the_loader_and_the_writer() {
    let good = model_file(&adam_run()).to_bytes().unwrap();
    for (what, edit, expected, case) in bad_bodies() {
        let bytes = with_body(&good, edit);
        let cause = invalid(&bytes);
        assert!(case(&cause), "{what}: {cause:?}");
        assert!(cause.to_string().contains(expected), "{what}: {cause}");
        // The writer refuses to write what the loader would refuse. (The body, then the appendix's fields,
        // which the `ModelFile`'s own encoding skips: see `forge`.)
        type Appendix = (
            Option<nn_data::Schema>,
            Option<nn_core::Init>,
            Option<nn_data::Standardizer>,
            f64,
            Option<Shift>,
        );
        let (mut c, (schema, init, target_scale, dropout, shift)): (ModelFile, Appendix) =
            bincode::serde::decode_from_slice(
                &bytes[20..bytes.len() - 32],
                bincode::config::standard(),
            )
            .unwrap()
            .0;
        (c.schema, c.target_scale) = (schema, target_scale);
        if let Some(t) = &mut c.training {
            (t.run.init, t.run.dropout, t.run.shift) = (init, dropout, shift);
        }
        assert!(
            matches!(c.to_bytes(), Err(ModelFileProblem::Invalid(ref s)) if s == &cause),
            "{what}: the writer wrote it"
        );
    }
}

type Edit = Box<dyn FnOnce(&mut ModelFile)>;

/// A `T` decoded from the encoding of `fields` (its fields in order): how a crafted file bypasses the
/// constructors that keep a `T` valid.
fn decoded<T: serde::de::DeserializeOwned>(fields: impl serde::Serialize) -> T {
    let config = bincode::config::standard();
    let bytes = bincode::serde::encode_to_vec(fields, config).unwrap();
    bincode::serde::decode_from_slice(&bytes, config).unwrap().0
}
type Cause = fn(&Inconsistency) -> bool;

/// The cause a case expects: the inconsistency matches the pattern.
macro_rules! cause {
    ($pattern:pat) => {
        |i: &Inconsistency| matches!(i, $pattern)
    };
}

/// The training record of a test model (which has one).
fn training(c: &mut ModelFile) -> &mut Training {
    c.training.as_mut().unwrap()
}

/// The resume state's progress of a test model (which has one).
fn progress(c: &mut ModelFile) -> &mut Progress<f64> {
    &mut training(c).resume.as_mut().unwrap().progress
}

/// Bodies that decode but must be refused, with a part of the message that names the cause and the case:
/// the model's own parts, then its training record.
fn bad_bodies() -> Vec<(&'static str, Edit, &'static str, Cause)> {
    let mut cases = bad_models();
    cases.extend(bad_training_records());
    cases.extend(bad_resume_states());
    cases
}

/// Weights, standardiser, classes and names that do not fit.
fn bad_models() -> Vec<(&'static str, Edit, &'static str, Cause)> {
    vec![
        (
            "NaN bias",
            Box::new(|c| c.network.layers_mut()[1].bias[0] = f64::NAN),
            "layer 2 holds a non-finite bias",
            cause!(Inconsistency::Weights {
                set: WeightSet::Model,
                ..
            }),
        ),
        (
            "bias length",
            Box::new(|c| c.network.layers_mut()[0].bias.push(0.0)),
            "layer 1: bias is 6, expected 5",
            cause!(Inconsistency::Weights {
                set: WeightSet::Model,
                ..
            }),
        ),
        (
            "standardiser width",
            Box::new(|c| c.standardizer = nn_data::Standardizer::identity(3)),
            "the standardiser has 3 means and 3 scales, the network 2 inputs",
            cause!(Inconsistency::StandardizerWidth {
                means: 3,
                scales: 3,
                inputs: 2
            }),
        ),
        (
            "standardiser halves of different lengths",
            Box::new(|c| c.standardizer = decoded((vec![0.0; 2], vec![1.0; 3]))),
            "2 means and 3 scales",
            cause!(Inconsistency::StandardizerWidth {
                means: 2,
                scales: 3,
                ..
            }),
        ),
        (
            "class count",
            Box::new(|c| c.classes = nn_data::ClassMap::zero_based(5)),
            "5 class labels",
            cause!(Inconsistency::Classes { labels: 5, .. }),
        ),
    ]
}

/// Training records whose optimiser state, digest or names do not fit.
fn bad_training_records() -> Vec<(&'static str, Edit, &'static str, Cause)> {
    vec![
        (
            "Adam run with plain GD state",
            Box::new(|c| progress(c).optimizer = OptimizerState::Gd),
            "the optimiser state is gd's, the run's optimiser adam",
            cause!(Inconsistency::OptimizerKind {
                state: "gd",
                run: "adam"
            }),
        ),
        (
            "short digest",
            Box::new(|c| training(c).data.digest = "abc".into()),
            "the data digest is 3 characters, expected 64 hex digits",
            cause!(Inconsistency::Digest(3)),
        ),
        (
            "non-ASCII digest",
            Box::new(|c| training(c).data.digest = "é".repeat(64)),
            "expected 64 hex digits",
            cause!(Inconsistency::Digest(_)),
        ),
        (
            "empty data name",
            Box::new(|c| training(c).data.name = String::new()),
            "the data name is 0 characters",
            cause!(Inconsistency::Name {
                what: "data name",
                chars: 0,
                ..
            }),
        ),
        (
            "class name with a newline",
            Box::new(|c| {
                let mut names = c.classes.names().to_vec();
                names[0] = "a\nb".into();
                c.classes = decoded((c.classes.scheme(), c.classes.labels(), names));
            }),
            "the class name is 3 characters with control characters",
            cause!(Inconsistency::Name {
                what: "class name",
                control: true,
                ..
            }),
        ),
    ]
}

/// Resume states and run records that do not fit the model or themselves.
fn bad_resume_states() -> Vec<(&'static str, Edit, &'static str, Cause)> {
    vec![
        (
            "history shorter than the epochs done",
            Box::new(|c| {
                progress(c).history.pop();
            }),
            "the history holds 9 epochs, not the 10 done",
            cause!(Inconsistency::History { held: 9, done: 10 }),
        ),
        (
            "more epochs done than planned",
            Box::new(|c| training(c).run.epochs = 3),
            "10 epochs done of 3 planned",
            cause!(Inconsistency::EpochsDone {
                done: 10,
                planned: 3
            }),
        ),
        (
            "image shifts of a 3×3 image for a network of 2 inputs",
            Box::new(|c| {
                training(c).run.shift = Some(Shift {
                    max: 1,
                    height: 3,
                    width: 3,
                })
            }),
            "image shifts (±1 px of 3x3 images) do not fit the network's 2 inputs",
            cause!(Inconsistency::Shift { inputs: 2, .. }),
        ),
        (
            "a run in progress without resume state",
            Box::new(|c| training(c).resume = None),
            "a resumable model has no resume state",
            cause!(Inconsistency::NoResumeState),
        ),
        (
            "NaN in Adam's second moments",
            Box::new(|c| match &mut progress(c).optimizer {
                OptimizerState::Adam { v, .. } => v[0].bias[1] = f64::NAN,
                _ => unreachable!("the fixture trains with Adam"),
            }),
            "the adam optimiser state holds a non-finite",
            cause!(Inconsistency::OptimizerValues("adam")),
        ),
        (
            "metrics of another epoch",
            Box::new(|c| c.epoch += 1),
            "the metrics are of epoch",
            cause!(Inconsistency::MetricsEpoch { .. }),
        ),
    ]
}
