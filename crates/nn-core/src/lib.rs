//! nn-core
