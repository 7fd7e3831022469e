//! Python objects built straight from a `serde::Serialize` value (a trace), as `json.loads`
//! gives them for the value's JSON text: dicts, lists, str, int, float, bool and None.
//!
//! `pythonize` does this in general; a trace repeats a few dozen field names thousands of
//! times, and creating (and hashing) each name anew made the trace slower to build than to
//! write as JSON and parse again. Here each field name is created once per conversion and
//! reused, which makes building the objects faster than the JSON round trip.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

use pyo3::IntoPyObjectExt;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use serde::ser::{self, Serialize};

/// `value` as Python objects.
pub(crate) fn to_python<'py, T: Serialize + ?Sized>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    let names = RefCell::new(HashMap::new());
    value
        .serialize(Builder { py, names: &names })
        .map_err(|Error(e)| e)
}

/// A Python error, as serde needs one.
#[derive(Debug)]
struct Error(PyErr);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<M: fmt::Display>(message: M) -> Self {
        Error(PyValueError::new_err(message.to_string()))
    }
}

impl From<PyErr> for Error {
    fn from(e: PyErr) -> Self {
        Error(e)
    }
}

type Built<'py> = Result<Bound<'py, PyAny>, Error>;

/// Builds one value; `names` holds the field names created so far.
#[derive(Clone, Copy)]
struct Builder<'n, 'py> {
    py: Python<'py>,
    names: &'n RefCell<HashMap<&'static str, Bound<'py, PyString>>>,
}

impl<'py> Builder<'_, 'py> {
    fn name(&self, name: &'static str) -> Bound<'py, PyString> {
        self.names
            .borrow_mut()
            .entry(name)
            .or_insert_with(|| PyString::new(self.py, name))
            .clone()
    }

    fn object<T: IntoPyObject<'py>>(&self, value: T) -> Built<'py> {
        Ok(value.into_bound_py_any(self.py)?)
    }

    fn unsupported(what: &str) -> Error {
        Error(PyValueError::new_err(format!(
            "{what} has no Python form in a trace"
        )))
    }
}

/// A list being built.
struct Seq<'n, 'py> {
    builder: Builder<'n, 'py>,
    items: Vec<Bound<'py, PyAny>>,
}

/// A dict being built, with the key whose value comes next.
struct Map<'n, 'py> {
    builder: Builder<'n, 'py>,
    dict: Bound<'py, PyDict>,
    key: Option<Bound<'py, PyAny>>,
}

impl<'n, 'py> ser::Serializer for Builder<'n, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Error;
    type SerializeSeq = Seq<'n, 'py>;
    type SerializeTuple = Seq<'n, 'py>;
    type SerializeTupleStruct = Seq<'n, 'py>;
    type SerializeTupleVariant = ser::Impossible<Self::Ok, Error>;
    type SerializeMap = Map<'n, 'py>;
    type SerializeStruct = Map<'n, 'py>;
    type SerializeStructVariant = ser::Impossible<Self::Ok, Error>;

    fn serialize_bool(self, v: bool) -> Built<'py> {
        self.object(v)
    }
    fn serialize_i8(self, v: i8) -> Built<'py> {
        self.object(v)
    }
    fn serialize_i16(self, v: i16) -> Built<'py> {
        self.object(v)
    }
    fn serialize_i32(self, v: i32) -> Built<'py> {
        self.object(v)
    }
    fn serialize_i64(self, v: i64) -> Built<'py> {
        self.object(v)
    }
    fn serialize_u8(self, v: u8) -> Built<'py> {
        self.object(v)
    }
    fn serialize_u16(self, v: u16) -> Built<'py> {
        self.object(v)
    }
    fn serialize_u32(self, v: u32) -> Built<'py> {
        self.object(v)
    }
    fn serialize_u64(self, v: u64) -> Built<'py> {
        self.object(v)
    }
    fn serialize_f32(self, v: f32) -> Built<'py> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Built<'py> {
        // JSON has no NaN or infinity: serde_json writes them as null.
        if v.is_finite() {
            self.object(v)
        } else {
            self.serialize_none()
        }
    }
    fn serialize_char(self, v: char) -> Built<'py> {
        self.object(v)
    }
    fn serialize_str(self, v: &str) -> Built<'py> {
        self.object(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Built<'py> {
        // As serde_json writes bytes: a list of numbers.
        Ok(PyList::new(self.py, v)?.into_any())
    }
    fn serialize_none(self) -> Built<'py> {
        Ok(self.py.None().into_bound(self.py))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Built<'py> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Built<'py> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Built<'py> {
        self.serialize_none()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Built<'py> {
        Ok(self.name(variant).into_any())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Built<'py> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Built<'py> {
        let dict = PyDict::new(self.py);
        dict.set_item(self.name(variant), value.serialize(self)?)?;
        Ok(dict.into_any())
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Seq<'n, 'py>, Error> {
        Ok(Seq {
            builder: self,
            items: Vec::with_capacity(len.unwrap_or(0)),
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq<'n, 'py>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Seq<'n, 'py>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(Self::unsupported("a tuple variant"))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Map<'n, 'py>, Error> {
        Ok(Map {
            builder: self,
            dict: PyDict::new(self.py),
            key: None,
        })
    }
    fn serialize_struct(self, _: &'static str, len: usize) -> Result<Map<'n, 'py>, Error> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(Self::unsupported("a struct variant"))
    }
}

impl<'py> ser::SerializeSeq for Seq<'_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.items.push(value.serialize(self.builder)?);
        Ok(())
    }
    fn end(self) -> Built<'py> {
        Ok(PyList::new(self.builder.py, self.items)?.into_any())
    }
}

impl<'py> ser::SerializeTuple for Seq<'_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Built<'py> {
        ser::SerializeSeq::end(self)
    }
}

impl<'py> ser::SerializeTupleStruct for Seq<'_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Built<'py> {
        ser::SerializeSeq::end(self)
    }
}

impl<'py> ser::SerializeMap for Map<'_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.key = Some(key.serialize(self.builder)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let key = self
            .key
            .take()
            .ok_or_else(|| <Error as ser::Error>::custom("a map value without its key"))?;
        self.dict.set_item(key, value.serialize(self.builder)?)?;
        Ok(())
    }
    fn end(self) -> Built<'py> {
        Ok(self.dict.into_any())
    }
}

impl<'py> ser::SerializeStruct for Map<'_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        let value = value.serialize(self.builder)?;
        self.dict.set_item(self.builder.name(name), value)?;
        Ok(())
    }
    fn end(self) -> Built<'py> {
        Ok(self.dict.into_any())
    }
}
