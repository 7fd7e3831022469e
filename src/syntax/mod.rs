//! Syntax: text to a tree of items with spans ([`parse_file`]).

pub mod ast;
mod error;
mod expr;
mod lexeme;
mod parser;

pub use parser::parse_file;
