//! `credence lsp`: a language server over standard input and output, on the same front end as
//! `credence check` (the same lexer, recovering parser and checker; nothing is parsed twice
//! differently). It publishes diagnostics as documents change, and answers hover, go to
//! definition, references, completion, formatting and code actions (the diagnostics' patches).
//!
//! Messages are handled one at a time, in order: each request is answered before the next is
//! read, so a session's output is a function of its input (the golden tests rely on it).

mod complete;
mod hover;
mod position;
mod symbols;
mod transport;
mod workspace;

use std::collections::BTreeSet;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};

use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, CompletionOptions, CompletionParams, CompletionResponse,
    DiagnosticRelatedInformation, DiagnosticSeverity, DidChangeTextDocumentParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams,
    DocumentFormattingParams, GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverContents,
    HoverParams, HoverProviderCapability, InitializeParams, InitializeResult, Location,
    MarkupContent, MarkupKind, NumberOrString, OneOf, PositionEncodingKind,
    PublishDiagnosticsParams, ReferenceParams, ServerCapabilities, ServerInfo,
    TextDocumentPositionParams, TextDocumentSyncCapability, TextDocumentSyncKind, TextEdit, Uri,
    WorkspaceEdit,
};

use crate::check::Analysis;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{FileId, SourceMap, Span};
use position::{Encoding, LineIndex};
use symbols::{Found, Symbols};
use workspace::{Workspace, path_of, uri_of};

/// Serves one client on `input` and `output` until it says `exit` or closes the stream. Returns
/// whether the session ended as the protocol asks (`shutdown`, then `exit`).
pub fn serve(input: &mut impl BufRead, output: &mut impl Write) -> io::Result<bool> {
    let mut server = Server {
        output,
        encoding: Encoding::Utf16,
        initialized: false,
        shut_down: false,
        workspace: Workspace::default(),
        published: BTreeSet::new(),
    };
    loop {
        match transport::read(input)? {
            transport::Incoming::End => return Ok(false),
            transport::Incoming::Unparsable(problem) => {
                transport::write_parse_error(server.output, &problem)?;
            }
            transport::Incoming::BadId => transport::write_bad_id(server.output)?,
            transport::Incoming::Message(Message::Request(request)) => server.request(request)?,
            transport::Incoming::Message(Message::Notification(n)) if n.method == "exit" => {
                return Ok(server.shut_down);
            }
            transport::Incoming::Message(Message::Notification(n)) => server.notification(n)?,
            // Replies to requests the server never makes.
            transport::Incoming::Message(Message::Response(_)) => {}
        }
    }
}

struct Server<'o, W: Write> {
    output: &'o mut W,
    encoding: Encoding,
    initialized: bool,
    shut_down: bool,
    workspace: Workspace,
    /// Files with diagnostics published, so that fixed ones are cleared.
    published: BTreeSet<PathBuf>,
}

/// A request's answer: a result, or an error code and message.
type Answer = Result<serde_json::Value, (ErrorCode, String)>;

impl<W: Write> Server<'_, W> {
    fn send(&mut self, message: impl Into<Message>) -> io::Result<()> {
        transport::write(self.output, message.into())
    }

    fn request(&mut self, request: Request) -> io::Result<()> {
        let id = request.id.clone();
        let answer = if request.method == "initialize" && self.initialized {
            Err((
                ErrorCode::InvalidRequest,
                "the server is already initialized".into(),
            ))
        } else if request.method == "initialize" {
            self.initialize(request)
        } else if !self.initialized {
            Err((
                ErrorCode::ServerNotInitialized,
                "the first request must be `initialize`".into(),
            ))
        } else if self.shut_down {
            Err((
                ErrorCode::InvalidRequest,
                "the server is shut down; only `exit` is accepted".into(),
            ))
        } else {
            self.answer(request)
        };
        self.reply(id, answer)
    }

    fn reply(&mut self, id: RequestId, answer: Answer) -> io::Result<()> {
        let response = match answer {
            Ok(result) => Response::new_ok(id, result),
            Err((code, message)) => Response::new_err(id, code as i32, message),
        };
        self.send(response)
    }

    fn initialize(&mut self, request: Request) -> Answer {
        let params: InitializeParams = parse(request.params)?;
        let utf8 = params
            .capabilities
            .general
            .and_then(|g| g.position_encodings)
            .is_some_and(|offered| offered.contains(&PositionEncodingKind::UTF8));
        self.encoding = if utf8 {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        };
        self.initialized = true;
        let capabilities = ServerCapabilities {
            position_encoding: Some(if utf8 {
                PositionEncodingKind::UTF8
            } else {
                PositionEncodingKind::UTF16
            }),
            text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            definition_provider: Some(OneOf::Left(true)),
            references_provider: Some(OneOf::Left(true)),
            completion_provider: Some(CompletionOptions {
                trigger_characters: Some(vec![".".into(), "\"".into()]),
                ..CompletionOptions::default()
            }),
            document_formatting_provider: Some(OneOf::Left(true)),
            code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
            ..ServerCapabilities::default()
        };
        to_value(InitializeResult {
            capabilities,
            server_info: Some(ServerInfo {
                name: "credence".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        })
    }

    fn answer(&mut self, request: Request) -> Answer {
        match request.method.as_str() {
            "shutdown" => {
                self.shut_down = true;
                Ok(serde_json::Value::Null)
            }
            "textDocument/hover" => self.hover(parse(request.params)?),
            "textDocument/definition" => self.definition(parse(request.params)?),
            "textDocument/references" => self.references(parse(request.params)?),
            "textDocument/completion" => self.completion(parse(request.params)?),
            "textDocument/formatting" => self.formatting(parse(request.params)?),
            "textDocument/codeAction" => self.code_actions(parse(request.params)?),
            other => Err((
                ErrorCode::MethodNotFound,
                format!("`{other}` is not supported"),
            )),
        }
    }

    fn notification(&mut self, notification: Notification) -> io::Result<()> {
        if !self.initialized {
            return Ok(());
        }
        let changed = match notification.method.as_str() {
            "textDocument/didOpen" => parse::<DidOpenTextDocumentParams>(notification.params)
                .ok()
                .and_then(|p| {
                    let path = path_of(&p.text_document.uri)?;
                    self.workspace.set(path.clone(), p.text_document.text);
                    Some(path)
                }),
            "textDocument/didChange" => {
                parse::<DidChangeTextDocumentParams>(notification.params)
                    .ok()
                    .and_then(|p| {
                        let path = path_of(&p.text_document.uri)?;
                        // Full synchronization: the last change holds the whole text.
                        let text = p.content_changes.into_iter().next_back()?.text;
                        self.workspace.set(path.clone(), text);
                        Some(path)
                    })
            }
            "textDocument/didSave" => parse::<DidSaveTextDocumentParams>(notification.params)
                .ok()
                .and_then(|p| path_of(&p.text_document.uri)),
            "textDocument/didClose" => {
                let closed = parse::<DidCloseTextDocumentParams>(notification.params)
                    .ok()
                    .and_then(|p| path_of(&p.text_document.uri));
                return match closed {
                    Some(path) => self.close(&path),
                    None => Ok(()),
                };
            }
            _ => None,
        };
        match changed {
            Some(path) if crate::check::is_rule_file(&path) => self.publish(&path),
            _ => Ok(()),
        }
    }

    /// Closes a document: a file on disk is checked again as saved; an unsaved one leaves its
    /// rule set, so its diagnostics are cleared and the files it was checked with re-checked.
    fn close(&mut self, path: &Path) -> io::Result<()> {
        self.workspace.close(path);
        if !crate::check::is_rule_file(path) {
            return Ok(());
        }
        if path.is_file() {
            return self.publish(path);
        }
        if let Some(uri) = uri_of(path) {
            self.published.remove(path);
            let params = PublishDiagnosticsParams::new(uri, Vec::new(), None);
            self.send(Notification::new(
                "textDocument/publishDiagnostics".into(),
                params,
            ))?;
        }
        let sibling = self
            .published
            .iter()
            .find(|p| p.parent() == path.parent())
            .cloned();
        match sibling {
            Some(sibling) => self.publish(&sibling),
            None => Ok(()),
        }
    }

    /// Checks the rule set of `path` and publishes the diagnostics of each of its files (and an
    /// empty list for a file of its directory whose problems are gone).
    fn publish(&mut self, path: &Path) -> io::Result<()> {
        let mut by_file: Vec<(PathBuf, Vec<lsp_types::Diagnostic>)> = Vec::new();
        match self.workspace.analyze(path) {
            Ok(analysis) => {
                let (sources, diagnostics) = parts(&analysis);
                for (id, file) in sources.files().iter().enumerate() {
                    let id = FileId(id as u32);
                    let lines = LineIndex::new(&file.text, self.encoding);
                    let converted = diagnostics
                        .iter()
                        .filter(|d| d.span.file == id)
                        .map(|d| self.convert(d, &lines, sources))
                        .collect();
                    by_file.push((PathBuf::from(&file.name), converted));
                }
            }
            Err(e) => {
                let problem = lsp_types::Diagnostic {
                    message: format!("cannot read {e}"),
                    severity: Some(DiagnosticSeverity::ERROR),
                    source: Some("credence".into()),
                    ..lsp_types::Diagnostic::default()
                };
                by_file.push((path.to_path_buf(), vec![problem]));
            }
        }
        let dir = path.parent().map(Path::to_path_buf);
        let now: BTreeSet<PathBuf> = by_file.iter().map(|(p, _)| p.clone()).collect();
        let gone: Vec<PathBuf> = self
            .published
            .iter()
            .filter(|p| p.parent().map(Path::to_path_buf) == dir && !now.contains(*p))
            .cloned()
            .collect();
        for path in gone {
            self.published.remove(&path);
            by_file.push((path, Vec::new()));
        }
        for (path, diagnostics) in by_file {
            let Some(uri) = uri_of(&path) else { continue };
            if diagnostics.is_empty() {
                self.published.remove(&path);
            } else {
                self.published.insert(path);
            }
            let params = PublishDiagnosticsParams::new(uri, diagnostics, None);
            self.send(Notification::new(
                "textDocument/publishDiagnostics".into(),
                params,
            ))?;
        }
        Ok(())
    }

    fn convert(
        &self,
        d: &Diagnostic,
        lines: &LineIndex<'_>,
        sources: &SourceMap,
    ) -> lsp_types::Diagnostic {
        let mut message = d.message.clone();
        if !d.label.is_empty() {
            message.push_str(&format!(": {}", d.label));
        }
        if let Some(help) = &d.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        let related: Vec<DiagnosticRelatedInformation> = d
            .notes
            .iter()
            .filter_map(|note| {
                Some(DiagnosticRelatedInformation {
                    location: self.location(sources, note.span)?,
                    message: note.text.clone(),
                })
            })
            .collect();
        lsp_types::Diagnostic {
            range: lines.range(d.span.start as usize, d.span.end as usize),
            severity: Some(match d.severity {
                Severity::Error => DiagnosticSeverity::ERROR,
                Severity::Warning => DiagnosticSeverity::WARNING,
            }),
            code: Some(NumberOrString::String(d.code.as_str().into())),
            source: Some("credence".into()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            ..lsp_types::Diagnostic::default()
        }
    }

    /// The location of a span in a loaded file.
    fn location(&self, sources: &SourceMap, span: Span) -> Option<Location> {
        let file = sources.files().get(span.file.0 as usize)?;
        let lines = LineIndex::new(&file.text, self.encoding);
        Some(Location::new(
            uri_of(Path::new(&file.name))?,
            lines.range(span.start as usize, span.end as usize),
        ))
    }

    /// The analysis of the document at a position, the document's file id and the byte offset.
    fn at(&self, position: &TextDocumentPositionParams) -> Option<(Analysis, FileId, usize)> {
        let path = path_of(&position.text_document.uri)?;
        let analysis = self.workspace.analyze(&path).ok()?;
        let (sources, _) = parts(&analysis);
        let (id, file) = file_of(sources, &path)?;
        let offset = LineIndex::new(&file.text, self.encoding).offset(position.position);
        Some((analysis, id, offset))
    }

    fn hover(&self, params: HoverParams) -> Answer {
        let Some((analysis, file, offset)) = self.at(&params.text_document_position_params) else {
            return Ok(serde_json::Value::Null);
        };
        let (sources, _) = parts(&analysis);
        let symbols = Symbols::of(&analysis.files);
        let (text, span) = match symbols.at(file, offset as u32) {
            Some(Found::Definition(index)) => {
                let definition = &symbols.definitions[index];
                let span = symbols
                    .references
                    .iter()
                    .map(|(span, _)| *span)
                    .chain(std::iter::once(definition.name.span))
                    .find(|s| {
                        s.file == file && s.start as usize <= offset && offset <= s.end as usize
                    })
                    .unwrap_or(definition.name.span);
                (hover::definition(definition, sources), span)
            }
            Some(Found::CasePath(path, segment)) => (
                hover::case_path(path, segment, analysis.schema.as_ref()),
                path.segments[segment].span,
            ),
            Some(Found::Hypothesis(path)) => (
                hover::hypothesis(path),
                path[0].span.to(path[path.len() - 1].span),
            ),
            None => return Ok(serde_json::Value::Null),
        };
        let range = self.location(sources, span).map(|l| l.range);
        to_value(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: text,
            }),
            range,
        })
    }

    fn definition(&self, params: GotoDefinitionParams) -> Answer {
        let Some((analysis, file, offset)) = self.at(&params.text_document_position_params) else {
            return Ok(serde_json::Value::Null);
        };
        let symbols = Symbols::of(&analysis.files);
        let Some(Found::Definition(index)) = symbols.at(file, offset as u32) else {
            return Ok(serde_json::Value::Null);
        };
        let (sources, _) = parts(&analysis);
        match self.location(sources, symbols.definitions[index].name.span) {
            Some(location) => to_value(GotoDefinitionResponse::Scalar(location)),
            None => Ok(serde_json::Value::Null),
        }
    }

    fn references(&self, params: ReferenceParams) -> Answer {
        let Some((analysis, file, offset)) = self.at(&params.text_document_position) else {
            return Ok(serde_json::Value::Null);
        };
        let symbols = Symbols::of(&analysis.files);
        let Some(Found::Definition(index)) = symbols.at(file, offset as u32) else {
            return Ok(serde_json::Value::Null);
        };
        let (sources, _) = parts(&analysis);
        let declaration = params
            .context
            .include_declaration
            .then_some(symbols.definitions[index].name.span);
        let locations: Vec<Location> = declaration
            .into_iter()
            .chain(symbols.references_to(index))
            .filter_map(|span| self.location(sources, span))
            .collect();
        to_value(locations)
    }

    fn completion(&self, params: CompletionParams) -> Answer {
        let position = &params.text_document_position;
        let Some(path) = path_of(&position.text_document.uri) else {
            return Ok(serde_json::Value::Null);
        };
        let Some(text) = self.document_text(&path) else {
            return Ok(serde_json::Value::Null);
        };
        let lines = LineIndex::new(&text, self.encoding);
        let offset = lines.offset(position.position);
        let analysis = self.workspace.analyze(&path).ok();
        let symbols = analysis
            .as_ref()
            .map(|a| Symbols::of(&a.files))
            .unwrap_or_default();
        let schema = analysis.as_ref().and_then(|a| a.schema.as_ref());
        let items = complete::items(&text, offset, &lines, &symbols, schema);
        to_value(CompletionResponse::Array(items))
    }

    fn formatting(&self, params: DocumentFormattingParams) -> Answer {
        let Some(path) = path_of(&params.text_document.uri) else {
            return Ok(serde_json::Value::Null);
        };
        let Some(text) = self.document_text(&path) else {
            return Ok(serde_json::Value::Null);
        };
        let formatted = crate::syntax::format_source(&text).map_err(|e| {
            (
                ErrorCode::RequestFailed,
                format!(
                    "cannot format the file until its brackets balance: line {}, column {}: {}",
                    e.line, e.column, e.message
                ),
            )
        })?;
        if formatted == text {
            return to_value(Vec::<TextEdit>::new());
        }
        let lines = LineIndex::new(&text, self.encoding);
        to_value(vec![TextEdit::new(lines.range(0, text.len()), formatted)])
    }

    /// A quick fix for each diagnostic in the range that carries patches.
    fn code_actions(&self, params: CodeActionParams) -> Answer {
        let Some(path) = path_of(&params.text_document.uri) else {
            return Ok(serde_json::Value::Null);
        };
        let Ok(analysis) = self.workspace.analyze(&path) else {
            return Ok(serde_json::Value::Null);
        };
        let (sources, diagnostics) = parts(&analysis);
        let Some((file, text)) = file_of(sources, &path) else {
            return Ok(serde_json::Value::Null);
        };
        let lines = LineIndex::new(&text.text, self.encoding);
        let (start, end) = (
            lines.offset(params.range.start),
            lines.offset(params.range.end),
        );
        let mut actions = Vec::new();
        for d in diagnostics.iter().filter(|d| d.span.file == file) {
            let touches = d.span.start as usize <= end && start <= d.span.end as usize;
            if !touches || d.patches.is_empty() {
                continue;
            }
            // lsp-types keys a workspace edit by `Uri`, whose only interior mutability is a
            // parse cache that never changes its hash.
            #[expect(clippy::mutable_key_type, reason = "WorkspaceEdit's own key type")]
            let mut changes: std::collections::HashMap<Uri, Vec<TextEdit>> = Default::default();
            for patch in &d.patches {
                let Some(location) = self.location(sources, patch.span) else {
                    continue;
                };
                changes
                    .entry(location.uri)
                    .or_default()
                    .push(TextEdit::new(location.range, patch.replacement.clone()));
            }
            let title = match &d.help {
                Some(help) => format!("{}: {help}", d.code.as_str()),
                None => format!("{}: apply the fix", d.code.as_str()),
            };
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![self.convert(d, &lines, sources)]),
                edit: Some(WorkspaceEdit::new(changes)),
                // A guess (the closest name) is offered, but not as the fix to apply blindly.
                is_preferred: Some(d.fix == crate::diagnostic::Fix::Certain),
                ..CodeAction::default()
            }));
        }
        to_value(actions)
    }

    /// The text of a document: the editor's, or the file's.
    /// An open document's text, or a rule file's on disk (read as `check` reads it: never a
    /// file that is not a rule file).
    fn document_text(&self, path: &Path) -> Option<String> {
        if let Some(text) = self.workspace.text(path) {
            return Some(text.to_string());
        }
        if !crate::check::is_rule_file(path) {
            return None;
        }
        let limit = crate::limits::Limits::default().rule_file_bytes;
        let disk = crate::check::Disk::new(&[path.to_path_buf()], &[], limit);
        crate::check::FileSource::read(&disk, path, false).ok()
    }
}

/// The sources and diagnostics of an analysis, whether it compiled or not.
fn parts(analysis: &Analysis) -> (&SourceMap, &[Diagnostic]) {
    match &analysis.outcome {
        Ok(compiled) => (compiled.program.sources(), &compiled.warnings),
        Err(failed) => (&failed.sources, &failed.diagnostics),
    }
}

/// The loaded file at `path`.
fn file_of<'s>(
    sources: &'s SourceMap,
    path: &Path,
) -> Option<(FileId, &'s crate::source::SourceFile)> {
    sources
        .files()
        .iter()
        .enumerate()
        .find(|(_, f)| Path::new(&f.name) == path)
        .map(|(i, f)| (FileId(i as u32), f))
}

fn parse<P: serde::de::DeserializeOwned>(
    params: serde_json::Value,
) -> Result<P, (ErrorCode, String)> {
    serde_json::from_value(params).map_err(|e| (ErrorCode::InvalidParams, e.to_string()))
}

fn to_value(value: impl serde::Serialize) -> Answer {
    serde_json::to_value(value).map_err(|e| (ErrorCode::InternalError, e.to_string()))
}
