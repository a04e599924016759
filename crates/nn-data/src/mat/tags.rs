//! The numbers of the level 5 format that nn reads (`scan`) and writes (nn-export's Θ writer): the data
//! types of elements (miINT8, …) and the class of a double array, after MathWorks' "MAT-File Format".

/// miINT8: bytes (a variable's name).
pub const MI_INT8: u32 = 1;
/// miINT32: 32-bit integers (an array's dimensions).
pub const MI_INT32: u32 = 5;
/// miUINT32: unsigned 32-bit integers (an array's flags).
pub const MI_UINT32: u32 = 6;
/// miDOUBLE: IEEE doubles.
pub const MI_DOUBLE: u32 = 9;
/// miMATRIX: one array, with its sub-elements.
pub const MI_MATRIX: u32 = 14;
/// miCOMPRESSED: a zlib stream holding elements.
pub const MI_COMPRESSED: u32 = 15;
/// mxDOUBLE_CLASS: the array class of a double matrix.
pub const MX_DOUBLE_CLASS: u32 = 6;
