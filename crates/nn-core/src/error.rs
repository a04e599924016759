//! Errors raised by `nn-core`: always about shapes, labels or values a caller passed in.

/// What went wrong, with the numbers that show it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CoreError {
    /// Class weights that do not fit the network.
    #[error("class weights: {0}")]
    ClassWeights(String),
    /// A dropout rate outside [0, 1).
    #[error("dropout {0}: must be in [0, 1)")]
    DropoutRate(f64),
    /// A leaky ReLU slope outside (0, 1).
    #[error("leaky ReLU slope {0}: must be in (0, 1)")]
    LeakySlope(f64),
    /// The input or output layer has no units.
    #[error(
        "a network needs at least one input and one output unit, got {n_input} inputs and {n_outputs} outputs"
    )]
    EmptyEnds {
        /// Input width given.
        n_input: usize,
        /// Output width given.
        n_outputs: usize,
    },
    /// A hidden layer of width 0.
    #[error("hidden layer {index} has width 0")]
    EmptyHidden {
        /// 0-based index among the hidden layers.
        index: usize,
    },
    /// A network larger than nn trains.
    #[error("the network has {count} {what}, more than the limit of {limit}")]
    TooLarge {
        /// What was counted.
        what: &'static str,
        /// How many there are.
        count: u128,
        /// The most accepted.
        limit: usize,
    },
    /// A softmax over fewer than two units.
    #[error("a softmax output needs at least 2 units, got {0}")]
    SoftmaxTooNarrow(usize),
    /// The data has a different number of features than the network's input.
    #[error("the data has {found} features, the network expects {expected}")]
    InputWidth {
        /// The network's input width.
        expected: usize,
        /// Columns in the data.
        found: usize,
    },
    /// Labels and samples differ in number.
    #[error("{labels} labels for {rows} samples")]
    LabelCount {
        /// Samples (rows of X).
        rows: usize,
        /// Labels given.
        labels: usize,
    },
    /// Regression targets whose count is not samples × outputs.
    #[error("{values} target values for {rows} samples × {outputs} outputs")]
    ValueCount {
        /// Samples (rows of X).
        rows: usize,
        /// Output units.
        outputs: usize,
        /// Values given.
        values: usize,
    },
    /// A NaN or infinite regression target.
    #[error("the target of row {row} is not a finite number")]
    NonFiniteTarget {
        /// 0-based row.
        row: usize,
    },
    /// Class labels for a regression output, or values for a classifier.
    #[error("a {output} output cannot be trained on {given}")]
    TargetKind {
        /// The output layer's name.
        output: &'static str,
        /// What was given.
        given: &'static str,
    },
    /// Classes asked of a regression network.
    #[error("a regression network (identity output) predicts values, not classes")]
    NotClassifier,
    /// A class index the output layer cannot represent.
    #[error("label {label} of row {row} is out of range: the network has {classes} classes")]
    LabelOutOfRange {
        /// 0-based row.
        row: usize,
        /// The class index found.
        label: usize,
        /// Number of classes of the network.
        classes: usize,
    },
    /// No Θ matrices at all.
    #[error("a network needs at least one Θ matrix")]
    NoTheta,
    /// A course-format Θ matrix whose shape does not chain with its neighbours.
    #[error(
        "Θ{index} is {rows}×{cols}, expected {expected_rows}×{expected_cols} (bias in column 0)"
    )]
    ThetaShape {
        /// 1-based, as the course names them.
        index: usize,
        /// Rows found.
        rows: usize,
        /// Columns found.
        cols: usize,
        /// Rows expected (units of this layer), if known.
        expected_rows: String,
        /// Columns expected (units of the previous layer + 1).
        expected_cols: usize,
    },
    /// Stored weights whose shapes do not match the architecture.
    #[error("layer {layer}: {what} is {found}, expected {expected}")]
    LayerShape {
        /// 1-based layer index.
        layer: usize,
        /// `"weights"` or `"bias"`.
        what: &'static str,
        /// Shape found.
        found: String,
        /// Shape expected.
        expected: String,
    },
    /// A NaN or infinite parameter.
    #[error("layer {layer} holds a non-finite {what}")]
    NonFinite {
        /// 1-based layer index.
        layer: usize,
        /// `"weight"` or `"bias"`.
        what: &'static str,
    },
    /// An operation that needs samples was given none.
    #[error("{0} needs at least one sample")]
    NoSamples(&'static str),
}

/// `Result` with [`CoreError`].
pub type Result<T, E = CoreError> = std::result::Result<T, E>;
