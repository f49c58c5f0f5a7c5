// Scores a card transaction against a running Vigil scoring service (./vigil up) from Node.js,
// with @grpc/grpc-js and the vigil.v1 contract in ../../proto, over mutual TLS: the client
// trusts the CA that issued the server's certificate and presents its own certificate, whose
// CN ("scorer") is the identity the service's roles file grants the scorer role.
//
//   cd examples/node && npm install && node score-transaction.js [host:port] [tls-dir]
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const protoRoot = path.resolve(__dirname, '..', '..', 'proto', 'src', 'main', 'proto');
const definition = protoLoader.loadSync('vigil/v1/scoring.proto', {
  includeDirs: [protoRoot], keepCase: false, longs: String, enums: String, defaults: true,
  oneofs: true,
});
const vigil = grpc.loadPackageDefinition(definition).vigil.v1;

const target = process.argv[2] || 'localhost:50051';
// ./vigil up writes the local CA and a certificate per role under var/tls on its first start
const tlsDir = process.argv[3] || path.resolve(__dirname, '..', '..', 'var', 'tls');
const read = (name) => fs.readFileSync(path.join(tlsDir, name));
const credentials = grpc.credentials.createSsl(
  read('ca.pem'), // trust: the CA that issued server.pem
  read('scorer.key'), // our identity: the scorer's key and certificate
  read('scorer.pem'),
);
const client = new vigil.ScoringService(target, credentials);

const now = Date.now() - 1000; // event time: just now (not in the future)
const request = {
  requestId: `node-${crypto.randomUUID()}`,
  event: {
    eventId: `node-txn-${crypto.randomUUID()}`,
    eventTime: { seconds: String(Math.floor(now / 1000)), nanos: (now % 1000) * 1e6 },
    accountId: 'acct-node-1',
    customerId: 'cust-node-1',
    transaction: {
      // money is integer minor units and an ISO 4217 code: USD 249.99
      amount: { minorUnits: '24999', currency: 'USD' },
      direction: 'DIRECTION_DEBIT',
      channel: 'TRANSACTION_CHANNEL_ECOMMERCE',
      merchantId: 'm-000042',
      mcc: '5732',
      country: 'US',
      deviceId: 'device-node-1',
      // where the merchant is: night and weekend are judged in the customer's zone when Vigil
      // has their CustomerDetails, else in this one, else in UTC
      merchantTimeZone: 'America/Chicago',
    },
  },
};

client.scoreTransaction(request, { deadline: Date.now() + 2000 }, (err, response) => {
  if (err) {
    // INVALID_ARGUMENT names the field: "event.transaction.amount.currency: ..."
    console.error(`${grpc.status[err.code]}: ${err.details}`);
    process.exit(1);
  }
  const { score } = response;
  console.log(`decision ${response.decision.replace('TRANSACTION_DECISION_', '')}`
    + `  score ${score.score}/999  probability ${score.probability.toFixed(4)}`);
  console.log(`model ${score.modelId} ${score.modelVersion}, policy ${score.policyVersion},`
    + ` audit ${score.auditId}`);
  // no reasons: the score is not above the typical customer's, so nothing adverse to explain
  if (score.reasons.length === 0) {
    console.log('  no adverse factors');
  }
  for (const r of score.reasons) {
    console.log(`  ${r.code.padEnd(24)} ${r.text}${r.feature ? ` (${r.feature} = ${r.value})` : ''}`);
  }
  client.close();
});
