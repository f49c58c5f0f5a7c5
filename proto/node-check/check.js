// Loads every vigil.v1 .proto file the way a Node.js client would and checks
// that each service exposes the methods the contract promises.
'use strict';
const path = require('path');
const fs = require('fs');
const protoLoader = require('@grpc/proto-loader');

const root = path.resolve(__dirname, '..', 'src', 'main', 'proto');
const files = fs.readdirSync(path.join(root, 'vigil', 'v1'))
  .filter((f) => f.endsWith('.proto'))
  .map((f) => path.join('vigil', 'v1', f));

const definition = protoLoader.loadSync(files, {
  includeDirs: [root], keepCase: false, longs: String, enums: String, defaults: true, oneofs: true,
});

const expected = {
  'vigil.v1.ScoringService': ['ScoreTransaction', 'ScoreCheckDeposit', 'ScoreDelinquency', 'ScoreStream'],
  'vigil.v1.IngestService': ['Publish'],
  'vigil.v1.ModelAdmin': ['ListModels', 'ActivateModel', 'SetChallenger', 'SetShadow', 'RollbackModel'],
  'vigil.v1.ProfileService': ['GetProfile'],
  'vigil.v1.PolicyAdmin': ['ListPolicies', 'ProposePolicy', 'ApprovePolicy', 'RejectPolicy', 'ListProposals'],
};

let failed = 0;
let passed = 0;
for (const [service, methods] of Object.entries(expected)) {
  const svc = definition[service];
  for (const m of methods) {
    if (svc && svc[m]) { passed++; } else { failed++; console.error(`missing ${service}/${m}`); }
  }
}
for (const type of ['vigil.v1.Event', 'vigil.v1.Money', 'vigil.v1.CheckDeposit', 'vigil.v1.ProfileRecord']) {
  if (definition[type]) { passed++; } else { failed++; console.error(`missing message ${type}`); }
}
const stream = definition['vigil.v1.ScoringService'].ScoreStream;
if (stream.requestStream && stream.responseStream) { passed++; } else { failed++; console.error('ScoreStream is not bidirectional'); }

console.log(`loaded ${files.length} proto files`);
console.log(`proto-loader: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
