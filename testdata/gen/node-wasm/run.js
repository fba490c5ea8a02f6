// Driver for the node-wasm fixture: runs the kernels of kern.wasm in turn,
// plus a little plain JS (JSON and a regex), for the given number of seconds.
// usage: node --perf-basic-prof --interpreted-frames-native-stack run.js [kern.wasm] [seconds]
'use strict';
const fs = require('fs');
const file = process.argv[2] || __dirname + '/kern.wasm';
const seconds = Number(process.argv[3] || 3);
let progressed = 0;
const inst = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(file)), {
	env: { progress: (what, value) => { progressed += what + (value & 1); } },
});
const k = inst.exports;
k.init();

function jsWork(i) { // plain JS frames next to the wasm ones
	const o = { id: i, tags: ['a', 'b', 'c'], nested: { x: i * 2, s: 'item-' + i } };
	const s = JSON.stringify(o);
	return /item-(\d+)/.exec(JSON.parse(s).nested.s)[1].length;
}

let acc = 0;
const end = Date.now() + seconds * 1000;
while (Date.now() < end) {
	acc += k.run_fib(24);
	acc += k.run_matmul();
	acc += k.run_sort(acc);
	acc += k.run_hash();
	acc += k.run_sieve();
	acc += k.run_interp(6000);
	for (let i = 0; i < 200; i++) acc += jsWork(i);
	acc |= 0;
}
console.log('done', acc, progressed);
