#!/usr/bin/env node
// cdp_batch.js - open wasmperf-batch's index.html in headless Chromium (from
// file://, no network) and check it: no JavaScript exception or console
// error, every link and image resolves to a file inside OUT, a click on a
// column head (a real mouse event) sorts that table's rows and a second
// click reverses them, and names taken from the recordings (a hostile
// benchmark name, a hostile Wasm function name) are text, not markup.
// The Chromium plumbing (DevTools protocol over --remote-debugging-pipe) is
// cdp_flame.js's; see README.md.
//
// usage: node cdp_batch.js --out DIR --chromium PATH --profile DIR
//                          [--pgid-file FILE] [--timeout SECONDS]
//                          [--expect-text TEXT]... [--verbose]
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');
const { pathToFileURL, fileURLToPath } = require('url');

const opt = { timeout: 45, verbose: false, texts: [] };
for (let i = 2; i < process.argv.length; i++) {
	const a = process.argv[i];
	const val = () => {
		if (i + 1 >= process.argv.length) die(`missing value for ${a}`);
		return process.argv[++i];
	};
	if (a === '--out') opt.out = val();
	else if (a === '--chromium') opt.chromium = val();
	else if (a === '--profile') opt.profile = val();
	else if (a === '--pgid-file') opt.pgidFile = val();
	else if (a === '--timeout') opt.timeout = Number(val());
	else if (a === '--expect-text') opt.texts.push(val());
	else if (a === '--verbose' || a === '-v') opt.verbose = true;
	else die(`unknown argument ${a}`);
}
if (!opt.out || !opt.chromium || !opt.profile)
	die('usage: cdp_batch.js --out DIR --chromium PATH --profile DIR [--expect-text T]...');

// ---------------------------------------------------------------- bookkeeping
const t0 = Date.now();
let failures = 0, passes = 0;
const stamp = () => ((Date.now() - t0) / 1000).toFixed(2).padStart(6) + 's';
function log(...m) { console.log(stamp(), ...m); }
function vlog(...m) { if (opt.verbose) log(...m); }
function die(msg) { console.error('cdp_batch: ' + msg); cleanup(); process.exit(1); }
function check(cond, what, detail) {
	if (cond) { passes++; log('ok  ', what); }
	else { failures++; log('FAIL', what + (detail !== undefined ? '\n         got: ' + fmt(detail) : '')); }
	return !!cond;
}
function fmt(v) { return typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v, null, 0); }
const near = (x, y, tol) => Math.abs(x - y) <= tol;

// ---------------------------------------------------------------- chromium
let chrome = null;
function cleanup() {
	if (chrome && chrome.exitCode === null && chrome.signalCode === null) {
		try { process.kill(-chrome.pid, 'SIGKILL'); } catch (e) { /* gone */ }
		try { chrome.kill('SIGKILL'); } catch (e) { /* gone */ }
	}
}
process.on('exit', cleanup);
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'])
	process.on(s, () => { cleanup(); process.exit(1); });

const watchdog = setTimeout(() => {
	log(`FAIL whole run exceeded ${opt.timeout}s; killing Chromium`);
	cleanup(); process.exit(1);
}, opt.timeout * 1000);

const chromeArgs = [
	'--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync',
	'--disable-extensions', '--disable-default-apps', '--mute-audio', '--no-default-browser-check',
	'--disable-dev-shm-usage', '--disable-crash-reporter', '--disable-breakpad',
	'--window-size=1280,800',
	'--user-data-dir=' + opt.profile, '--remote-debugging-pipe', 'about:blank',
];
const chromeErr = [];
chrome = spawn(opt.chromium, chromeArgs, {
	stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
	detached: true, // own process group, so the renderer/zygote children die with it
	// keep Chromium's config/cache (and crash database) out of the user's home
	env: Object.assign({}, process.env, {
		XDG_CONFIG_HOME: path.join(opt.profile, 'xdg-config'),
		XDG_CACHE_HOME: path.join(opt.profile, 'xdg-cache'),
	}),
});
if (opt.pgidFile && chrome.pid) fs.writeFileSync(opt.pgidFile, String(chrome.pid) + '\n');
for (const s of [chrome.stdout, chrome.stderr])
	s.on('data', d => { chromeErr.push(d.toString()); if (chromeErr.length > 200) chromeErr.shift(); });
chrome.on('error', e => die(`cannot start ${opt.chromium}: ${e.message}`));
chrome.on('exit', (code, sig) => {
	if (!finished) {
		log(`FAIL Chromium exited early (code ${code}, signal ${sig}); its output:\n` + chromeErr.join(''));
		process.exit(1);
	}
});
let finished = false;

// ---------------------------------------------------------------- CDP over the pipe
const toChrome = chrome.stdio[3], fromChrome = chrome.stdio[4];
let nextId = 1, inbuf = Buffer.alloc(0);
const pending = new Map();
const listeners = [];
fromChrome.on('data', chunk => {
	inbuf = Buffer.concat([inbuf, chunk]);
	let nul;
	while ((nul = inbuf.indexOf(0)) >= 0) {
		const text = inbuf.subarray(0, nul).toString('utf8');
		inbuf = inbuf.subarray(nul + 1);
		let msg;
		try { msg = JSON.parse(text); } catch (e) { log('bad CDP message', text.slice(0, 200)); continue; }
		if (msg.id !== undefined && pending.has(msg.id)) {
			const p = pending.get(msg.id); pending.delete(msg.id); clearTimeout(p.timer);
			if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message} ${msg.error.data || ''}`));
			else p.resolve(msg.result);
		} else if (msg.method) {
			for (const l of listeners.slice()) l(msg);
		}
	}
});
fromChrome.on('error', () => {});
toChrome.on('error', () => {});

function send(method, params = {}, sessionId, timeoutMs = 10000) {
	const id = nextId++;
	const msg = { id, method, params };
	if (sessionId) msg.sessionId = sessionId;
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			pending.delete(id);
			reject(new Error(`${method}: no reply within ${timeoutMs} ms`));
		}, timeoutMs);
		pending.set(id, { resolve, reject, timer, method });
		toChrome.write(JSON.stringify(msg) + '\0');
	});
}
function waitEvent(method, pred = () => true, timeoutMs = 10000) {
	return new Promise((resolve, reject) => {
		const l = m => { if (m.method === method && pred(m)) { done(); resolve(m.params); } };
		const timer = setTimeout(() => { done(); reject(new Error(`no ${method} within ${timeoutMs} ms`)); }, timeoutMs);
		const done = () => { clearTimeout(timer); const i = listeners.indexOf(l); if (i >= 0) listeners.splice(i, 1); };
		listeners.push(l);
	});
}
const sleep = ms => new Promise(r => setTimeout(r, ms));

// ---------------------------------------------------------------- page session
let S;
const pageErrors = [];
const dialogs = [];

async function evaluate(expr) {
	const r = await send('Runtime.evaluate', { expression: expr, returnByValue: true, awaitPromise: true }, S);
	if (r.exceptionDetails) {
		const d = r.exceptionDetails;
		throw new Error('page evaluation failed: ' + ((d.exception && d.exception.description) || d.text));
	}
	return r.result.value;
}
const settle = () => evaluate('new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))');

async function mouseClick(x, y) {
	await send('Input.dispatchMouseEvent', { type: 'mouseMoved', x, y, button: 'none', buttons: 0 }, S);
	await send('Input.dispatchMouseEvent', { type: 'mousePressed', x, y, button: 'left', buttons: 1, clickCount: 1 }, S);
	await send('Input.dispatchMouseEvent', { type: 'mouseReleased', x, y, button: 'left', buttons: 0, clickCount: 1 }, S);
}

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
	const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
	({ sessionId: S } = await send('Target.attachToTarget', { targetId, flatten: true }));
	listeners.push(m => {
		if (m.sessionId !== S) return;
		if (m.method === 'Runtime.exceptionThrown') {
			const d = m.params.exceptionDetails;
			pageErrors.push('exception: ' + ((d.exception && d.exception.description) || d.text));
		} else if (m.method === 'Runtime.consoleAPICalled' && (m.params.type === 'error' || m.params.type === 'assert')) {
			pageErrors.push('console.' + m.params.type + ': ' + m.params.args.map(a => a.value !== undefined ? a.value : a.description).join(' '));
		} else if (m.method === 'Log.entryAdded' && m.params.entry.level === 'error') {
			pageErrors.push('log: ' + m.params.entry.text);
		} else if (m.method === 'Page.javascriptDialogOpening') {
			dialogs.push(m.params);
			send('Page.handleJavaScriptDialog', { accept: false }, S).catch(() => {});
		}
	});
	await send('Page.enable', {}, S);
	await send('Runtime.enable', {}, S);
	await send('Log.enable', {}, S);
	await send('Emulation.setDeviceMetricsOverride', { width: 1280, height: 800, deviceScaleFactor: 1, mobile: false }, S);
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

async function shutdown(code) {
	finished = true;
	clearTimeout(watchdog);
	if (chrome.exitCode === null && chrome.signalCode === null) {
		const exited = new Promise(r => chrome.once('exit', r));
		send('Browser.close', {}, undefined, 3000).catch(() => {});
		await Promise.race([exited, sleep(3000)]);
	}
	cleanup();
	process.exit(code);
}
main().then(() => {
	log(`${passes} checks passed, ${failures} failed`);
	return shutdown(failures ? 1 : 0);
}, e => {
	log('FAIL', e && e.stack ? e.stack : e);
	if (pageErrors.length) log('page errors:', pageErrors.join('\n  '));
	return shutdown(1);
});
