//! The language server's framing on standard input and output: `Content-Length` headers, then a
//! JSON-RPC message. Reading is bounded (header lines and message size), so a broken or hostile
//! client cannot make the server allocate without limit.

use std::io::{self, BufRead, Read, Write};

use lsp_server::Message;

/// The largest message read: a rule file at its size limit, JSON-escaped, with room to spare.
pub(crate) const MAX_MESSAGE: usize = 64 << 20;

/// The longest header line read.
const MAX_HEADER_LINE: u64 = 8 << 10;

/// What came in.
pub(crate) enum Incoming {
    /// A message.
    Message(Message),
    /// A well-framed body that is not a JSON-RPC message (answered with a parse error).
    Unparsable(String),
    /// A request whose id is neither a number nor a string (`null`, an object): answered with
    /// an invalid-request error, since it cannot be answered under its own id.
    BadId,
    /// The client closed the stream.
    End,
}

/// Reads the next message. A framing error (a header that is not one, a size over the limit)
/// is an `Err`: after it the stream cannot be trusted.
pub(crate) fn read(input: &mut impl BufRead) -> io::Result<Incoming> {
    let mut length = None;
    let mut line = String::new();
    loop {
        line.clear();
        let read = input.by_ref().take(MAX_HEADER_LINE).read_line(&mut line)?;
        if read == 0 {
            return match length {
                None => Ok(Incoming::End),
                Some(_) => Err(invalid("the stream ended inside a header")),
            };
        }
        let Some(header) = line.strip_suffix("\r\n") else {
            return Err(invalid("a header line must end with CR LF"));
        };
        if header.is_empty() {
            break;
        }
        let (name, value) = header
            .split_once(':')
            .ok_or_else(|| invalid("a header must be `Name: value`"))?;
        if name.trim().eq_ignore_ascii_case("Content-Length") {
            let size: usize = value
                .trim()
                .parse()
                .map_err(|_| invalid("Content-Length is not a number"))?;
            if size > MAX_MESSAGE {
                return Err(invalid(&format!(
                    "a message of {size} bytes is over the limit of {MAX_MESSAGE}"
                )));
            }
            length = Some(size);
        }
    }
    let size = length.ok_or_else(|| invalid("a message without Content-Length"))?;
    let mut body = vec![0; size];
    input.read_exact(&mut body)?;
    let value: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(e) => return Ok(Incoming::Unparsable(e.to_string())),
    };
    if let Some(id) = value.get("id")
        && value.get("method").is_some()
        && !(id.is_string() || id.is_i64() || id.is_u64())
    {
        return Ok(Incoming::BadId);
    }
    Ok(match serde_json::from_value(value) {
        Ok(message) => Incoming::Message(message),
        Err(e) => Incoming::Unparsable(e.to_string()),
    })
}

/// Writes a message.
pub(crate) fn write(output: &mut impl Write, message: Message) -> io::Result<()> {
    message.write(output)
}

/// Writes the JSON-RPC parse error for a body that could not be read as a message.
pub(crate) fn write_parse_error(output: &mut impl Write, problem: &str) -> io::Result<()> {
    write_error(
        output,
        -32700,
        &format!("not a JSON-RPC message: {problem}"),
    )
}

/// Writes the JSON-RPC error for a request whose id cannot be answered.
pub(crate) fn write_bad_id(output: &mut impl Write) -> io::Result<()> {
    write_error(
        output,
        -32600,
        "a request's id must be a number or a string",
    )
}

/// Writes an error response that answers no particular request (`id` null).
fn write_error(output: &mut impl Write, code: i32, message: &str) -> io::Result<()> {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": {"code": code, "message": message},
    })
    .to_string();
    write!(output, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    output.flush()
}

fn invalid(problem: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, problem.to_string())
}

#[cfg(test)]
mod tests {
    use super::{Incoming, read};

    fn frame(body: &str) -> Vec<u8> {
        format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
    }

    #[test]
    fn reads_messages_and_the_end() {
        let mut input = frame(r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#);
        input.extend(frame("{not json"));
        let mut reader = input.as_slice();
        assert!(matches!(read(&mut reader), Ok(Incoming::Message(_))));
        assert!(matches!(read(&mut reader), Ok(Incoming::Unparsable(_))));
        assert!(matches!(read(&mut reader), Ok(Incoming::End)));
    }

    #[test]
    fn refuses_oversized_and_malformed_frames() {
        let huge = b"Content-Length: 99999999999\r\n\r\n".to_vec();
        assert!(read(&mut huge.as_slice()).is_err());
        let bare = b"Content-Length: 2\n\n{}".to_vec();
        assert!(read(&mut bare.as_slice()).is_err());
        let endless = vec![b'a'; 100_000];
        assert!(read(&mut endless.as_slice()).is_err());
    }
}
