//! The experiment specs in `experiments/report.toml`, and the jobs they expand to.

use anyhow::{Context, Result, bail};
use nn::{Activation, BatchSize, DataShape, ImageSize, LrStep, OptimizerKind, Spec};
use nn_core::{Init, Output};
use nn_data::LabelScheme;
use nn_train::Selection;
use nn_train::job::JobSpec;
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Specs {
    pub protocol: Protocol,
    pub beyond: Beyond,
    pub gradcheck: GradcheckSpec,
    pub course: CourseSpec,
    pub fidelity: FidelitySpec,
    pub experiment: Vec<Experiment>,
}

/// The settings `cargo xtask fidelity` tries beside the baseline.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FidelitySpec {
    /// Run lengths tried on the binary set, whose length the report does not state.
    pub binary_epochs: Vec<usize>,
    /// The λ tried instead of the spec's.
    pub lambda: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Protocol {
    /// The report variant's name in tables.
    pub name: String,
    /// The paragraph that introduces the side-by-side table.
    pub description: String,
    pub split: f64,
    pub standardize: bool,
    pub optimizer: String,
    pub select: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Beyond {
    /// The validation variant's name in tables.
    pub validation_name: String,
    /// The Adam variant's name in tables.
    pub adam_name: String,
    /// The modern-blocks variant's name in tables (each experiment's `modern` table says what it is).
    pub modern_name: String,
    /// The paragraph that introduces the table of these variants.
    pub description: String,
    pub split: [f64; 2],
    pub select: String,
}

/// The course's trained weights and the figures the course publishes for them on the digits.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CourseSpec {
    pub weights: String,
    pub data: String,
    pub theta_vars: Vec<String>,
    pub published_accuracy: f64,
    /// (λ, J) pairs.
    pub published_cost: Vec<(f64, f64)>,
}

/// The report's gradient check: the network and step, and its max |A − N| per layer.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradcheckSpec {
    pub hidden: Vec<usize>,
    pub epsilon: f64,
    pub report_max_abs_diff: Vec<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Experiment {
    pub id: String,
    pub title: String,
    pub figures: FigureRefs,
    pub data: String,
    pub labels: LabelScheme,
    pub hidden: Vec<usize>,
    pub output: Output,
    pub lr: f64,
    #[serde(default)]
    pub lr_steps: Vec<(usize, f64)>,
    pub epochs: usize,
    pub lambda: f64,
    pub assumptions: Vec<String>,
    pub adam: AdamSpec,
    /// The modern-blocks variant of this experiment, if it has one.
    pub modern: Option<ModernSpec>,
    pub report: ReportFigures,
}

/// Beyond the report with today's MLP blocks: the settings that differ from the experiment's own. Chosen on
/// the validation split only (the spec's comments say how).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModernSpec {
    /// Hidden widths (default: the experiment's).
    pub hidden: Option<Vec<usize>>,
    /// Hidden activation, as `--activation` names it (default sigmoid).
    pub activation: Option<String>,
    /// Dropout rate of the hidden layers.
    #[serde(default)]
    pub dropout: f64,
    /// Random shifts of the training images by up to this many pixels (`--shift`); needs `image`.
    pub shift: Option<usize>,
    /// The image's `[height, width]`, pixels stored row by row (`--image`).
    pub image: Option<[usize; 2]>,
    /// As `--optimizer` names it.
    pub optimizer: String,
    /// AdamW's decoupled weight decay (default 0.01).
    pub weight_decay: Option<f64>,
    pub lr: f64,
    /// Mini-batch size (default: full batch).
    pub batch: Option<usize>,
    pub epochs: usize,
    /// The selection rule, as `--select` names it.
    pub select: String,
    /// One line for the results table: what this run is.
    pub label: String,
}

/// The report's figure that each of our plots corresponds to, where it has one.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FigureRefs {
    pub curves: Option<String>,
    pub boundary: Option<String>,
    pub misclassified: Option<String>,
    pub errors_per_class: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdamSpec {
    pub lr: f64,
    pub batch: usize,
    pub epochs: usize,
}

/// The report's own figures for one experiment (its Table 1 or 2): all required, so a spec cannot leave one
/// out. Accuracies are fractions; the counts follow from the split sizes.
#[derive(Debug, Default, Deserialize, serde::Serialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct ReportFigures {
    pub train_loss: f64,
    pub train_accuracy: f64,
    pub train_correct: usize,
    pub train_total: usize,
    pub test_loss: f64,
    pub test_accuracy: f64,
    pub test_correct: usize,
    pub test_total: usize,
    pub best_epoch: usize,
    /// How the report printed a figure, where that needs saying.
    pub note: Option<String>,
    /// The report's training time, as it states it.
    pub time: Option<String>,
}

/// How a run departs from the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Variant {
    /// The report's protocol.
    Report,
    /// Selected on a validation split.
    Validation,
    /// Adam on mini-batches, selected on a validation split.
    Adam,
    /// The experiment's `modern` settings (ReLU, dropout, AdamW; or L-BFGS), selected on a validation split.
    Modern,
}

impl Variant {
    pub const ALL: [Variant; 4] = [
        Variant::Report,
        Variant::Validation,
        Variant::Adam,
        Variant::Modern,
    ];

    /// Whether experiment `e` has this variant (every experiment has all but `Modern`).
    pub fn applies_to(self, e: &Experiment) -> bool {
        self != Variant::Modern || e.modern.is_some()
    }
}

impl Specs {
    pub fn load(path: &Path) -> Result<Specs> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let specs: Specs =
            toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        specs.check()?;
        Ok(specs)
    }

    /// How `variant` is named in tables.
    pub fn variant_name(&self, variant: Variant) -> &str {
        match variant {
            Variant::Report => &self.protocol.name,
            Variant::Validation => &self.beyond.validation_name,
            Variant::Adam => &self.beyond.adam_name,
            Variant::Modern => &self.beyond.modern_name,
        }
    }

    fn check(&self) -> Result<()> {
        if self.protocol.optimizer != "gd" {
            bail!(
                "protocol.optimizer: only \"gd\" (the report's) is supported, got {}",
                self.protocol.optimizer
            );
        }
        for s in [&self.protocol.select, &self.beyond.select] {
            s.parse::<Selection>().map_err(anyhow::Error::msg)?;
        }
        let layers = self.gradcheck.hidden.len() + 1;
        if self.gradcheck.report_max_abs_diff.len() != layers {
            bail!(
                "gradcheck: {} report figures for a network of {layers} layers",
                self.gradcheck.report_max_abs_diff.len()
            );
        }
        for e in &self.experiment {
            let r = &e.report;
            for (what, correct, total, accuracy) in [
                ("train", r.train_correct, r.train_total, r.train_accuracy),
                ("test", r.test_correct, r.test_total, r.test_accuracy),
            ] {
                // The printed accuracy must be the count's, to the digits printed (77.1% is 771/1000).
                if total == 0
                    || correct > total
                    || (correct as f64 / total as f64 - accuracy).abs() > 5e-4
                {
                    bail!(
                        "experiment {}: report {what} count {correct}/{total} does not give accuracy {accuracy}",
                        e.id
                    );
                }
            }
        }
        Ok(())
    }

    /// The run of `experiment` in `variant` with `seed`, its products on one thread (runs are parallel), as the
    /// library's run specification: every setting the experiment's spec gives, the rest at their defaults.
    pub fn spec(
        &self,
        e: &Experiment,
        variant: Variant,
        seed: u64,
        epochs_scale: f64,
    ) -> Result<Spec> {
        let scaled = |n: usize| ((n as f64 * epochs_scale).round() as usize).max(1);
        let (split, select) = match variant {
            Variant::Report => ((self.protocol.split, 0.0), &self.protocol.select),
            _ => (
                (self.beyond.split[0], self.beyond.split[1]),
                &self.beyond.select,
            ),
        };
        let mut spec = Spec::default()
            .hidden(e.hidden.clone())
            .output(e.output)
            .lr(e.lr)
            .lr_step(
                (e.lr_steps.iter())
                    .map(|&(epoch, lr)| LrStep {
                        epoch: scaled(epoch),
                        lr,
                    })
                    .collect::<Vec<_>>(),
            )
            .epochs(scaled(e.epochs))
            .lambda(e.lambda)
            .seed(seed)
            .split(split)
            .select(select.parse().map_err(anyhow::Error::msg)?)
            .standardize(self.protocol.standardize)
            .threads(1)
            // The report's network and descent, whatever `nn train`'s defaults are: sigmoid units,
            // full-batch gradient descent, no early stopping.
            .activation(Activation::Sigmoid)
            .optimizer(OptimizerKind::Gd)
            .batch_size(BatchSize::Full)
            .patience(0);
        if variant == Variant::Adam {
            spec = spec
                .optimizer(OptimizerKind::Adam)
                .lr(e.adam.lr)
                .lr_step(Vec::new())
                .batch_size(e.adam.batch)
                .epochs(scaled(e.adam.epochs));
        }
        if variant == Variant::Modern {
            spec = modern(spec, e, &scaled)?;
        }
        // The initialisation these figures were made with, whatever nn train's default is: He's for the ReLU
        // family, Xavier's otherwise.
        let init = Init::for_activation(spec.activation);
        Ok(spec.init(init))
    }

    /// The job of `experiment` in `variant` with `seed` on data of the given shape: its [`Specs::spec`]
    /// resolved by the library ([`Spec::job`]).
    pub fn job(
        &self,
        e: &Experiment,
        variant: Variant,
        seed: u64,
        epochs_scale: f64,
        data: DataShape,
    ) -> Result<JobSpec> {
        let spec = self.spec(e, variant, seed, epochs_scale)?;
        spec.job(data)
            .with_context(|| format!("experiment {} ({variant:?})", e.id))
    }
}

/// `spec` changed to experiment `e`'s modern variant (its optimiser, rate, epochs, dropout, selection, and
/// the batch, decay, shifts, width and activation it names).
fn modern(mut spec: Spec, e: &Experiment, scaled: &dyn Fn(usize) -> usize) -> Result<Spec> {
    let m = (e.modern.as_ref())
        .with_context(|| format!("experiment {} has no modern variant", e.id))?;
    spec = spec
        .optimizer(m.optimizer.parse().map_err(anyhow::Error::msg)?)
        .lr(m.lr)
        .lr_step(Vec::new())
        .epochs(scaled(m.epochs))
        .dropout(m.dropout)
        .select(m.select.parse().map_err(anyhow::Error::msg)?);
    spec.batch_size = m.batch.map_or(BatchSize::Full, BatchSize::Rows);
    if let Some(w) = m.weight_decay {
        spec = spec.weight_decay(w);
    }
    spec = match (m.shift, m.image) {
        (Some(max), Some([height, width])) => spec.shift(max).image(ImageSize { height, width }),
        (None, None) => spec,
        _ => bail!("{}: modern.shift and modern.image go together", e.id),
    };
    if let Some(h) = &m.hidden {
        spec = spec.hidden(h.clone());
    }
    if let Some(a) = &m.activation {
        spec = spec.activation(a.parse().map_err(anyhow::Error::msg)?);
    }
    Ok(spec)
}
