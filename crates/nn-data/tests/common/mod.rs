//! Test fixtures: a small MAT-file (level 5) writer.
#![allow(dead_code)] // shared by several test binaries; each uses a part

use std::io::Write;

/// One variable to write. `data` is already encoded in `mi_type` (little-endian), column-major.
pub struct Var {
    pub name: &'static str,
    pub class: u8,
    pub mi_type: u32,
    pub dims: Vec<i32>,
    pub data: Vec<u8>,
    pub imag: Option<Vec<u8>>,
}

impl Var {
    /// A `rows`×`cols` variable of MATLAB class `class` whose data is `data`, already encoded in `mi_type`.
    pub fn new(
        name: &'static str,
        (class, mi_type): (u8, u32),
        dims: (usize, usize),
        data: Vec<u8>,
    ) -> Var {
        let dims = vec![dims.0 as i32, dims.1 as i32];
        Var {
            name,
            class,
            mi_type,
            dims,
            data,
            imag: None,
        }
    }

    pub fn doubles(name: &'static str, rows: usize, cols: usize, col_major: &[f64]) -> Var {
        let data = col_major.iter().flat_map(|v| v.to_le_bytes()).collect();
        Var::new(name, (6, 9), (rows, cols), data)
    }

    /// Class double stored as miUINT8, as the course's y is.
    pub fn double_as_u8(name: &'static str, rows: usize, cols: usize, values: &[u8]) -> Var {
        Var::new(name, (6, 2), (rows, cols), values.to_vec())
    }

    pub fn int32(name: &'static str, rows: usize, cols: usize, values: &[i32]) -> Var {
        let data = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        Var::new(name, (12, 5), (rows, cols), data)
    }
}

fn element(out: &mut Vec<u8>, ty: u32, data: &[u8]) {
    if data.len() <= 4 && ty != 14 {
        // packed ("small") element
        out.extend_from_slice(&(((data.len() as u32) << 16) | ty).to_le_bytes());
        let mut four = [0u8; 4];
        four[..data.len()].copy_from_slice(data);
        out.extend_from_slice(&four);
        return;
    }
    out.extend_from_slice(&ty.to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(data);
    while !out.len().is_multiple_of(8) {
        out.push(0);
    }
}

/// The miMATRIX element of `v`, tag included.
pub fn matrix_element(v: &Var) -> Vec<u8> {
    let mut body = Vec::new();
    let flags = u32::from(v.class) | if v.imag.is_some() { 0x0800 } else { 0 };
    element(
        &mut body,
        6,
        &[flags.to_le_bytes(), 0u32.to_le_bytes()].concat(),
    );
    element(
        &mut body,
        5,
        &v.dims
            .iter()
            .flat_map(|d| d.to_le_bytes())
            .collect::<Vec<_>>(),
    );
    element(&mut body, 1, v.name.as_bytes());
    element(&mut body, v.mi_type, &v.data);
    if let Some(imag) = &v.imag {
        element(&mut body, v.mi_type, imag);
    }
    let mut out = Vec::new();
    element(&mut out, 14, &body);
    out
}

/// A whole file: header, then each variable, zlib-compressed (miCOMPRESSED) or not.
pub fn mat_file(vars: &[Var], compressed: bool) -> Vec<u8> {
    let mut out = header();
    for v in vars {
        let m = matrix_element(v);
        if compressed {
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(6));
            z.write_all(&m).unwrap();
            let c = z.finish().unwrap();
            out.extend_from_slice(&15u32.to_le_bytes());
            out.extend_from_slice(&(c.len() as u32).to_le_bytes());
            out.extend_from_slice(&c);
        } else {
            out.extend_from_slice(&m);
        }
    }
    out
}

/// A raw miMATRIX element with arbitrary class and no data, e.g. a cell (1) or sparse (5) array.
pub fn kind_only(name: &'static str, class: u8) -> Var {
    Var {
        name,
        class,
        mi_type: 9,
        dims: vec![1, 1],
        data: 0f64.to_le_bytes().to_vec(),
        imag: None,
    }
}

pub fn header() -> Vec<u8> {
    let mut h = format!("{:<116}", "MATLAB 5.0 MAT-file, written by nn-data's tests").into_bytes();
    h.extend_from_slice(&[0u8; 8]);
    h.extend_from_slice(&0x0100u16.to_le_bytes());
    h.extend_from_slice(b"IM");
    h
}

/// `text` contains `needle`; the message shows all of `text`.
pub fn assert_contains(text: &str, needle: &str) {
    assert!(text.contains(needle), "'{needle}' not in: {text}");
}
