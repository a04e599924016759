//! Turning a flattened sample back into an upright image, for plots.

/// How a sample's pixels are laid out in its row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PixelOrder {
    /// MATLAB's order, as in the course's digits: pixel (r, c) is at `r + height·c`.
    ColumnMajor,
    /// C's order, as in MNIST's IDX files: pixel (r, c) is at `r·width + c`.
    RowMajor,
}

/// An upright grey-scale image, row-major (`pixels[r * width + c]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Image {
    /// Columns.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// `width · height` values.
    pub pixels: Vec<f64>,
}

impl Image {
    /// The `height × width` image in `row`. Returns `None` if the row's length is not `width · height`.
    ///
    /// The course's 20×20 digits are stored column-major, so `Image::from_row(x, 20, 20, ColumnMajor)`
    /// stands them upright.
    pub fn from_row(row: &[f64], width: usize, height: usize, order: PixelOrder) -> Option<Image> {
        if row.len() != width * height {
            return None;
        }
        let pixels = (0..height)
            .flat_map(|r| {
                (0..width).map(move |c| match order {
                    PixelOrder::ColumnMajor => row[r + height * c],
                    PixelOrder::RowMajor => row[r * width + c],
                })
            })
            .collect();
        Some(Image {
            width,
            height,
            pixels,
        })
    }

    /// Pixel at row `r`, column `c`.
    pub fn get(&self, r: usize, c: usize) -> f64 {
        self.pixels[r * self.width + c]
    }

    /// A quick look in a terminal: darker characters for larger values.
    pub fn to_ascii(&self) -> String {
        const RAMP: &[u8] = b" .:-=+*#%@";
        let mut s = String::with_capacity((self.width + 3) * self.height);
        for r in 0..self.height {
            s.push('|');
            for c in 0..self.width {
                let v = self.get(r, c).clamp(0.0, 1.0);
                s.push(RAMP[((v * (RAMP.len() - 1) as f64).round()) as usize] as char);
            }
            s.push_str("|\n");
        }
        s
    }
}
