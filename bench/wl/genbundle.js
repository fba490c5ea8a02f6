// Writes a synthetic ~1 MB JavaScript "bundle" for the esbuild workload:
// many modules' worth of classes, closures, object literals, template
// strings, destructuring, async functions, switch statements and regexes,
// so that esbuild's parser, renamer, minifier and printer all get work.
// usage: node genbundle.js OUT.js [bytes] [seed]
'use strict';
const fs = require('fs');
const out = process.argv[2];
const target = Number(process.argv[3] || 1 << 20);
let seed = Number(process.argv[4] || 1);
const rnd = (n) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
const words = ['alpha', 'beta', 'gamma', 'delta', 'count', 'value', 'index', 'node', 'tree', 'list',
	'cache', 'store', 'query', 'parse', 'render', 'update', 'state', 'props', 'event', 'handler'];
const w = () => words[rnd(words.length)];
const id = (i) => w() + w().charAt(0).toUpperCase() + w().slice(1) + i;

function module_(m) {
	const fns = [];
	const cls = `Component${m}`;
	fns.push(`// module ${m}\nvar __mod${m} = (function () {\n  'use strict';`);
	fns.push(`  const CONFIG_${m} = { name: "${id(m)}", retries: ${rnd(9)}, tags: [${[0, 1, 2].map(() => `"${w()}"`).join(', ')}], nested: { deep: { value: ${rnd(1000)} } } };`);
	for (let f = 0; f < 6; f++) {
		const a = id(f), b = id(f + 1), c = id(f + 2);
		fns.push(`  function ${id(m * 10 + f)}(${a}, ${b} = ${rnd(100)}, ...${c}) {
    let total = 0;
    for (let i = 0; i < ${a}.length; i++) {
      const { ${w()}: first, ...rest } = ${a}[i] || {};
      if (first && typeof first === "object") { total += Object.keys(rest).length * ${b}; }
      else if (/^${w()}[0-9]+$/i.test(String(first))) { total -= ${rnd(50)}; }
      else { total += ${c}.reduce((acc, x) => acc + (x | 0), 0); }
    }
    switch (total % ${3 + rnd(5)}) {
      case 0: return \`\${CONFIG_${m}.name}:\${total}\`;
      case 1: return [total, ${b}, ...${c}].map((v) => v * 2).filter(Boolean);
      default: return total > ${rnd(500)} ? { total, ${b} } : null;
    }
  }`);
	}
	fns.push(`  class ${cls} {
    #private = ${rnd(100)};
    constructor(props) { this.props = { ...CONFIG_${m}, ...props }; this.state = new Map(); }
    get size() { return this.state.size + this.#private; }
    async load(key) { const v = await Promise.resolve(this.state.get(key)); return v ?? "${w()}"; }
    render() {
      const items = Array.from(this.state.entries(), ([k, v]) => \`<li data-k="\${k}">\${v}</li>\`);
      return "<ul class=\\"${w()}\\">" + items.join("") + "</ul>";
    }
    static create(n) { const c = new ${cls}({ n }); for (let i = 0; i < n; i++) c.state.set("k" + i, i * ${rnd(7) + 1}); return c; }
  }`);
	fns.push(`  return { ${cls}, config: CONFIG_${m} };\n})();\n`);
	return fns.join('\n');
}

const parts = [];
let size = 0;
for (let m = 0; size < target; m++) {
	const s = module_(m);
	parts.push(s);
	size += s.length + 1;
}
parts.push(`console.log(Object.keys(globalThis).length);\n`);
fs.writeFileSync(out, parts.join('\n'));
console.error(`wrote ${out}: ${size} bytes, ${parts.length - 1} modules`);
