//! `nn`: train, evaluate and inspect multi-layer perceptrons from the command line.

fn main() {
    println!("nn {}", env!("CARGO_PKG_VERSION"));
}
