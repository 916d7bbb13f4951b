#!/usr/bin/env node
// Validates Kubernetes manifests against the Kubernetes API schema with npm's
// kubernetes-models (each document's apiVersion and kind pick its model) and
// parses them with npm's yaml, strictly (duplicate keys, bad YAML: errors).
//
//   node validate_manifest.cjs NPM_DIR FILE.yaml...
//
// NPM_DIR holds node_modules/ with kubernetes-models and yaml (scripts/setup.sh
// --tests installs them). Exit 0: every document of every file is valid;
// 1: one is not (each problem printed, one line each); 2: usage;
// 77: NPM_DIR lacks the packages (the ctest skips).
'use strict';
const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

const [npmDir, ...files] = process.argv.slice(2);
if (!npmDir || files.length === 0) {
  console.error('usage: node validate_manifest.cjs NPM_DIR FILE.yaml...');
  process.exit(2);
}
const npmRequire = createRequire(path.join(path.resolve(npmDir), 'package.json'));
let YAML;
try {
  YAML = npmRequire('yaml');
  npmRequire.resolve('kubernetes-models/v1');
} catch (e) {
  console.log(`skip: kubernetes-models and yaml are not installed in ${npmDir} (bash scripts/setup.sh --tests)`);
  process.exit(77);
}

// "batch/v1" -> kubernetes-models/batch/v1; "v1" (the core group) -> kubernetes-models/v1.
function modelFor(apiVersion, kind) {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') throw new Error('no apiVersion or kind');
  let mod;
  try {
    mod = npmRequire(`kubernetes-models/${apiVersion}`);
  } catch (e) {
    throw new Error(`unknown apiVersion ${apiVersion}`);
  }
  if (typeof mod[kind] !== 'function') throw new Error(`unknown kind ${kind} in ${apiVersion}`);
  return mod[kind];
}

let problems = 0;
let documents = 0;
for (const file of files) {
  const docs = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'), { uniqueKeys: true });
  docs.forEach((doc, i) => {
    const where = `${file}: document ${i + 1}`;
    if (doc.errors.length) {
      for (const e of doc.errors) console.log(`${where}: YAML: ${e.message.split('\n')[0]}`);
      problems += doc.errors.length;
      return;
    }
    const obj = doc.toJS();
    if (obj === null) return;  // an empty document between separators
    documents += 1;
    const name = `${obj.kind || '?'} ${(obj.metadata && obj.metadata.name) || '?'}`;
    try {
      const Model = modelFor(obj.apiVersion, obj.kind);
      new Model(obj).validate();
    } catch (e) {
      console.log(`${where} (${name}): ${String(e.message).split('\n').join('; ')}`);
      problems += 1;
    }
  });
}
if (problems) {
  console.log(`${problems} problems`);
  process.exit(1);
}
console.log(`${documents} documents valid`);
