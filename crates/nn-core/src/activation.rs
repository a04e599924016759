//! Hidden activations and output layers, with their derivatives written beside them.

use nn_linalg::Scalar;
use serde::{Deserialize, Serialize};

/// The activation of the hidden layers.
///
/// Backprop keeps each layer's output a = f(z), not z, so every derivative here is written in terms of a.
/// That needs f to be invertible in sign (a > 0 exactly where z > 0) for the piecewise functions, which
/// holds for all of them (the leaky slope is checked to be positive). At the ReLU family's kink z = 0 the
/// derivative taken is the left one (0, s, 1 for ELU), a valid subgradient.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Activation {
    /// σ(z) = 1 / (1 + e⁻ᶻ), as in the report and the course. σ'(z) = a(1 − a) with a = σ(z).
    #[default]
    Sigmoid,
    /// tanh z. tanh'(z) = 1 − a² with a = tanh z.
    Tanh,
    /// max(0, z) (Nair & Hinton, 2010). f'(z) = 1 for z > 0 and 0 below: 1 where a > 0, else 0.
    Relu,
    /// z for z > 0, s·z below (Maas, Hannun & Ng, 2013), with slope 0 < s < 1. f'(z) = 1 where a > 0, else s.
    LeakyRelu {
        /// The slope s for negative inputs.
        slope: f64,
    },
    /// z for z > 0, eᶻ − 1 below (Clevert, Unterthiner & Hochreiter, 2016, with α = 1). f'(z) = 1 for z > 0
    /// and eᶻ = a + 1 below: 1 where a > 0, else a + 1.
    Elu,
    /// GELU in its tanh form (Hendrycks & Gimpel, 2016, eq. in §2; PyTorch's `approximate="tanh"`):
    /// f(z) = ½z(1 + tanh u), u = √(2/π)(z + 0.044715z³). It is not monotone, so its derivative cannot be read
    /// off a: backprop keeps z for it ([`needs_input`](Self::needs_input)) and uses [`gelu_derivative`].
    Gelu,
    /// z itself (scikit-learn's `activation="identity"`): the hidden layers are linear, so the network is a
    /// linear (logistic, softmax or least-squares) model of its inputs, factored. f'(z) = 1.
    Identity,
}

impl Activation {
    /// Every activation, in the order `--help` lists them (leaky ReLU with its customary slope, 0.01).
    pub const ALL: [Activation; 7] = [
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Relu,
        Activation::LeakyRelu {
            slope: Self::LEAKY_SLOPE,
        },
        Activation::Elu,
        Activation::Gelu,
        Activation::Identity,
    ];

    /// The default slope of leaky ReLU (Maas et al.'s 0.01).
    pub const LEAKY_SLOPE: f64 = 0.01;

    /// a = f(z).
    #[inline(always)]
    pub fn apply<T: Scalar>(self, z: T) -> T {
        match self {
            Activation::Sigmoid => sigmoid(z),
            Activation::Tanh => tanh(z),
            Activation::Relu => z.max(T::ZERO),
            Activation::LeakyRelu { slope } => leaky_relu(z, T::from_f64(slope)),
            Activation::Elu => elu(z),
            Activation::Gelu => gelu(z),
            Activation::Identity => z,
        }
    }

    /// f'(z), written in terms of the activation a = f(z), which is what backprop keeps. Not for GELU, which
    /// needs z ([`gelu_derivative`]): backprop keeps z for GELU layers and never calls this for them, which is
    /// why it is private to the crate.
    #[inline(always)]
    pub(crate) fn derivative_from_output<T: Scalar>(self, a: T) -> T {
        match self {
            Activation::Gelu => unreachable!("GELU's derivative needs z: backprop keeps it"),
            Activation::Sigmoid => a * (T::ONE - a),
            Activation::Tanh => T::ONE - a * a,
            Activation::Relu => positive_or(a, T::ZERO),
            Activation::LeakyRelu { slope } => positive_or(a, T::from_f64(slope)),
            Activation::Elu => positive_or(a, a + T::ONE),
            Activation::Identity => T::ONE,
        }
    }

    /// The lowercase name, as on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::Relu => "relu",
            Activation::LeakyRelu { .. } => "leaky-relu",
            Activation::Elu => "elu",
            Activation::Gelu => "gelu",
            Activation::Identity => "identity",
        }
    }

    /// Whether backprop must keep the pre-activation z (its derivative is not a function of a).
    pub fn needs_input(self) -> bool {
        matches!(self, Activation::Gelu)
    }

    /// Whether it belongs to the ReLU family, GELU included (He initialisation suits it; Xavier suits
    /// sigmoid and tanh).
    pub fn is_relu_family(self) -> bool {
        matches!(
            self,
            Activation::Relu | Activation::LeakyRelu { .. } | Activation::Elu | Activation::Gelu
        )
    }

    /// One line for people: the name, and the slope of leaky ReLU.
    pub fn describe(self) -> String {
        match self {
            Activation::LeakyRelu { slope } => format!("leaky-relu (slope {slope})"),
            a => a.name().to_string(),
        }
    }
}

/// z for z > 0, s·z otherwise: branch-free (a select), so that it vectorises.
#[inline(always)]
pub fn leaky_relu<T: Scalar>(z: T, slope: T) -> T {
    if z > T::ZERO { z } else { slope * z }
}

/// z for z > 0, eᶻ − 1 otherwise. The exponential is of min(z, 0), so it never overflows.
#[inline(always)]
pub fn elu<T: Scalar>(z: T) -> T {
    let negative = -((-z).max(T::ZERO)); // min(z, 0)
    if z > T::ZERO {
        z
    } else {
        negative.exp() - T::ONE
    }
}

/// tanh z, branch-free so that a pass over a matrix vectorises (std's `tanh` calls libm once per element).
///
/// - |z| ≥ 0.625: 1 − 2/(e^2|z| + 1) on nn's own eˣ, with z's sign. The result is above 0.55 there, so the
///   subtraction cancels nothing, and e^2|z| saturates instead of overflowing (the result is then ±1).
/// - |z| < 0.625: z + z·w·P(w)/Q(w) with w = z², the rational approximation of Cephes' `tanh` (Stephen L.
///   Moshier, Cephes Math Library, tanh.c: [`TANH_P`], [`TANH_Q`]), which keeps the relative accuracy near 0
///   that the first form loses.
///
/// Both are computed and one is selected, so the loop has no branch. Within 2 ulp of std's `tanh`, in f64 and
/// in f32 (the test below); only IEEE multiplies, adds and divides, so the bits are the same at every SIMD
/// level.
#[inline(always)]
pub fn tanh<T: Scalar>(z: T) -> T {
    let x = z.abs();
    let far = T::ONE - T::from_f64(2.0) / ((x + x).exp() + T::ONE);
    let far = if z < T::ZERO { -far } else { far };
    let w = z * z;
    let [p0, p1, p2] = TANH_P.map(T::from_f64);
    let [q0, q1, q2] = TANH_Q.map(T::from_f64);
    let p = (p0 * w + p1) * w + p2;
    let q = ((w + q0) * w + q1) * w + q2;
    let near = z + z * w * (p / q);
    if x < T::from_f64(0.625) { near } else { far }
}

/// Cephes' P(w) for [`tanh`] below 0.625, highest degree first.
const TANH_P: [f64; 3] = [-0.9643991794250523, -99.28772310019185, -1614.6876844170845];
/// Cephes' Q(w) for [`tanh`], highest degree first after its leading 1.
const TANH_Q: [f64; 3] = [112.81167849163293, 2235.4883906010045, 4844.063053251255];

/// √(2/π), GELU's tanh-form constant.
const SQRT_2_OVER_PI: f64 = 0.797_884_560_802_865_4;
/// GELU's cubic coefficient (Hendrycks & Gimpel, 2016).
const GELU_CUBIC: f64 = 0.044_715;

/// ½z(1 + tanh u) with u = √(2/π)(z + 0.044715z³), computed as z·σ(2u): ½(1 + tanh u) = σ(2u), and
/// [`sigmoid`] is branch-free on nn's own eˣ, so a pass over a matrix vectorises where `tanh` would call libm
/// once per element (300 epochs on breast cancer took 13 times as long as with ReLU). σ involves no
/// cancellation, so the result is as accurate as the tanh form's.
#[inline(always)]
pub fn gelu<T: Scalar>(z: T) -> T {
    z * sigmoid(two_u(z))
}

/// d/dz of [`gelu`]: ½(1 + tanh u) + ½z(1 − tanh²u)·u′ = s + 2z·s(1 − s)·u′ with s = σ(2u) (since
/// 1 − tanh²u = 4s(1 − s)) and u′ = √(2/π)(1 + 3·0.044715z²). With e = e⁻²ᵘ, s = 1/(1 + e) and 1 − s = e·s;
/// taking 1 − s as e·s rather than by subtraction keeps it accurate where s is near 1 (the subtraction lost
/// 1e-14 of the slope around z = 7).
#[inline(always)]
pub fn gelu_derivative<T: Scalar>(z: T) -> T {
    let e = (-two_u(z)).exp();
    let s = T::ONE / (T::ONE + e);
    let du = T::from_f64(SQRT_2_OVER_PI) * (T::ONE + T::from_f64(3.0 * GELU_CUBIC) * z * z);
    s + T::from_f64(2.0) * z * (e * s * s) * du
}

/// 2u = 2√(2/π)(z + 0.044715z³), GELU's argument of σ.
#[inline(always)]
fn two_u<T: Scalar>(z: T) -> T {
    T::from_f64(2.0 * SQRT_2_OVER_PI) * (z + T::from_f64(GELU_CUBIC) * z * z * z)
}

/// 1 where a > 0 (the linear side of the ReLU family), else `below`.
#[inline(always)]
fn positive_or<T: Scalar>(a: T, below: T) -> T {
    if a > T::ZERO { T::ONE } else { below }
}

/// The output layer and, with it, the loss.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Output {
    /// Independent sigmoid units with binary cross-entropy summed over the units. One unit is binary
    /// classification (classes 0 and 1); k units are the course's one-vs-all (class c ↔ unit c).
    #[default]
    Sigmoid,
    /// A softmax over k ≥ 2 units with categorical cross-entropy.
    Softmax,
    /// Identity units (the logits are the predictions) with the squared error ½·Σⱼ (zⱼ − yⱼ)²: regression.
    /// The ½ makes δ = (Z − Y)/m, the same form as the two cross-entropies; the loss is half the mean squared
    /// error, as in scikit-learn's `MLPRegressor`.
    Identity,
}

impl Output {
    /// Every output layer, in the order `--help` lists them.
    pub const ALL: [Output; 3] = [Output::Sigmoid, Output::Softmax, Output::Identity];

    /// How many classes `n_outputs` units of this kind distinguish (for the identity output, which predicts
    /// values, the number of values).
    pub fn classes(self, n_outputs: usize) -> usize {
        match (self, n_outputs) {
            (Output::Sigmoid, 1) => 2,
            (_, k) => k,
        }
    }

    /// The lowercase name, as on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Output::Sigmoid => "sigmoid",
            Output::Softmax => "softmax",
            Output::Identity => "identity",
        }
    }

    /// Whether this output predicts real values (regression) rather than classes.
    pub fn is_regression(self) -> bool {
        self == Output::Identity
    }
}

nn_linalg::text_names!(Activation, "activation");
nn_linalg::text_names!(Output, "output");

/// σ(z) = 1 / (1 + e⁻ᶻ), branch-free so that it vectorises. It cannot overflow: [`Scalar::exp`] saturates
/// (e⁻ᶻ for z = −1000 is ~8e307, not ∞), and 1/(1 + e⁻ᶻ) involves no cancellation for any z.
#[inline(always)]
pub fn sigmoid<T: Scalar>(z: T) -> T {
    T::ONE / (T::ONE + (-z).exp())
}

/// Binary cross-entropy from the logit: −[y ln σ(z) + (1 − y) ln(1 − σ(z))] = max(z, 0) − y·z + ln(1 + e^−|z|).
///
/// Finite for any finite z, including ±1000, where the naive form takes ln 0.
#[inline(always)]
pub fn bce_with_logit<T: Scalar>(z: T, y: T) -> T {
    bce_and_sigmoid(z, y).0
}

/// The binary cross-entropy from the logit and σ(z), sharing one exponential e = e^−|z|:
/// loss = max(z, 0) − y·z + ln(1 + e), and σ(z) = 1/(1 + e) for z ≥ 0, e/(1 + e) below (no overflow either way).
#[inline(always)]
pub fn bce_and_sigmoid<T: Scalar>(z: T, y: T) -> (T, T) {
    let e = (-z.abs()).exp();
    let loss = z.max(T::ZERO) - y * z + ln_1p_unit(e);
    let numerator = if z >= T::ZERO { T::ONE } else { e };
    (loss, numerator / (T::ONE + e))
}

/// ln(1 + u) for u in [0, 1], branch-free so that it vectorises (libm's `log1p` is a call per element).
///
/// ln(1 + u) = 2·atanh(s) with s = u / (2 + u) ≤ 1/3, and atanh(s) = s + s³/3 + s⁵/5 + …; the terms to s³⁵ leave
/// an error below 1e-18, so the result is within an ulp or two of std's (see the tests).
#[inline(always)]
pub(crate) fn ln_1p_unit<T: Scalar>(u: T) -> T {
    let s = u / (T::from_f64(2.0) + u);
    let t = s * s;
    let mut p = T::from_f64(1.0 / 35.0);
    for k in (0..17).rev() {
        p = p * t + T::from_f64(1.0 / (2 * k + 1) as f64);
    }
    T::from_f64(2.0) * s * p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_1p_unit_matches_std_on_its_domain() {
        let mut worst = 0.0f64;
        for i in 0..=100_000 {
            let u = i as f64 / 100_000.0;
            let (ours, std) = (ln_1p_unit(u), u.ln_1p());
            worst = worst.max((ours - std).abs() / std.max(f64::MIN_POSITIVE));
        }
        assert!(worst < 5e-16, "relative error {worst:e}");
        assert_eq!(ln_1p_unit(0.0f64), 0.0);
        let worst32 = (0..=10_000)
            .map(|i| i as f32 / 10_000.0)
            .map(|u| ((ln_1p_unit(u) - u.ln_1p()) / u.ln_1p().max(f32::MIN_POSITIVE)).abs())
            .fold(0.0f32, f32::max);
        assert!(worst32 < 3e-7, "f32 relative error {worst32:e}");
    }

    /// Distance in units in the last place, by the ordered bit patterns (both finite, same sign or zero).
    fn ulps64(a: f64, b: f64) -> u64 {
        let key = |v: f64| {
            let bits = v.to_bits() as i64;
            if bits < 0 { i64::MIN - bits } else { bits }
        };
        key(a).abs_diff(key(b))
    }

    fn ulps32(a: f32, b: f32) -> u32 {
        let key = |v: f32| {
            let bits = v.to_bits() as i32;
            if bits < 0 { i32::MIN - bits } else { bits }
        };
        key(a).abs_diff(key(b))
    }

    #[test]
    fn tanh_is_within_a_few_ulp_of_std() {
        let (mut worst, mut worst32) = (0u64, 0u32);
        // Steps of 1e-4 over −25..25, and a geometric sweep of tiny and huge magnitudes.
        let near = (-250_000..=250_000).map(|i| i as f64 * 1e-4);
        let scales = (-3000..=300).map(|k| 10f64.powf(k as f64 / 10.0));
        for z in near.chain(scales.flat_map(|x| [x, -x])) {
            worst = worst.max(ulps64(tanh(z), z.tanh()));
            let z = z as f32;
            worst32 = worst32.max(ulps32(tanh(z), z.tanh()));
        }
        assert!(worst <= 2, "f64: {worst} ulp");
        assert!(worst32 <= 2, "f32: {worst32} ulp");
        // 0 at 0 (+0 for −0 too, unlike std), ±1 far out, NaN through.
        assert_eq!(tanh(0.0f64).to_bits(), 0.0f64.to_bits());
        assert_eq!(tanh(-0.0f64), 0.0);
        for z in [20.0, 1e3, f64::MAX, f64::INFINITY] {
            assert_eq!((tanh(z), tanh(-z)), (1.0, -1.0), "z = {z}");
            assert_eq!((tanh(z as f32), tanh(-z as f32)), (1.0, -1.0), "z = {z}");
        }
        assert!(tanh(f64::NAN).is_nan() && tanh(f32::NAN).is_nan());
    }

    /// The tanh form, with std's (libm's) tanh: ½z(1 + tanh u), and its derivative.
    fn gelu_by_tanh(z: f64) -> (f64, f64) {
        let (c, k) = (SQRT_2_OVER_PI, GELU_CUBIC);
        let t = (c * (z + k * z * z * z)).tanh();
        let d = 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * c * (1.0 + 3.0 * k * z * z);
        (0.5 * z * (1.0 + t), d)
    }

    #[test]
    fn gelu_through_the_sigmoid_is_the_tanh_form() {
        // Errors relative to max(|value|, 1): near 0, both forms round at the scale of 1 (their ½(1 + tanh u)).
        let (mut value, mut slope, mut value32, mut slope32) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
        for i in -200_000..=200_000 {
            let z = i as f64 / 10_000.0; // −20 to 20
            let (g, d) = gelu_by_tanh(z);
            value = value.max((gelu(z) - g).abs() / g.abs().max(1.0));
            slope = slope.max((gelu_derivative(z) - d).abs() / d.abs().max(1.0));
            let z32 = z as f32;
            let (g, d) = gelu_by_tanh(f64::from(z32));
            value32 = value32.max((f64::from(gelu(z32)) - g).abs() / g.abs().max(1.0));
            slope32 = slope32.max((f64::from(gelu_derivative(z32)) - d).abs() / d.abs().max(1.0));
        }
        // The reference is the less accurate of the two: against 50-digit arithmetic (mpmath, z from −20 to 20),
        // the tanh form's slope is off by up to 2.7e-15 near z = 7, the sigmoid form's (in Python) by 4e-16.
        assert!(
            value < 2e-15 && slope < 6e-15,
            "f64: value {value:e}, slope {slope:e}"
        );
        assert!(
            value32 < 1e-6 && slope32 < 1e-6,
            "f32: value {value32:e}, slope {slope32:e}"
        );
        // Far out, GELU is z or 0 and its slope 1 or 0, and nothing overflows.
        for z in [-1e3, -40.0, 40.0, 1e3] {
            let (want, d) = if z > 0.0 { (z, 1.0) } else { (0.0, 0.0) };
            assert!(
                (gelu(z) - want).abs() < 1e-12 && (gelu_derivative(z) - d).abs() < 1e-12,
                "z = {z}"
            );
        }
    }
}
