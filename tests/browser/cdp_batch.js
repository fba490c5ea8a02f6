#!/usr/bin/env node
// cdp_batch.js - open wasmperf-batch's index.html in headless Chromium (from
// file://, no network) and check it: no JavaScript exception or console
// error, every link and image resolves to a file inside OUT, a click on a
// column head (a real mouse event) sorts that table's rows and a second
// click reverses them, and names taken from the recordings (a hostile
// benchmark name, a hostile Wasm function name) are text, not markup.
// The Chromium plumbing (DevTools protocol over --remote-debugging-pipe) is
// cdp_session.js; see README.md.
//
// usage: node cdp_batch.js --out DIR --chromium PATH --profile DIR
//                          [--pgid-file FILE] [--timeout SECONDS]
//                          [--expect-text TEXT]... [--verbose]
'use strict';

const fs = require('fs');
const path = require('path');
const { pathToFileURL, fileURLToPath } = require('url');
const cdp = require('./cdp_session');

const opt = cdp.parseArgs('cdp_batch', process.argv.slice(2),
	{ values: { '--out': 'out' }, lists: { '--expect-text': 'texts' } });
if (!opt.out || !opt.chromium || !opt.profile)
	cdp.die('cdp_batch', 'usage: cdp_batch.js --out DIR --chromium PATH --profile DIR [--expect-text T]...');

const chromium = cdp.startChromium(Object.assign({ name: 'cdp_batch' }, opt));
const { send, waitEvent, evaluate, settle, mouseClick, check, log } = chromium;
const pageErrors = [];
const dialogs = [];

// The keys a column sorts by (data-v, else the text), row by row.
const columnKeys = (table, col) => evaluate(`Array.from(document.getElementById(${JSON.stringify(table)}).tBodies[0].rows)
	.map(r => { const c = r.cells[${col}]; if (!c) return ''; const v = c.getAttribute('data-v'); return v === null ? c.textContent : v; })`);
// Clicks the head of a column, scrolled into view, at a point that really hits it.
async function clickHead(table, col) {
	const p = await evaluate(`(function () {
		const th = document.getElementById(${JSON.stringify(table)}).tHead.rows[0].cells[${col}];
		th.scrollIntoView({block: 'center'});
		const r = th.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
		const hit = document.elementFromPoint(x, y);
		return hit && (hit === th || th.contains(hit)) ? {x, y} : null; })()`);
	if (!p) throw new Error(`the head of column ${col} of #${table} cannot be clicked`);
	await mouseClick(p.x, p.y);
	await settle();
}
function sortedAs(keys, dir) {
	const num = keys.map(k => parseFloat(k));
	for (let i = 1; i < keys.length; i++) {
		const a = num[i - 1], b = num[i];
		if (isNaN(a) && !isNaN(b)) return false;      // numbers first, either way
		if (!isNaN(a) && !isNaN(b) && (b - a) * dir < 0) return false;
	}
	return true;
}

async function main() {
	const indexPath = path.resolve(opt.out, 'index.html');
	const outDir = fs.realpathSync(path.resolve(opt.out));
	const S = await chromium.openPage(m => {
		if (m.method === 'Runtime.exceptionThrown') {
			const d = m.params.exceptionDetails;
			pageErrors.push('exception: ' + ((d.exception && d.exception.description) || d.text));
		} else if (m.method === 'Runtime.consoleAPICalled' && (m.params.type === 'error' || m.params.type === 'assert')) {
			pageErrors.push('console.' + m.params.type + ': ' + m.params.args.map(a => a.value !== undefined ? a.value : a.description).join(' '));
		} else if (m.method === 'Log.entryAdded' && m.params.entry.level === 'error') {
			pageErrors.push('log: ' + m.params.entry.text);
		} else if (m.method === 'Page.javascriptDialogOpening') {
			dialogs.push(m.params);
			send('Page.handleJavaScriptDialog', { accept: false }, chromium.page()).catch(() => {});
		}
	});
	const loaded = waitEvent('Page.loadEventFired', m => m.sessionId === S);
	const nav = await send('Page.navigate', { url: pathToFileURL(indexPath).href }, S);
	if (nav.errorText) throw new Error('cannot load index.html: ' + nav.errorText);
	await loaded;
	await settle();

	// ---- 1. links
	const links = await evaluate(`Array.from(document.querySelectorAll('a[href], img[src], link[href], script[src]'))
		.map(e => e.href || e.src)`);
	check(links.length > 0, `the page has links (${links.length})`);
	const bad = [];
	for (const href of links) {
		let p = null;
		try { p = fileURLToPath(href.split('#')[0]); } catch (e) { bad.push(href + ' (not file:)'); continue; }
		let real = null;
		try { real = fs.realpathSync(p); } catch (e) { bad.push(href + ' (missing)'); continue; }
		if (!(real === outDir || real.startsWith(outDir + path.sep)) || !fs.statSync(real).isFile())
			bad.push(href + ' (not a file inside OUT)');
	}
	check(bad.length === 0, 'every link and image resolves to a file inside OUT', bad);
	const imgs = await evaluate(`Array.from(document.images).map(i => i.complete && i.naturalWidth > 0)`);
	check(imgs.every(Boolean), `every image (${imgs.length}) loaded`, imgs);
	const external = await evaluate(`performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith('file:'))`);
	check(external.length === 0, 'nothing was fetched from the network', external);

	// ---- 2. sorting (the runs: exec -> exit and run names; the matrix: wamr-aot's times)
	for (const [table, col] of [['runs-table', 4], ['runs-table', 0], ['matrix-table', 2]]) {
		const before = await columnKeys(table, col);
		await clickHead(table, col);
		const up = await columnKeys(table, col);
		await clickHead(table, col);
		const down = await columnKeys(table, col);
		const numeric = up.some(k => !isNaN(parseFloat(k)));
		const strOk = (ks, dir) => ks.every((k, i) => i === 0 || (k.localeCompare ? (dir > 0 ? ks[i - 1] <= k : ks[i - 1] >= k) : true));
		check(up.length === before.length && up.length > 1, `#${table} keeps its ${before.length} rows when sorted`);
		check(numeric ? sortedAs(up, 1) : strOk(up, 1), `#${table} column ${col}: a click sorts ascending`, up);
		check(numeric ? sortedAs(down, -1) : strOk(down, -1), `#${table} column ${col}: a second click sorts descending`, down);
		check(JSON.stringify(up) !== JSON.stringify(down), `#${table} column ${col}: the two clicks reorder the rows`, { up, down });
	}

	// ---- 3. names from the recordings are text
	const st = await evaluate(`({pwned: window.__pwned === undefined ? null : window.__pwned,
		scripts: document.scripts.length, imgs: Array.from(document.images).filter(i => !i.classList.contains('bars')).length,
		text: document.body.textContent})`);
	check(st.pwned === null, 'no script from a name ran (window.__pwned undefined)', st.pwned);
	check(st.scripts === 1, 'the page has only its own <script>', st.scripts);
	check(st.imgs === 0, 'no <img> other than the phase bars (none made from a name)', st.imgs);
	for (const t of opt.texts)
		check(st.text.includes(t), 'the page shows as text: ' + t);
	check(dialogs.length === 0, 'no dialog was opened', dialogs);
	check(pageErrors.length === 0, 'no JavaScript exception or console error', pageErrors);
}

main().then(() => {
	const { passes, failures } = chromium.counts();
	log(`${passes} checks passed, ${failures} failed`);
	return chromium.shutdown(failures ? 1 : 0);
}, e => {
	log('FAIL', e && e.stack ? e.stack : e);
	if (pageErrors.length) log('page errors:', pageErrors.join('\n  '));
	return chromium.shutdown(1);
});
