//! One sequential general product `dst ← [dst +] α·A·B` at the pinned instruction-set level: the leaf of
//! [`crate::ops::matmul`]'s split.
//!
//! faer's own entry point picks its kernel by the CPU alone (AVX-512 where present, else AVX2), and for small
//! or thin shapes other kernels again (nano-gemm, matrix-vector loops), so through it the bits of a product
//! were a property of the machine, not of anything a run could name. This module calls faer's x86 kernel
//! crate, `private-gemm-x86`, directly, with the instruction set of [`crate::simd::level`], for every shape;
//! and at the portable level (any CPU) it runs a plain loop in the same order.
//!
//! **Order of the arithmetic** (read off private-gemm-x86 0.1.22 and checked by `tests/levels.rs` against both
//! of its x86 kernels): the depth is cut into blocks of [`KC`]; within a block every output element is one
//! chain of fused multiply-adds from 0, `acc ← fma(a_p, b_p, acc)`; each block's sum is then scaled by α and
//! added to the output, `d ← d + α·acc`, a rounded product and a rounded sum, not fused (replaced by `α·acc`
//! for the first block of a `Replace`). Both vector widths keep that order, so
//! the bits are those of the portable loop at every level.

use crate::Scalar;
use faer::{MatMut, MatRef};

/// What a product does with the previous contents of its output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accum {
    /// `dst ← α·op(A)·op(B)`
    Replace,
    /// `dst ← dst + α·op(A)·op(B)`
    Add,
}

/// Depth per block: private-gemm-x86's fixed `kc`.
pub(crate) const KC: usize = 512;

/// `dst ← [dst +] α·lhs·rhs` on this thread, at the pinned level.
pub(crate) fn product<T: Scalar>(
    dst: MatMut<'_, T>,
    accum: Accum,
    lhs: MatRef<'_, T>,
    rhs: MatRef<'_, T>,
    alpha: T,
) {
    #[cfg(target_arch = "x86_64")]
    {
        use crate::simd::Level;
        let instr = match crate::simd::level() {
            Level::Avx512 => Some(private_gemm_x86::InstrSet::Avx512),
            Level::Avx2 => Some(private_gemm_x86::InstrSet::Avx256),
            Level::Portable => None,
        };
        if let Some(instr) = instr {
            return x86(instr, dst, accum, lhs, rhs, alpha);
        }
    }
    portable(dst, accum, lhs, rhs, alpha);
}

/// The product by private-gemm-x86's kernel for `instr`, on one thread.
///
/// One of the workspace's two places with `unsafe` outside tests (the other is `matrix/in_place.rs`, which
/// fills a new matrix's columns on several threads): the kernel crate's entry point takes raw pointers (faer
/// makes the same call behind its safe `matmul`).
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
fn x86<T: Scalar>(
    instr: private_gemm_x86::InstrSet,
    mut dst: MatMut<'_, T>,
    accum: Accum,
    lhs: MatRef<'_, T>,
    rhs: MatRef<'_, T>,
    alpha: T,
) {
    use private_gemm_x86 as pg;
    let (m, k, n) = (lhs.nrows(), lhs.ncols(), rhs.ncols());
    if k == 0 {
        // The kernel leaves `dst` as it is for an empty depth; a replacing product of nothing is 0.
        if accum == Accum::Replace {
            dst.fill(T::ZERO);
        }
        return;
    }
    let dtype = if T::NAME == "f64" {
        pg::DType::F64
    } else {
        pg::DType::F32
    };
    let beta = match accum {
        Accum::Replace => pg::Accum::Replace,
        Accum::Add => pg::Accum::Add,
    };
    // SAFETY: the pointers and element strides describe `dst` (m×n, writable and borrowed mutably), `lhs` (m×k)
    // and `rhs` (k×n), which `matmul` checked to chain; `dtype` is `T`'s layout (the only two `Scalar`s are f32
    // and f64); no index lists or diagonal are given (null, with `DstKind::Full`); `alpha` points to a `T`; the
    // caller pinned `instr` only after checking that this CPU has it ([`crate::simd::pin`]), and the widest
    // level is the CPU's own.
    unsafe {
        pg::gemm(
            dtype,
            pg::IType::U64,
            instr,
            m,
            n,
            k,
            dst.as_ptr_mut().cast(),
            dst.row_stride(),
            dst.col_stride(),
            std::ptr::null(),
            std::ptr::null(),
            pg::DstKind::Full,
            beta,
            lhs.as_ptr().cast(),
            lhs.row_stride(),
            lhs.col_stride(),
            false,
            std::ptr::null(),
            0,
            rhs.as_ptr().cast(),
            rhs.row_stride(),
            rhs.col_stride(),
            false,
            (&raw const alpha).cast(),
            1,
        );
    }
}

/// The product in the module's order, one element at a time (any CPU).
fn portable<T: Scalar>(
    mut dst: MatMut<'_, T>,
    accum: Accum,
    lhs: MatRef<'_, T>,
    rhs: MatRef<'_, T>,
    alpha: T,
) {
    let k = lhs.ncols();
    for j in 0..dst.ncols() {
        for i in 0..dst.nrows() {
            let mut out = match accum {
                Accum::Replace => None,
                Accum::Add => Some(dst[(i, j)]),
            };
            for p0 in (0..k).step_by(KC) {
                let mut acc = T::ZERO;
                for p in p0..(p0 + KC).min(k) {
                    acc = lhs[(i, p)].fma(rhs[(p, j)], acc);
                }
                out = Some(match out {
                    None => alpha * acc,
                    Some(d) => d + alpha * acc,
                });
            }
            dst[(i, j)] = out.unwrap_or(T::ZERO);
        }
    }
}
