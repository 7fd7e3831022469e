// Starts `credence lsp` for .cred files. Everything the editor shows beyond highlighting comes
// from the server: diagnostics with quick fixes, hover, go to definition, references,
// completion and formatting.
'use strict';

const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

const clientOptions = { documentSelector: [{ scheme: 'file', language: 'cred' }] };
let client;

/** The server command from the `credence.path` setting. */
function serverOptions() {
  const command = vscode.workspace.getConfiguration('credence').get('path') || 'credence';
  return { command, args: ['lsp'] };
}

function start() {
  client = new LanguageClient('credence', 'Credence', serverOptions(), clientOptions);
  return client.start();
}

function activate(context) {
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration('credence.path')) {
        await deactivate();
        await start();
      }
    }),
  );
  return start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate, serverOptions };
