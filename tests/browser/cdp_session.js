// cdp_session.js - the Chromium plumbing shared by cdp_flame.js and
// cdp_batch.js: option parsing, the ok/FAIL bookkeeping, a headless Chromium
// in its own process group driven over --remote-debugging-pipe (fd 3 =
// commands to Chromium, fd 4 = replies/events, NUL-delimited JSON), and its
// cleanup. Node.js built-ins only, no npm packages. See README.md.
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

const t0 = Date.now();
const stamp = () => ((Date.now() - t0) / 1000).toFixed(2).padStart(6) + 's';
function log(...m) { console.log(stamp(), ...m); }
function fmt(v) { return typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v, null, 0); }
const near = (x, y, tol) => Math.abs(x - y) <= tol;
const sleep = ms => new Promise(r => setTimeout(r, ms));

// A usage or start-up error: one line on stderr, exit 1 (the 'exit' handler
// of a started session kills Chromium).
function die(name, msg) { console.error(name + ': ' + msg); process.exit(1); }

// Parses argv after the script name. Every script takes --chromium, --profile,
// --pgid-file, --timeout and --verbose; `extra` adds its own:
// { values: {'--svg': 'svg'}, lists: {'--expect-text': 'texts'}, flags: {'--no-matches': 'noMatches'} }.
function parseArgs(name, argv, extra = {}) {
	const values = Object.assign({ '--chromium': 'chromium', '--profile': 'profile', '--pgid-file': 'pgidFile' },
		extra.values || {});
	const lists = extra.lists || {}, flags = extra.flags || {};
	const opt = { timeout: 45, verbose: false };
	for (const key of Object.values(lists)) opt[key] = [];
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		const val = () => {
			if (i + 1 >= argv.length) die(name, `missing value for ${a}`);
			return argv[++i];
		};
		if (a in values) opt[values[a]] = val();
		else if (a in lists) opt[lists[a]].push(val());
		else if (a === '--timeout') opt.timeout = Number(val());
		else if (a in flags) opt[flags[a]] = true;
		else if (a === '--verbose' || a === '-v') opt.verbose = true;
		else die(name, `unknown argument ${a}`);
	}
	return opt;
}

const CHROME_FLAGS = [
	'--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync',
	'--disable-extensions', '--disable-default-apps', '--mute-audio', '--no-default-browser-check',
	'--disable-dev-shm-usage', '--disable-crash-reporter', '--disable-breakpad',
	'--window-size=1280,800',
];

// Starts Chromium and returns the session. Chromium is killed (its whole
// process group) when this process exits, on SIGINT/SIGTERM/SIGHUP, and when
// the run exceeds `timeout` seconds (a FAIL line, exit 1); Chromium exiting
// before shutdown() is a FAIL too.
function startChromium({ chromium, profile, pgidFile, timeout, verbose, name }) {
	let failures = 0, passes = 0;
	const vlog = (...m) => { if (verbose) log(...m); };
	function check(cond, what, detail) {
		if (cond) { passes++; log('ok  ', what); }
		else { failures++; log('FAIL', what + (detail !== undefined ? '\n         got: ' + fmt(detail) : '')); }
		return !!cond;
	}

	// ------------------------------------------------------------ chromium
	let chrome = null, finished = false;
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
		log(`FAIL whole run exceeded ${timeout}s; killing Chromium`);
		cleanup(); process.exit(1);
	}, timeout * 1000);

	const chromeErr = [];
	chrome = spawn(chromium, [...CHROME_FLAGS, '--user-data-dir=' + profile, '--remote-debugging-pipe', 'about:blank'], {
		stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
		detached: true, // own process group, so the renderer/zygote children die with it
		// keep Chromium's config/cache (and crash database) out of the user's home
		env: Object.assign({}, process.env, {
			XDG_CONFIG_HOME: path.join(profile, 'xdg-config'),
			XDG_CACHE_HOME: path.join(profile, 'xdg-cache'),
		}),
	});
	if (pgidFile && chrome.pid) fs.writeFileSync(pgidFile, String(chrome.pid) + '\n');
	for (const s of [chrome.stdout, chrome.stderr])
		s.on('data', d => { chromeErr.push(d.toString()); if (chromeErr.length > 200) chromeErr.shift(); });
	chrome.on('error', e => die(name, `cannot start ${chromium}: ${e.message}`));
	chrome.on('exit', (code, sig) => {
		if (!finished) {
			log(`FAIL Chromium exited early (code ${code}, signal ${sig}); its output:\n` + chromeErr.join(''));
			process.exit(1);
		}
	});

	// ------------------------------------------------------------ CDP over the pipe
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

	// ------------------------------------------------------------ the page
	let page; // session id of the page openPage() attached to
	// Opens a blank 1280x800 page; onEvent sees every event of that page
	// from before Page/Runtime/Log are enabled.
	async function openPage(onEvent) {
		const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
		({ sessionId: page } = await send('Target.attachToTarget', { targetId, flatten: true }));
		listeners.push(m => { if (m.sessionId === page) onEvent(m); });
		await send('Page.enable', {}, page);
		await send('Runtime.enable', {}, page);
		await send('Log.enable', {}, page);
		await send('Emulation.setDeviceMetricsOverride', { width: 1280, height: 800, deviceScaleFactor: 1, mobile: false }, page);
		return page;
	}
	async function evaluate(expr) {
		const r = await send('Runtime.evaluate', {
			expression: expr, returnByValue: true, awaitPromise: true, userGesture: false,
		}, page);
		if (r.exceptionDetails) {
			const d = r.exceptionDetails;
			throw new Error('page evaluation failed: ' + ((d.exception && d.exception.description) || d.text) + '\n  in: ' + expr.slice(0, 200));
		}
		return r.result.value;
	}
	// Let the page run its handlers and lay out (two animation frames).
	const settle = () => evaluate('new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))');
	async function mouseMove(x, y) {
		await send('Input.dispatchMouseEvent', { type: 'mouseMoved', x, y, button: 'none', buttons: 0 }, page);
	}
	async function mouseClick(x, y) {
		await mouseMove(x, y);
		await send('Input.dispatchMouseEvent', { type: 'mousePressed', x, y, button: 'left', buttons: 1, clickCount: 1 }, page);
		await send('Input.dispatchMouseEvent', { type: 'mouseReleased', x, y, button: 'left', buttons: 0, clickCount: 1 }, page);
	}

	// Close Chromium politely (so it reaps its own children), then make sure.
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

	return {
		send, waitEvent, openPage, evaluate, settle, mouseMove, mouseClick,
		check, log, vlog, shutdown,
		counts: () => ({ passes, failures }),
		page: () => page,
	};
}

module.exports = { parseArgs, startChromium, die, log, fmt, near, sleep };
