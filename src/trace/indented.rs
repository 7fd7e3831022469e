//! Indented JSON as `serde_json`'s pretty printer writes it (two spaces a level), byte for byte,
//! with each line break and its indentation written at once: the pretty printer writes the
//! indentation one level at a time, which was a fifth of writing a JSON trace.

use std::io::{self, Write};

use serde_json::ser::Formatter;

/// A comma, a line break, and the indentation of the deepest level written at once.
const BREAK: &[u8; 2 + 2 * 64] = b",\n                                                                                                                                ";

/// The state of an indented document: its depth, and whether the container being written has
/// a value yet.
#[derive(Default)]
pub(crate) struct Indented {
    depth: usize,
    has_value: bool,
}

impl Indented {
    /// A line break and the indentation of the current depth, after a comma unless `first`.
    fn line<W: ?Sized + Write>(&self, writer: &mut W, first: bool) -> io::Result<()> {
        let start = usize::from(first);
        match BREAK.get(start..2 + 2 * self.depth) {
            Some(bytes) => writer.write_all(bytes),
            None => {
                writer.write_all(&BREAK[start..2])?;
                (0..self.depth).try_for_each(|_| writer.write_all(b"  "))
            }
        }
    }

    fn open<W: ?Sized + Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        writer.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.line(writer, true)?;
        }
        writer.write_all(bracket)
    }
}

impl Formatter for Indented {
    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.line(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.line(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    /// Deep, empty and full containers, written by both: the same bytes.
    #[test]
    fn writes_what_the_pretty_printer_writes() {
        let mut deep = serde_json::json!("bottom");
        for level in 0..70 {
            deep = if level % 2 == 0 {
                serde_json::json!({ "a": deep, "b": [], "c": {}, "d": [1, {"e": null}] })
            } else {
                serde_json::json!([deep, "x\n\"y\"", 2.5, true])
            };
        }
        for value in [
            serde_json::json!({}),
            serde_json::json!([]),
            serde_json::json!(1),
            deep,
        ] {
            let mut ours = Vec::new();
            value
                .serialize(&mut serde_json::Serializer::with_formatter(
                    &mut ours,
                    Indented::default(),
                ))
                .expect("writes");
            let theirs = serde_json::to_vec_pretty(&value).expect("writes");
            assert_eq!(String::from_utf8(ours), String::from_utf8(theirs));
        }
    }
}
