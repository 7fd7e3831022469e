//! JSON text for the trace's serializable views, written straight into a `String`: what
//! `serde_json` writes, byte for byte (on one line, or indented two spaces a level as its
//! pretty printer does), written differently. A trace is a few hundred short pieces (about 270
//! keys and 130 strings for a claim with few posts), so what each piece costs is most of what
//! writing a trace costs:
//! - a string is checked for characters to escape eight bytes at a time, not one;
//! - a struct's key is copied whole, with the comma, line break and indentation before it and
//!   the colon after, from a per-thread table of the key texts already put together;
//! - a text a view writes with `Display` (`collect_str`: rule lines, durations) goes straight
//!   into the output, not through a `String`.
//!
//! The tests below hold the output to `serde_json`'s.

use std::fmt::{self, Display};

use serde::ser::{self, Serialize};

/// Writes `value` as JSON text: indented two spaces a level, or on one line.
pub(crate) fn to_string<T: Serialize + ?Sized>(
    value: &T,
    indented: bool,
    capacity: usize,
) -> Result<String, Error> {
    let mut writer = JsonWriter {
        out: String::with_capacity(capacity),
        indented,
        depth: 0,
        has_value: false,
        keys: KEYS.take().unwrap_or_default(),
    };
    let written = value.serialize(&mut writer);
    KEYS.set(Some(writer.keys));
    written.map(|()| writer.out)
}

/// Why a value could not be written as JSON: only a map key that is not a string, number or
/// boolean, or an error a value's own `Serialize` raised.
#[derive(Debug)]
pub(crate) struct Error(String);

impl Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: Display>(message: T) -> Self {
        Error(message.to_string())
    }
}

/// JSON text being written, and where it is in the document.
struct JsonWriter {
    out: String,
    indented: bool,
    /// How many containers are open.
    depth: usize,
    /// Whether the container written last has a value yet (kept as `serde_json`'s pretty
    /// printer keeps it: one flag, not one per level).
    has_value: bool,
    keys: Box<KeyTexts>,
}

thread_local! {
    /// The struct keys this thread has written, kept from one document to the next.
    static KEYS: std::cell::Cell<Option<Box<KeyTexts>>> = const { std::cell::Cell::new(None) };
}

/// How many pairs of key texts are kept.
const KEY_PAIRS: usize = 1024;

/// Struct keys as written, with what comes before them (a comma, a line break, the indentation)
/// and after (the colon): a trace writes the same few dozen keys at the same few depths hundreds
/// of times, so each is put together once and then copied whole. A key's text is kept in one
/// pair of slots, found by the key's address (a struct key is a `&'static str`, so its address
/// and length name one text for good), its depth, whether it comes first, and whether the
/// document is indented; a third key landing on a pair replaces the older of the two. (With
/// one slot, not two, which keys of a trace collided, and so what writing it cost, changed from
/// one build to the next with where the linker put the keys.) The table takes 96 KB a thread.
struct KeyTexts {
    pairs: Vec<[KeySlot; 2]>,
}

#[derive(Default)]
struct KeySlot {
    address: usize,
    len: usize,
    /// The depth, whether first, and whether indented, in one number.
    place: usize,
    text: String,
}

impl KeySlot {
    /// Keeps the text `write` puts together for `key` at `place`, in place of what was there.
    /// Out of line, so that the common case, the text found, stays a short function.
    #[cold]
    #[inline(never)]
    fn keep(&mut self, key: &'static str, place: usize, write: impl FnOnce(&mut String)) {
        self.text.clear();
        write(&mut self.text);
        (self.address, self.len, self.place) = (key.as_ptr().addr(), key.len(), place);
    }
}

impl Default for KeyTexts {
    fn default() -> Self {
        KeyTexts {
            pairs: std::iter::repeat_with(Default::default)
                .take(KEY_PAIRS)
                .collect(),
        }
    }
}

/// A comma, a line break, and the indentation of the deepest level written at once.
const BREAK: &str = ",\n                                                                                                                                ";

impl JsonWriter {
    /// What comes before a value in a container: a comma unless it is the first, and when
    /// indented a line break and the indentation of the current depth.
    fn separate(&mut self, first: bool) {
        write_separator(&mut self.out, first, self.indented, self.depth);
    }

    fn open(&mut self, bracket: char) {
        self.depth += 1;
        self.has_value = false;
        self.out.push(bracket);
    }

    fn close(&mut self, bracket: char) {
        self.depth -= 1;
        if self.indented && self.has_value {
            self.separate(true);
        }
        self.out.push(bracket);
    }

    /// A key, what comes before it and what separates it from its value.
    fn key(&mut self, first: bool, key: &str) {
        write_key(&mut self.out, first, self.indented, self.depth, key);
    }

    /// A struct's key, what comes before it and what separates it from its value, copied from
    /// where it was last put together at this place.
    fn static_key(&mut self, first: bool, key: &'static str) {
        let address = key.as_ptr().addr();
        let place = self.depth << 2 | usize::from(first) << 1 | usize::from(self.indented);
        let hash = (address ^ place.rotate_right(16)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let pair = &mut self.keys.pairs[hash >> (usize::BITS - KEY_PAIRS.ilog2())];
        let holds = |slot: &KeySlot| {
            slot.address == address && slot.len == key.len() && slot.place == place
        };
        let slot = if holds(&pair[0]) {
            &pair[0]
        } else if holds(&pair[1]) {
            &pair[1]
        } else {
            // The newer text stays; the older makes way.
            pair.swap(0, 1);
            let (indented, depth) = (self.indented, self.depth);
            pair[0].keep(key, place, |text| {
                write_key(text, first, indented, depth, key)
            });
            &pair[0]
        };
        self.out.push_str(&slot.text);
    }

    fn integer(&mut self, n: impl itoa::Integer) -> Result<(), Error> {
        self.out.push_str(itoa::Buffer::new().format(n));
        Ok(())
    }

    fn float(&mut self, x: impl zmij::Float) {
        self.out.push_str(zmij::Buffer::new().format_finite(x));
    }
}

/// What comes before a value in a container: a comma unless it is the first, and when
/// indented a line break and the indentation of `depth`.
fn write_separator(out: &mut String, first: bool, indented: bool, depth: usize) {
    let start = usize::from(first);
    let end = if indented { 2 + 2 * depth } else { 1 };
    match BREAK.get(start..end) {
        Some(text) => out.push_str(text),
        None => {
            out.push_str(&BREAK[start..2]);
            (0..depth).for_each(|_| out.push_str("  "));
        }
    }
}

/// A key, what comes before it and what separates it from its value.
fn write_key(out: &mut String, first: bool, indented: bool, depth: usize, key: &str) {
    write_separator(out, first, indented, depth);
    write_string(out, key);
    out.push_str(if indented { ": " } else { ":" });
}

/// `text` as a JSON string, quoted and escaped as `serde_json` escapes it.
fn write_string(out: &mut String, text: &str) {
    if needs_escape(text.as_bytes()) {
        write_escaped(out, text);
    } else {
        out.reserve(text.len() + 2);
        out.push('"');
        out.push_str(text);
        out.push('"');
    }
}

/// Whether a byte must be escaped in a JSON string: a quote, a backslash or a control
/// character (`serde_json` leaves everything else, DEL and `/` included, as it is).
fn must_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// Whether any byte of `bytes` must be escaped, looked for eight bytes at a time (the last
/// word overlapping the one before it, short texts in one or two overlapping halves).
fn needs_escape(bytes: &[u8]) -> bool {
    match bytes.len() {
        0..4 => bytes.iter().any(|&b| must_escape(b)),
        len @ 4..8 => {
            let half = |at: usize| bytes[at..at + 4].try_into().map_or(0, u32::from_ne_bytes);
            word_needs_escape(u64::from(half(0)) | u64::from(half(len - 4)) << 32)
        }
        len => {
            let (words, _) = bytes.as_chunks::<8>();
            let last = bytes[len - 8..].try_into().map_or(0, u64::from_ne_bytes);
            words
                .iter()
                .any(|&word| word_needs_escape(u64::from_ne_bytes(word)))
                || word_needs_escape(last)
        }
    }
}

/// Whether any of the eight bytes of `word` must be escaped.
fn word_needs_escape(word: u64) -> bool {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    /// The high bit is set in some byte exactly when some byte of `word` is below `n`
    /// (`n` ≤ 128): the classic "has less" test; which bytes are marked is not exact, whether
    /// any is, is.
    fn below(word: u64, n: u8) -> u64 {
        word.wrapping_sub(ONES * u64::from(n)) & !word & HIGH
    }
    /// `word` with a zero byte where it had the byte `b`, and only there.
    fn without(word: u64, b: u8) -> u64 {
        word ^ (ONES * u64::from(b))
    }
    below(word, 0x20) | below(without(word, b'"'), 1) | below(without(word, b'\\'), 1) != 0
}

/// `text` quoted and escaped: runs without escapes copied whole, each escape written as
/// `serde_json` writes it (the short forms, else `\u00XX` in lower-case hex). Out of line: few
/// strings have anything to escape.
#[cold]
#[inline(never)]
fn write_escaped(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut start = 0;
    for (i, &byte) in text.as_bytes().iter().enumerate() {
        if !must_escape(byte) {
            continue;
        }
        // Both ends are next to an ASCII byte, so on character boundaries.
        out.push_str(&text[start..i]);
        start = i + 1;
        match byte {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            _ => {
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0xf)]));
            }
        }
    }
    out.push_str(&text[start..]);
    out.push('"');
}

/// A container being written: an array or object, inside an object `{"variant": …}` when it is
/// an enum's variant.
struct Compound<'w> {
    writer: &'w mut JsonWriter,
    first: bool,
    in_variant: bool,
}

impl<'w> Compound<'w> {
    fn open(writer: &'w mut JsonWriter, bracket: char, variant: Option<&str>) -> Self {
        if let Some(variant) = variant {
            writer.open('{');
            writer.key(true, variant);
        }
        writer.open(bracket);
        Compound {
            writer,
            first: true,
            in_variant: variant.is_some(),
        }
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.writer.separate(self.first);
        self.first = false;
        value.serialize(&mut *self.writer)?;
        self.writer.has_value = true;
        Ok(())
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        self.writer.static_key(self.first, key);
        self.first = false;
        value.serialize(&mut *self.writer)?;
        self.writer.has_value = true;
        Ok(())
    }

    fn close(self, bracket: char) {
        self.writer.close(bracket);
        if self.in_variant {
            self.writer.has_value = true;
            self.writer.close('}');
        }
    }
}

/// The serializer methods for integers, each written by the serializer's own `integer`.
macro_rules! integers {
    () => {
        integers!(@each
            serialize_i8: i8,
            serialize_i16: i16,
            serialize_i32: i32,
            serialize_i64: i64,
            serialize_i128: i128,
            serialize_u8: u8,
            serialize_u16: u16,
            serialize_u32: u32,
            serialize_u64: u64,
            serialize_u128: u128,
        );
    };
    (@each $($method:ident: $type:ty),* $(,)?) => {
        $(
            fn $method(self, v: $type) -> Result<(), Error> {
                self.integer(v)
            }
        )*
    };
}

/// The methods of an array-like container (`[…]`): its elements, then its end.
macro_rules! array_like {
    ($($trait:ident :: $method:ident),* $(,)?) => {
        $(
            impl ser::$trait for Compound<'_> {
                type Ok = ();
                type Error = Error;

                fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                    self.element(value)
                }

                fn end(self) -> Result<(), Error> {
                    self.close(']');
                    Ok(())
                }
            }
        )*
    };
}

impl<'w> ser::Serializer for &'w mut JsonWriter {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'w>;
    type SerializeTuple = Compound<'w>;
    type SerializeTupleStruct = Compound<'w>;
    type SerializeTupleVariant = Compound<'w>;
    type SerializeMap = Compound<'w>;
    type SerializeStruct = Compound<'w>;
    type SerializeStructVariant = Compound<'w>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.out.push_str(if v { "true" } else { "false" });
        Ok(())
    }

    integers!();

    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        if v.is_finite() {
            self.float(v);
        } else {
            self.out.push_str("null");
        }
        Ok(())
    }

    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        if v.is_finite() {
            self.float(v);
        } else {
            self.out.push_str("null");
        }
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<(), Error> {
        write_string(&mut self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        write_string(&mut self.out, v);
        Ok(())
    }

    /// Written into the output as it comes, then escaped there if it needs it (seldom).
    fn collect_str<T: Display + ?Sized>(self, value: &T) -> Result<(), Error> {
        use fmt::Write;
        self.out.push('"');
        let start = self.out.len();
        write!(self.out, "{value}").map_err(|_| Error("a text could not be written".into()))?;
        if needs_escape(&self.out.as_bytes()[start..]) {
            let text = self.out.split_off(start - 1);
            write_escaped(&mut self.out, &text[1..]);
        } else {
            self.out.push('"');
        }
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        let mut seq = Compound::open(self, '[', None);
        for byte in v {
            seq.element(byte)?;
        }
        seq.close(']');
        Ok(())
    }

    fn serialize_none(self) -> Result<(), Error> {
        self.out.push_str("null");
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Error> {
        self.serialize_none()
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_none()
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.open('{');
        let mut object = Compound {
            writer: self,
            first: true,
            in_variant: false,
        };
        object.field(variant, value)?;
        object.close('}');
        Ok(())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'w>, Error> {
        Ok(Compound::open(self, '[', None))
    }

    fn serialize_tuple(self, _len: usize) -> Result<Compound<'w>, Error> {
        Ok(Compound::open(self, '[', None))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Compound<'w>, Error> {
        Ok(Compound::open(self, '[', None))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'w>, Error> {
        Ok(Compound::open(self, '[', Some(variant)))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'w>, Error> {
        Ok(Compound::open(self, '{', None))
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Compound<'w>, Error> {
        Ok(Compound::open(self, '{', None))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'w>, Error> {
        Ok(Compound::open(self, '{', Some(variant)))
    }
}

array_like!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field,
);

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.writer.separate(self.first);
        self.first = false;
        key.serialize(KeyWriter(&mut *self.writer))?;
        let writer = &mut *self.writer;
        writer
            .out
            .push_str(if writer.indented { ": " } else { ":" });
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut *self.writer)?;
        self.writer.has_value = true;
        Ok(())
    }

    fn end(self) -> Result<(), Error> {
        self.close('}');
        Ok(())
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(key, value)
    }

    fn end(self) -> Result<(), Error> {
        self.close('}');
        Ok(())
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(key, value)
    }

    fn end(self) -> Result<(), Error> {
        self.close('}');
        Ok(())
    }
}

/// A map key: a string, or a number or boolean written as one, as `serde_json` writes keys.
struct KeyWriter<'w>(&'w mut JsonWriter);

impl KeyWriter<'_> {
    fn quoted(self, text: &str) -> Result<(), Error> {
        write_string(&mut self.0.out, text);
        Ok(())
    }

    fn integer(self, n: impl itoa::Integer) -> Result<(), Error> {
        self.quoted(itoa::Buffer::new().format(n))
    }

    fn float(self, x: impl zmij::Float + Copy, finite: bool) -> Result<(), Error> {
        if !finite {
            return Err(Error("a float map key must be finite".into()));
        }
        self.quoted(zmij::Buffer::new().format_finite(x))
    }
}

fn key_must_be_a_string() -> Error {
    Error("a map key must be a string".into())
}

impl ser::Serializer for KeyWriter<'_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = ser::Impossible<(), Error>;
    type SerializeTuple = ser::Impossible<(), Error>;
    type SerializeTupleStruct = ser::Impossible<(), Error>;
    type SerializeTupleVariant = ser::Impossible<(), Error>;
    type SerializeMap = ser::Impossible<(), Error>;
    type SerializeStruct = ser::Impossible<(), Error>;
    type SerializeStructVariant = ser::Impossible<(), Error>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.quoted(if v { "true" } else { "false" })
    }

    integers!();

    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.float(v, v.is_finite())
    }

    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.float(v, v.is_finite())
    }

    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.quoted(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.quoted(v)
    }

    fn serialize_bytes(self, _v: &[u8]) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }

    fn serialize_none(self) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }

    fn serialize_unit(self) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.quoted(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(key_must_be_a_string())
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Error> {
        Err(key_must_be_a_string())
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(key_must_be_a_string())
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(key_must_be_a_string())
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(key_must_be_a_string())
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, Error> {
        Err(key_must_be_a_string())
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(key_must_be_a_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// Both ways of writing `value`, ours and `serde_json`'s, on one line and indented.
    fn assert_as_serde_json(value: &Value) {
        let ours = to_string(value, false, 0).expect("writes");
        assert_eq!(ours, serde_json::to_string(value).expect("writes"));
        let ours = to_string(value, true, 0).expect("writes");
        assert_eq!(ours, serde_json::to_string_pretty(value).expect("writes"));
    }

    /// Deep, empty and full containers: the same bytes.
    #[test]
    fn writes_containers_as_serde_json() {
        let mut deep = json!("bottom");
        for level in 0..70 {
            deep = if level % 2 == 0 {
                json!({ "a": deep, "b": [], "c": {}, "d": [1, {"e": null}] })
            } else {
                json!([deep, "x\n\"y\"", 2.5, true, [[]], {"f": {}}])
            };
        }
        for value in [json!({}), json!([]), json!(1), json!(null), deep] {
            assert_as_serde_json(&value);
        }
    }

    /// Every ASCII byte and some that are not, alone and in strings of every length around
    /// the eight-byte words, as values and as keys.
    #[test]
    fn escapes_as_serde_json() {
        let mut texts: Vec<String> = (0u8..0x80).map(|b| char::from(b).to_string()).collect();
        texts.extend(["é", "日本語", "😀", "\u{7f}", "/", "\u{2028}"].map(String::from));
        for len in 0..20 {
            for special in ['"', '\\', '\n', '\u{1}', '\u{1f}', ' ', 'é'] {
                for at in 0..len {
                    let text: String = "abcdefghijklmnopqrstu"
                        .chars()
                        .take(len)
                        .enumerate()
                        .map(|(i, c)| if i == at { special } else { c })
                        .collect();
                    texts.push(text);
                }
            }
        }
        for text in texts {
            assert_as_serde_json(&json!(text));
            let mut object = serde_json::Map::new();
            object.insert(text.clone(), json!([text]));
            assert_as_serde_json(&Value::Object(object));
        }
    }

    /// Struct keys at every depth (past the 64 levels written at once), first and not, in
    /// documents written one after another on one line and indented: the keys kept from one
    /// document are right in the next.
    #[test]
    fn writes_struct_keys_as_serde_json() {
        #[derive(serde::Serialize)]
        struct Node {
            name: &'static str,
            #[serde(rename = "a \"quoted\" key")]
            quoted: u8,
            leaves: Vec<Leaf>,
            child: Option<Box<Node>>,
        }
        #[derive(serde::Serialize)]
        struct Leaf {
            name: &'static str,
            value: f64,
        }
        let mut node = None;
        for level in 0..80 {
            node = Some(Box::new(Node {
                name: "node",
                quoted: 1,
                leaves: (0..level % 3)
                    .map(|i| Leaf {
                        name: "leaf",
                        value: f64::from(i) / 4.0,
                    })
                    .collect(),
                child: node,
            }));
        }
        for _ in 0..2 {
            for indented in [true, false] {
                let ours = to_string(&node, indented, 0).expect("writes");
                let theirs = if indented {
                    serde_json::to_string_pretty(&node)
                } else {
                    serde_json::to_string(&node)
                };
                assert_eq!(ours, theirs.expect("writes"));
            }
        }
    }

    /// Integers at their limits and floats as the shortest text that reads back the same.
    #[test]
    fn writes_numbers_as_serde_json() {
        let floats = [
            0.0,
            -0.0,
            1.5,
            0.1,
            1e21,
            1e-7,
            123456789.125,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            2.0f64.powi(53),
            1.0 / 3.0,
        ];
        for x in floats {
            assert_as_serde_json(&json!(x));
            assert_as_serde_json(&json!(-x));
        }
        for n in [0, 1, -1, i64::MIN, i64::MAX] {
            assert_as_serde_json(&json!(n));
        }
        assert_as_serde_json(&json!(u64::MAX));
        let nan = to_string(&f64::NAN, false, 0).expect("writes");
        assert_eq!(nan, serde_json::to_string(&f64::NAN).expect("writes"));
    }

    /// Enum variants, tuples, bytes and non-string keys, written by derived `Serialize`
    /// impls: what `serde_json` writes.
    #[test]
    fn writes_serde_shapes_as_serde_json() {
        #[derive(serde::Serialize)]
        enum Shape {
            Unit,
            Newtype(u8),
            Tuple(u8, &'static str),
            Struct { a: Option<u8>, b: () },
        }
        #[derive(serde::Serialize)]
        struct All {
            shapes: Vec<Shape>,
            tuple: (u8, char, f32),
            bytes: serde_bytes_like::Bytes,
            keys: std::collections::BTreeMap<i32, bool>,
            shown: [Shown; 3],
            bool_keys: std::collections::BTreeMap<bool, ()>,
            float: f32,
        }
        /// A text written with `collect_str`, in pieces.
        struct Shown(&'static str);
        impl Display for Shown {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.0)?;
                f.write_str(":")?;
                f.write_str(self.0)
            }
        }
        impl Serialize for Shown {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        mod serde_bytes_like {
            /// Bytes written with `serialize_bytes`.
            pub(super) struct Bytes(pub(super) &'static [u8]);
            impl serde::Serialize for Bytes {
                fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    s.serialize_bytes(self.0)
                }
            }
        }
        let all = All {
            shapes: vec![
                Shape::Unit,
                Shape::Newtype(7),
                Shape::Tuple(1, "x"),
                Shape::Struct { a: None, b: () },
                Shape::Struct { a: Some(2), b: () },
            ],
            tuple: (3, 'é', 0.1),
            bytes: serde_bytes_like::Bytes(b"\x00\xff"),
            keys: [(-1, true), (20, false)].into(),
            shown: [Shown("rules.cred"), Shown("a \"b\"\n"), Shown("")],
            bool_keys: [(true, ())].into(),
            float: f32::INFINITY,
        };
        for indented in [false, true] {
            let ours = to_string(&all, indented, 0).expect("writes");
            let theirs = if indented {
                serde_json::to_string_pretty(&all)
            } else {
                serde_json::to_string(&all)
            };
            assert_eq!(ours, theirs.expect("writes"));
        }
        let unit_key: std::collections::BTreeMap<(), u8> = [((), 1)].into();
        assert!(to_string(&unit_key, false, 0).is_err());
        assert!(serde_json::to_string(&unit_key).is_err());
    }
}
