/*
 * The Node.js preflight of every npm script: `node scripts/check-node.cjs && node <script>.ts`.
 *
 * The project's scripts are TypeScript files that Node runs as they are, which it does without
 * a flag only from 22.18 on. An older Node fails on them with a raw ERR_UNKNOWN_FILE_EXTENSION
 * stack trace, so this check runs first and says, in one line, what is needed and how to get
 * it. It is plain CommonJS with old syntax on purpose: it must run on any Node a user may have.
 * The floor itself is read from package.json's "engines" (one source for it).
 */
'use strict';
var fs = require('fs');
var path = require('path');

/** "22.18.0" -> [22, 18, 0]; anything unreadable -> null. */
function parse(version) {
  var m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(String(version).trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] || 0)] : null;
}

function atLeast(have, need) {
  for (var i = 0; i < 3; i++) {
    if (have[i] !== need[i]) return have[i] > need[i];
  }
  return true;
}

/** The floor of package.json's `engines.node` (">=22.18"), as "22.18". */
function floorOf(packageJson) {
  var range = (packageJson.engines && packageJson.engines.node) || '';
  var m = /^>=\s*(\d+\.\d+(?:\.\d+)?)$/.exec(range.trim());
  if (!m) throw new Error('package.json engines.node must read ">=X.Y", got "' + range + '"');
  return m[1];
}

/** The one line for a Node that is too old, or null when it is recent enough. */
function refusal(current, floor) {
  var have = parse(current);
  if (have && atLeast(have, parse(floor))) return null;
  return (
    'Fieldsync needs Node.js ' + floor + ' or newer (this is ' + current + '): install it from https://nodejs.org, ' +
    'or run "nvm install" (it reads .nvmrc), then run the command again.'
  );
}

module.exports = { parse: parse, atLeast: atLeast, floorOf: floorOf, refusal: refusal };

if (require.main === module) {
  var pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
  // FIELDSYNC_FAKE_NODE_VERSION: for the preflight's own tests, where no old Node is installed.
  var line = refusal(process.env.FIELDSYNC_FAKE_NODE_VERSION || process.version, floorOf(pkg));
  if (line) {
    process.stderr.write(line + '\n');
    process.exit(1);
  }
}
