// Validates .glb/.gltf files with the Khronos glTF validator (npm gltf-validator) and prints one
// JSON report per file: {"file", "errors", "warnings", "infos", "messages"}. Exit 0 when it could
// read them all (the caller judges the counts), 2 when a file cannot be read.
const validator = require('gltf-validator');
const fs = require('fs');

async function main() {
  const reports = [];
  for (const file of process.argv.slice(2)) {
    const report = await validator.validateBytes(new Uint8Array(fs.readFileSync(file)));
    reports.push({file, errors: report.issues.numErrors, warnings: report.issues.numWarnings,
                  infos: report.issues.numInfos, messages: report.issues.messages});
  }
  console.log(JSON.stringify(reports));
}
main().catch((e) => { console.error(String(e)); process.exit(2); });
