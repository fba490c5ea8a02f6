// Runs kern.wasm (or the module given) hot for the milliseconds given.
const fs = require('fs');
const file = process.argv[2] || __dirname + '/kern.wasm';
const mod = new WebAssembly.Module(fs.readFileSync(file));
let last = 0;
const inst = new WebAssembly.Instance(mod, { env: { report: (v) => { last = v; } } });
const end = Date.now() + Number(process.argv[3] || 1000);
while (Date.now() < end) inst.exports.run(4);
console.log('done', last);
