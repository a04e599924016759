//! An ONNX graph of the model, from raw features to class probabilities and labels.
//!
//! ```text
//! features [N, n] ─ Sub(mean) ─ Div(std) ─┬─ MatMul(W₁) ─ Add(b₁) ─ Sigmoid|Tanh ─ … ─ Add(b_L) = logits [N, k]
//!   (the scaling only when the model     │
//!    standardises and it is not folded)  └ probabilities [N, classes] = Softmax(logits) | Sigmoid(logits)
//!                                            label [N] (int64 class index) = ArgMax(logits)
//! ```
//!
//! One sigmoid unit (binary classification) gives `probabilities` = [1 − p, p] and `label` = (logit > 0),
//! i.e. p > 0.5. The labels come from the logits, as `nn predict` takes them, so that saturated probabilities
//! (two sigmoids at 1.0 in f32) cannot tie. `label` is a class index; `class_names` and `class_labels` in the
//! model's metadata give its name and the label it had in the training file.
//!
//! A regression model (identity output) has one output instead, `value` [N, k] = the last layer's output,
//! in the target's units: the target's standardisation is folded into the last layer (see [`Prepared`]).

use crate::pb::{
    AttributeProto, GraphProto, ModelProto, NodeProto, OperatorSetIdProto, StringStringEntryProto,
    TensorProto, TensorShapeProto, TypeProto, ValueInfoProto, attribute_proto::AttributeType,
    tensor_proto::DataType, tensor_shape_proto::Dimension, tensor_shape_proto::dimension,
    type_proto,
};
use crate::{Dtype, Prepared};
use nn_core::{Activation, Output};
use nn_train::ModelFile;
use prost::Message;

/// The operator set the graph uses (ONNX 1.12, 2022; every operator here is unchanged since opset 13).
pub const OPSET: i64 = 17;
/// The IR version that goes with [`OPSET`] (ONNX's versioning table: opset 17 ↔ IR 8).
pub const IR_VERSION: i64 = 8;
/// The name of the graph's input.
pub const INPUT: &str = "features";
/// The name of the probabilities output.
pub const PROBABILITIES: &str = "probabilities";
/// The name of the label output.
pub const LABEL: &str = "label";
/// The name of a regression model's one output.
pub const VALUE: &str = "value";

/// The serialised `ModelProto` of `model` (with the scaling and weights of `prepared`), in `dtype`.
pub fn model(model: &ModelFile, prepared: &Prepared, dtype: Dtype) -> Vec<u8> {
    let graph = graph(prepared, dtype);
    let metadata_props = crate::metadata(model, prepared, dtype)
        .into_iter()
        .map(|(key, value)| StringStringEntryProto { key, value })
        .collect();
    ModelProto {
        ir_version: IR_VERSION,
        opset_import: vec![OperatorSetIdProto {
            domain: String::new(),
            version: OPSET,
        }],
        producer_name: "nn".into(),
        producer_version: env!("CARGO_PKG_VERSION").into(),
        doc_string: format!(
            "{} exported by nn: input '{INPUT}' [batch, {}], outputs '{PROBABILITIES}' [batch, {}] and '{LABEL}' [batch] (class index; see class_names)",
            model.network.architecture().describe(),
            model.network.architecture().n_input,
            model.classes.len()
        ),
        graph: Some(graph),
        metadata_props,
        ..Default::default()
    }
    .encode_to_vec()
}

fn graph(prepared: &Prepared, dtype: Dtype) -> GraphProto {
    let arch = prepared.network.architecture();
    let classes = arch.classes();
    let mut g = Builder::new(dtype);
    let logits = g.body(prepared);
    g.head(arch, &logits);
    let batch = || Dimension {
        value: Some(dimension::Value::DimParam("batch".into())),
        ..Default::default()
    };
    let fixed = |n: usize| Dimension {
        value: Some(dimension::Value::DimValue(n as i64)),
        ..Default::default()
    };
    GraphProto {
        name: "nn".into(),
        node: g.nodes,
        initializer: g.initializers,
        input: vec![value_info(
            INPUT,
            g.elem_type,
            vec![batch(), fixed(arch.n_input)],
        )],
        output: if arch.output.is_regression() {
            vec![value_info(
                VALUE,
                g.elem_type,
                vec![batch(), fixed(classes)],
            )]
        } else {
            vec![
                value_info(PROBABILITIES, g.elem_type, vec![batch(), fixed(classes)]),
                value_info(LABEL, DataType::Int64 as i32, vec![batch()]),
            ]
        },
        ..Default::default()
    }
}

/// Collects nodes and initialisers, naming each node after its output.
struct Builder {
    dtype: Dtype,
    elem_type: i32,
    nodes: Vec<NodeProto>,
    initializers: Vec<TensorProto>,
}

impl Builder {
    /// The standardiser, if any, and every layer: the name of the logits.
    fn body(&mut self, prepared: &Prepared) -> String {
        let g = self;
        let net = &prepared.network;
        let arch = net.architecture();
        let mut x = INPUT.to_string();
        if let Some(sd) = &prepared.standardizer {
            let mean = g.constant("mean", &[sd.len()], sd.mean());
            let std = g.constant("std", &[sd.len()], sd.scale());
            x = g.node("Sub", &[&x, &mean], "centered", vec![]);
            x = g.node("Div", &[&x, &std], "standardized", vec![]);
        }
        let last = net.layers().len() - 1;
        for (l, layer) in net.layers().iter().enumerate() {
            // x·W + b as MatMul then Add (W is n_in × n_out, written row-major). Not Gemm: its f32 α/β
            // attributes make some runtimes (tract 0.22) fail on a double graph.
            let w = g.constant(
                &format!("W{}", l + 1),
                &[layer.n_in(), layer.n_out()],
                &layer.weights.to_row_major(),
            );
            let b = g.constant(&format!("b{}", l + 1), &[layer.n_out()], &layer.bias);
            let z = if l == last {
                "logits".to_string()
            } else {
                format!("z{}", l + 1)
            };
            let product = g.node("MatMul", &[&x, &w], &format!("xw{}", l + 1), vec![]);
            x = g.node("Add", &[&product, &b], &z, vec![]);
            if l < last {
                let a = format!("a{}", l + 1);
                x = match arch.activation {
                    Activation::Sigmoid => g.sigmoid(&x, &a),
                    Activation::Tanh => g.node("Tanh", &[&x], &a, vec![]),
                    Activation::Relu => g.relu(&x, &a),
                    Activation::LeakyRelu { slope } => g.leaky_relu(&x, &a, slope),
                    Activation::Elu => g.elu(&x, &a),
                    Activation::Gelu => g.gelu(&x, &a),
                    Activation::Identity => g.node("Identity", &[&x], &a, vec![]),
                };
            }
        }
        x
    }

    /// The outputs from the logits: a regression's values, or the probabilities and the label.
    fn head(&mut self, arch: &nn_core::Architecture, logits: &str) {
        let g = self;
        if arch.output.is_regression() {
            g.node("Identity", &[logits], VALUE, vec![]);
        } else if arch.n_outputs == 1 {
            // Binary: p = σ(z), probabilities [1 − p, p], label = (z > 0) as int64, shape [N].
            let p = g.sigmoid(logits, "p1");
            let one = g.one();
            let q = g.node("Sub", &[&one, &p], "p0", vec![]);
            g.node("Concat", &[&q, &p], PROBABILITIES, vec![int("axis", 1)]);
            let zero = g.scalar("zero", 0.0);
            let positive = g.node("Greater", &[logits, &zero], "positive", vec![]);
            let as_int = g.node(
                "Cast",
                &[&positive],
                "positive_int",
                vec![int("to", DataType::Int64 as i64)],
            );
            let axes = g.int64_constant("squeeze_axes", &[1], &[1]);
            g.node("Squeeze", &[&as_int, &axes], LABEL, vec![]);
        } else {
            match arch.output {
                Output::Softmax => {
                    g.node("Softmax", &[logits], PROBABILITIES, vec![int("axis", 1)])
                }
                Output::Sigmoid | Output::Identity => g.sigmoid(logits, PROBABILITIES),
            };
            g.node(
                "ArgMax",
                &[logits],
                LABEL,
                vec![int("axis", 1), int("keepdims", 0)],
            );
        }
    }

    fn new(dtype: Dtype) -> Self {
        let elem_type = match dtype {
            Dtype::F32 => DataType::Float,
            Dtype::F64 => DataType::Double,
        } as i32;
        Builder {
            dtype,
            elem_type,
            nodes: Vec::new(),
            initializers: Vec::new(),
        }
    }

    /// A node of operator `op`; returns the name of its one output.
    fn node(
        &mut self,
        op: &str,
        inputs: &[&str],
        output: &str,
        attribute: Vec<AttributeProto>,
    ) -> String {
        self.nodes.push(NodeProto {
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: vec![output.into()],
            name: output.into(),
            op_type: op.into(),
            attribute,
            ..Default::default()
        });
        output.into()
    }

    /// σ(x) into `output`. In f32 the Sigmoid operator; in f64 the same function spelled out as
    /// 1 / (1 + e⁻ˣ) (Neg, Exp, Add, Reciprocal), because not every runtime has a double Sigmoid kernel
    /// (tract 0.22 has f16 and f32 only), while every one has these. e⁻ˣ overflowing to ∞ gives 1/∞ = 0, the
    /// limit, so the spelled-out form is exact to rounding over the whole range.
    fn sigmoid(&mut self, x: &str, output: &str) -> String {
        match self.dtype {
            Dtype::F32 => self.node("Sigmoid", &[x], output, vec![]),
            Dtype::F64 => {
                let neg = self.node("Neg", &[x], &format!("{output}.neg"), vec![]);
                let exp = self.node("Exp", &[&neg], &format!("{output}.exp"), vec![]);
                let one = self.one();
                let denominator = self.node("Add", &[&one, &exp], &format!("{output}.den"), vec![]);
                self.node("Reciprocal", &[&denominator], output, vec![])
            }
        }
    }

    /// Leaky ReLU with slope s into `output`. In f32 the LeakyRelu operator (its `alpha` attribute is an f32
    /// either way); in f64 the same function as Max(x, s·x) (exact for 0 < s < 1), so that the slope keeps
    /// every bit of the model's f64 and runtimes without a double LeakyRelu kernel (tract 0.22) can run it.
    fn leaky_relu(&mut self, x: &str, output: &str, slope: f64) -> String {
        match self.dtype {
            Dtype::F32 => self.node("LeakyRelu", &[x], output, vec![float("alpha", slope)]),
            Dtype::F64 => {
                let s = self.constant(&format!("{output}.slope"), &[], &[slope]);
                let scaled = self.node("Mul", &[x, &s], &format!("{output}.scaled"), vec![]);
                self.node("Max", &[x, &scaled], output, vec![])
            }
        }
    }

    /// max(x, 0) into `output`: the Relu operator in f32, Max(x, 0) in f64 (not every runtime has a double
    /// Relu kernel).
    fn relu(&mut self, x: &str, output: &str) -> String {
        match self.dtype {
            Dtype::F32 => self.node("Relu", &[x], output, vec![]),
            Dtype::F64 => {
                let zero = self.scalar("zero", 0.0);
                self.node("Max", &[x, &zero], output, vec![])
            }
        }
    }

    /// ELU (α = 1) into `output`: the Elu operator in f32; in f64, where onnxruntime 1.32 and tract 0.22 have
    /// no Elu kernel, max(x, 0) + (e^min(x, 0) − 1), which is x above 0 (e⁰ − 1 = 0 exactly) and eˣ − 1 below.
    fn elu(&mut self, x: &str, output: &str) -> String {
        match self.dtype {
            Dtype::F32 => self.node("Elu", &[x], output, vec![float("alpha", 1.0)]),
            Dtype::F64 => {
                let zero = self.scalar("zero", 0.0);
                let one = self.one();
                let pos = self.node("Max", &[x, &zero], &format!("{output}.pos"), vec![]);
                let neg = self.node("Min", &[x, &zero], &format!("{output}.neg"), vec![]);
                let exp = self.node("Exp", &[&neg], &format!("{output}.exp"), vec![]);
                let em1 = self.node("Sub", &[&exp, &one], &format!("{output}.expm1"), vec![]);
                self.node("Add", &[&pos, &em1], output, vec![])
            }
        }
    }

    /// GELU's tanh form, ½x(1 + tanh(√(2/π)(x + 0.044715x³))), spelled out in both precisions: the Gelu
    /// operator (with its tanh approximation) arrived in opset 20, after the opset this graph declares.
    fn gelu(&mut self, x: &str, output: &str) -> String {
        let c = self.scalar("gelu_c", (2.0 / std::f64::consts::PI).sqrt());
        let k = self.scalar("gelu_k", 0.044_715);
        let half = self.scalar("half", 0.5);
        let one = self.one();
        let name = |s: &str| format!("{output}.{s}");
        let x2 = self.node("Mul", &[x, x], &name("x2"), vec![]);
        let x3 = self.node("Mul", &[&x2, x], &name("x3"), vec![]);
        let kx3 = self.node("Mul", &[&k, &x3], &name("kx3"), vec![]);
        let inner = self.node("Add", &[x, &kx3], &name("inner"), vec![]);
        let u = self.node("Mul", &[&c, &inner], &name("u"), vec![]);
        let t = self.node("Tanh", &[&u], &name("tanh"), vec![]);
        let one_plus = self.node("Add", &[&one, &t], &name("one_plus"), vec![]);
        let half_x = self.node("Mul", &[&half, x], &name("half_x"), vec![]);
        self.node("Mul", &[&half_x, &one_plus], output, vec![])
    }

    /// The scalar 1 of the graph's float type (one initialiser, however often it is used).
    fn one(&mut self) -> String {
        self.scalar("one", 1.0)
    }

    /// A scalar initialiser of the graph's float type, created on first use.
    fn scalar(&mut self, name: &str, value: f64) -> String {
        if !self.initializers.iter().any(|t| t.name == name) {
            self.constant(name, &[], &[value]);
        }
        name.into()
    }

    /// An initialiser of the graph's float type, from f64 values in row-major order.
    fn constant(&mut self, name: &str, dims: &[usize], values: &[f64]) -> String {
        let raw_data = crate::prepared::le_bytes(values, self.dtype);
        self.push(name, dims, self.elem_type, raw_data)
    }

    fn int64_constant(&mut self, name: &str, dims: &[usize], values: &[i64]) -> String {
        let raw_data = values.iter().flat_map(|&v| v.to_le_bytes()).collect();
        self.push(name, dims, DataType::Int64 as i32, raw_data)
    }

    fn push(&mut self, name: &str, dims: &[usize], data_type: i32, raw_data: Vec<u8>) -> String {
        self.initializers.push(TensorProto {
            name: name.into(),
            dims: dims.iter().map(|&d| d as i64).collect(),
            data_type,
            raw_data,
            ..Default::default()
        });
        name.into()
    }
}

fn int(name: &str, i: i64) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        r#type: AttributeType::Int as i32,
        i,
        ..Default::default()
    }
}

/// A float attribute (ONNX attributes are f32 whatever the graph's type).
fn float(name: &str, f: f64) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        r#type: AttributeType::Float as i32,
        f: f as f32,
        ..Default::default()
    }
}

fn value_info(name: &str, elem_type: i32, dim: Vec<Dimension>) -> ValueInfoProto {
    ValueInfoProto {
        name: name.into(),
        r#type: Some(TypeProto {
            value: Some(type_proto::Value::TensorType(type_proto::Tensor {
                elem_type,
                shape: Some(TensorShapeProto { dim }),
            })),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Decodes an ONNX file's bytes (for checks of what was written).
pub fn decode(bytes: &[u8]) -> Result<ModelProto, prost::DecodeError> {
    ModelProto::decode(bytes)
}
