// Loads extension.js with stand-ins for the `vscode` and `vscode-languageclient` modules (they
// exist only inside the editor) and checks that activating it starts `credence lsp` for .cred
// files, with the `credence.path` setting honoured.
'use strict';

const assert = require('assert');
const Module = require('module');

const started = [];
let setting = '/opt/credence/bin/credence';
const stubs = {
  vscode: {
    workspace: {
      getConfiguration: (section) => ({ get: (key) => (section === 'credence' && key === 'path' ? setting : undefined) }),
      onDidChangeConfiguration: (listener) => ({ listener, dispose() {} }),
    },
  },
  'vscode-languageclient/node': {
    LanguageClient: class {
      constructor(id, name, server, client) {
        Object.assign(this, { id, name, server, client });
      }
      start() {
        started.push(this);
        return Promise.resolve();
      }
      stop() {
        return Promise.resolve();
      }
    },
  },
};
const load = Module._load;
Module._load = function (request, ...rest) {
  return request in stubs ? stubs[request] : load.call(this, request, ...rest);
};

(async () => {
  const extension = require('../extension.js');
  const context = { subscriptions: [] };
  await extension.activate(context);
  assert.strictEqual(started.length, 1);
  assert.deepStrictEqual(started[0].server, { command: '/opt/credence/bin/credence', args: ['lsp'] });
  assert.deepStrictEqual(started[0].client.documentSelector, [{ scheme: 'file', language: 'cred' }]);
  // Changing the setting restarts the server with the new command.
  setting = '';
  await context.subscriptions[0].listener({ affectsConfiguration: (s) => s === 'credence.path' });
  assert.strictEqual(started.length, 2);
  assert.deepStrictEqual(started[1].server, { command: 'credence', args: ['lsp'] });
  await extension.deactivate();
  console.log('extension: activation starts `credence lsp`; a new path restarts it');
})().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
