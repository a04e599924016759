//! The command line, as clap derive types. Every subcommand's `--help` ends with examples.

mod data;
mod sweep;

pub use data::DataArgs;
use data::{label_schemes, one_of};
pub use sweep::{SweepAction, SweepArgs, SweepRunArgs};

use clap::builder::TypedValueParser;
use clap::{Args, Parser, Subcommand};
use nn_core::Output;
use nn_data::{Delimiter, LabelScheme, UnknownCategory};
use nn_export::{Dtype, Format};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(name = "nn", version, about = "Train, evaluate and inspect multi-layer perceptrons", after_help = MAIN_EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

const MAIN_EXAMPLES: &str = "\
Examples:
  nn train --data data/classification2.txt --hidden 4,4 --epochs 5000 --out model.nnm
  nn eval --model model.nnm --data data/classification2.txt
  nn eval --theta data/ex4weights.mat --data data/classification3.mat
  nn gradcheck
Datasets are found at the path given, else in $NN_DATA_DIR, ./data or ../shared/data.";

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Train a network and write the selected model (with what --resume needs).
    Train(Box<TrainArgs>),
    /// K-fold cross-validation: train with nn train's flags on all folds but one, score on the fold held
    /// out, K times; each fold's and the mean ± std of every metric.
    Cv(Box<CvArgs>),
    /// Loss, accuracy, per-class precision/recall/F1 (and for two classes the ROC AUC) and confusion matrix of
    /// a model (or of course-format Θ weights) on a dataset.
    Eval(Box<EvalArgs>),
    /// Predicted class (and probabilities) of every sample, as CSV.
    Predict(PredictArgs),
    /// Compare backprop's gradient with central differences (the report's §4.1 check).
    Gradcheck(GradcheckArgs),
    /// Show what a model file holds.
    Inspect(InspectArgs),
    /// Write a model as ONNX, safetensors (PyTorch's nn.Sequential naming) or the course's Θ MAT-file.
    Export(ExportArgs),
    /// Make a model file from the course's Θ weights (a MAT-file), for predict, eval, export and inspect.
    Import(ImportArgs),
    /// Hyper-parameter sweep: run every job of a spec (TOML) here or as a Slurm job array, resumably; show
    /// where its jobs are (status) or rank them (report).
    Sweep(Box<SweepArgs>),
}

fn formats() -> impl TypedValueParser<Value = Format> {
    one_of(Format::ALL.map(Format::name))
}

fn dtypes() -> impl TypedValueParser<Value = Dtype> {
    one_of(Dtype::ALL.map(Dtype::name))
}

const TRAIN_EXAMPLES: &str = "\
Examples:
  # The report's Exp 3: 2-4-4-1, lr 0.1 then 0.04 after epoch 5000, best epoch by test accuracy
  nn train --data data/classification2.txt --hidden 4,4 --lr 0.1 --lr-step 5000:0.04 \\
           --epochs 10000 --split 0.8 --select test-acc --seed 1 --out exp3.nnm

  # Honest selection on a validation split, Adam on mini-batches, with plots and a CSV of every epoch
  nn train --data data/classification3.mat --labels digits10 --hidden 64 --output softmax \\
           --optimizer adam --lr 0.001 --batch-size 64 --epochs 100 --split 0.7,0.15 \\
           --patience 10 --out digits.nnm --metrics digits.csv --plots plots/

  # Continue that run to 200 epochs in total
  nn train --data data/classification3.mat --labels digits10 --resume digits.nnm --epochs 200 --out digits.nnm";

#[derive(Args, Debug)]
#[command(after_help = TRAIN_EXAMPLES, allow_negative_numbers = true)]
pub struct TrainArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// The run's settings: one flag per setting of the library's `nn::Spec`, with its default and its doc.
    #[command(flatten)]
    pub spec: nn::Spec,
    /// The model file to write (kept current during training, atomically).
    #[arg(long, value_name = "MODEL")]
    pub out: PathBuf,
    /// Write every epoch's metrics as CSV.
    #[arg(long, value_name = "FILE")]
    pub metrics: Option<PathBuf>,
    /// Write SVG plots into DIR: curves; the decision boundary for 2 features; the confusion matrix on the
    /// held-out part, and its ROC curve for two classes; misclassified samples and errors per class for square
    /// images.
    #[arg(long, value_name = "DIR")]
    pub plots: Option<PathBuf>,
    /// Write TensorBoard event files into DIR, so that `tensorboard --logdir DIR` shows the run live: per epoch,
    /// each part's loss and metrics (accuracy and F1, or R² and MAE) and the learning rate; for a
    /// classification also each part's weighted F1 and every class's precision, recall and F1
    /// (`validation_by_class/f1/<class>`), the metrics CSV's per-class columns. A resumed run with
    /// the same DIR continues the same curves (each run adds a file; TensorBoard drops the epochs that the
    /// resumed run repeats).
    #[arg(long, value_name = "DIR")]
    pub logdir: Option<PathBuf>,
    /// Continue the run saved in STATE (a model file written by nn train, also one whose run was killed). Only
    /// --epochs, --threads, --out, --save-every, --log-every, --quiet, --metrics, --plots and --logdir may
    /// change; any other flag must be left out or given its saved value.
    #[arg(long, value_name = "STATE")]
    pub resume: Option<PathBuf>,
    /// While training, rewrite --out at most every SECONDS with the best weights so far and the state to resume
    /// from, so that a killed run loses at most that much work (0: after every epoch).
    #[arg(long, default_value_t = 5.0, value_name = "SECONDS")]
    pub save_every: f64,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Without a terminal, print one line per N epochs (default: about 20 lines per run).
    #[arg(long, value_name = "N")]
    pub log_every: Option<usize>,
}

const CV_EXAMPLES: &str = "\
Examples:
  nn cv --data data/classification2.txt --folds 5 --stratify --hidden 4,4 --lr 0.1 --epochs 2000
  nn cv --data penguins.csv --target species --drop rowid,year --missing mean --folds 10 --stratify \\
        --optimizer adam --hidden 16 --epochs 300 --split 1,0.1 --patience 20 --json
Every flag of nn train applies except --out, --resume, --metrics, --plots and --save-every. The second value
of --split is the share of each fold's training rows kept for validation (selection and early stopping);
the first is not used. Anything fitted (standardiser, categories, fill values) sees the training rows only.";

#[derive(Args, Debug)]
#[command(
    after_help = CV_EXAMPLES,
    allow_negative_numbers = true,
    mut_arg("out", |a| a.required(false).default_value("-").hide(true)),
    mut_arg("resume", |a| a.hide(true)),
    mut_arg("save_every", |a| a.hide(true)),
    mut_arg("metrics", |a| a.hide(true)),
    mut_arg("plots", |a| a.hide(true)),
    mut_arg("log_every", |a| a.hide(true)),
)]
pub struct CvArgs {
    /// Folds (K ≥ 2); with --stratify at most the smallest class's count.
    #[arg(long, default_value_t = 5, value_name = "K")]
    pub folds: usize,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub train: TrainArgs,
}

const EVAL_EXAMPLES: &str = "\
Examples:
  nn eval --model model.nnm --data data/classification2.txt
  nn eval --model digits.nnm --data data/classification3.mat --json
  # The course's reference weights: J = 0.287629 at λ = 0 and 0.383770 at λ = 1, accuracy 97.5%
  nn eval --theta data/ex4weights.mat --data data/classification3.mat --lambda 1";

#[derive(Args, Debug)]
#[command(after_help = EVAL_EXAMPLES, allow_negative_numbers = true)]
pub struct EvalArgs {
    /// A model written by nn train.
    #[arg(
        long,
        value_name = "MODEL",
        required_unless_present = "theta",
        conflicts_with = "theta"
    )]
    pub model: Option<PathBuf>,
    /// Course-format weights (.mat): one Θ per layer, bias in column 0, sigmoid units; output unit k−1 is
    /// label k of the file's y (--labels: see nn import; ten units are the course's digits, one unit is
    /// binary 0/1). Features are used raw.
    #[arg(long, value_name = "WEIGHTS.mat")]
    pub theta: Option<PathBuf>,
    /// The Θ variables, in layer order.
    #[arg(
        long,
        default_value = "Theta1,Theta2",
        value_name = "A,B,...",
        requires = "theta"
    )]
    pub theta_vars: String,
    /// λ of the course's regularised cost (with --theta; a model uses its own).
    #[arg(long, requires = "theta")]
    pub lambda: Option<f64>,
    #[command(flatten)]
    pub data: DataArgs,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

const PREDICT_EXAMPLES: &str = "\
Examples:
  nn predict --model model.nnm --data new-points.txt
  nn predict --model digits.nnm --data data/classification3.mat --proba > predictions.csv
A model trained on a file with a header matches columns by name, in any order; the target column and other
columns are ignored. Without a header a file has the training file's columns, with or without the target.";

#[derive(Args, Debug)]
#[command(after_help = PREDICT_EXAMPLES)]
pub struct PredictArgs {
    /// A model written by nn train.
    #[arg(long, value_name = "MODEL")]
    pub model: PathBuf,
    /// Features: text (with or without a label column) or .mat.
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// Features variable of a .mat file.
    #[arg(long, default_value = "X", value_name = "NAME")]
    pub x_var: String,
    /// Field delimiter of a text file (default: detected).
    #[arg(long, value_parser = |s: &str| s.parse::<Delimiter>(), value_name = "D")]
    pub delimiter: Option<Delimiter>,
    /// A category training never saw: error, or ignore (all zeros). Default: the model's rule.
    #[arg(long = "unknown-category", value_parser = one_of::<UnknownCategory>(UnknownCategory::ALL.iter().map(|m| m.name())), value_name = "RULE")]
    pub unknown: Option<UnknownCategory>,
    /// Also print each class's probability.
    #[arg(long)]
    pub proba: bool,
    /// Decimal places of the probabilities (17 prints every bit of an f64).
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u8).range(1..=17), requires = "proba")]
    pub digits: u8,
}

const GRADCHECK_EXAMPLES: &str = "\
Examples:
  nn gradcheck                                  # the report's dummy case: X = 1..9 (3×3), y = [1,0,1], hidden 2,2,3
  nn gradcheck --hidden 5,5 --output softmax --lambda 0.5 --json";

#[derive(Args, Debug)]
#[command(after_help = GRADCHECK_EXAMPLES, allow_negative_numbers = true)]
pub struct GradcheckArgs {
    /// Hidden layer widths, comma-separated, or "none".
    #[arg(long, default_value = "2,2,3", value_name = "W,W,...")]
    pub hidden: String,
    /// Output layer (softmax uses two units).
    #[arg(long, value_parser = one_of::<Output>(Output::ALL.map(Output::name)), default_value = "sigmoid")]
    pub output: Output,
    /// Central-difference step ε.
    #[arg(long, default_value_t = 1e-5)]
    pub epsilon: f64,
    /// L2 penalty λ.
    #[arg(long, default_value_t = 0.0)]
    pub lambda: f64,
    /// Seed of the weights.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Largest acceptable relative error ‖A − N‖/‖A + N‖ of any layer.
    #[arg(long, default_value_t = 1e-7)]
    pub tolerance: f64,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

const INSPECT_EXAMPLES: &str = "\
Examples:
  nn inspect --model model.nnm
  nn inspect --model model.nnm --json | jq .metrics";

#[derive(Args, Debug)]
#[command(after_help = INSPECT_EXAMPLES)]
pub struct InspectArgs {
    #[command(flatten)]
    pub model: ModelPath,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The model file a command reads: `--model M`, as every command that reads one takes it (`nn inspect M` and
/// `nn export M`, the older form, still work).
#[derive(Args, Debug)]
pub struct ModelPath {
    /// A model written by nn train (or nn import).
    #[arg(
        long = "model",
        value_name = "MODEL",
        required_unless_present = "model_positional"
    )]
    model_flag: Option<PathBuf>,
    /// The model, given without --model.
    #[arg(value_name = "MODEL", conflicts_with = "model_flag", hide = true)]
    model_positional: Option<PathBuf>,
}

impl ModelPath {
    /// The model file.
    pub fn path(&self) -> &std::path::Path {
        (self.model_flag.as_deref())
            .or(self.model_positional.as_deref())
            // clap requires one of the two; were neither there, loading "" fails with a one-line error.
            .unwrap_or(std::path::Path::new(""))
    }
}

const EXPORT_EXAMPLES: &str = "\
Examples:
  nn export --model digits.nnm --format onnx --out digits.onnx              # f32; --dtype f64 for double
  nn export --model digits.nnm --format safetensors --out digits.safetensors
  nn export --model digits.nnm --format theta --fold-standardizer --out digits-theta.mat
The ONNX graph takes raw features ('features' [batch, n]) and gives 'probabilities' [batch, classes] and
'label' [batch] (a class index; metadata 'class_names' names it). The safetensors tensors fit the PyTorch
module in the file's 'torch_module' metadata. Θ files are read by nn eval --theta, Octave and scipy.";

#[derive(Args, Debug)]
#[command(after_help = EXPORT_EXAMPLES)]
pub struct ExportArgs {
    #[command(flatten)]
    pub model: ModelPath,
    /// The format to write.
    #[arg(long, value_parser = formats())]
    pub format: Format,
    /// The file to write (atomically: a failed export leaves nothing behind).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Precision of the weights (and of the ONNX graph's computation). Default: f32 for onnx and
    /// safetensors, f64 for theta (the course's files hold doubles).
    #[arg(long, value_parser = dtypes())]
    pub dtype: Option<Dtype>,
    /// Fold the standardiser into the first layer (W' = W/σ, b' = b − Σ μ·W/σ), so that the exported weights
    /// take raw features.
    #[arg(long)]
    pub fold_standardizer: bool,
}

const IMPORT_EXAMPLES: &str = "\
Examples:
  nn import --theta data/ex4weights.mat --labels digits10 --out course.nnm
  nn eval --model course.nnm --data data/classification3.mat";

#[derive(Args, Debug)]
#[command(after_help = IMPORT_EXAMPLES)]
pub struct ImportArgs {
    /// Course-format weights (.mat): one Θ per layer, bias in column 0, sigmoid units, raw features.
    #[arg(long, value_name = "WEIGHTS.mat")]
    pub theta: PathBuf,
    /// The Θ variables, in layer order.
    #[arg(long, default_value = "Theta1,Theta2", value_name = "A,B,...")]
    pub theta_vars: String,
    /// What the output units mean: one-based (unit k−1 is label k, the course's default), digits10 (the same,
    /// with label 10 meaning digit 0; the model's class d is digit d), or zero-based (unit c is label c).
    /// Default: one-based, or the binary classes 0 and 1 for a single output unit.
    #[arg(long, value_parser = label_schemes(), value_name = "SCHEME")]
    pub labels: Option<LabelScheme>,
    /// The model file to write.
    #[arg(long, value_name = "MODEL")]
    pub out: PathBuf,
}

/// "4,4" → [4, 4]; "none" or "" → [].
pub fn parse_widths(s: &str) -> anyhow::Result<Vec<usize>> {
    let s = s.trim();
    if s.is_empty() || s.eq_ignore_ascii_case("none") {
        return Ok(Vec::new());
    }
    s.split(',')
        .map(|w| {
            let w = w.trim();
            match w.parse::<usize>() {
                Ok(0) | Err(_) => {
                    anyhow::bail!("--hidden: '{w}' is not a layer width (a whole number ≥ 1)")
                }
                Ok(n) => Ok(n),
            }
        })
        .collect()
}
